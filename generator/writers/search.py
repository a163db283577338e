"""Static search: a Pagefind full-text index built from the model, and a small index for area and time.

Pagefind indexes small documents this writer makes from the model (title, description, keywords), never
the HTML writer's pages. Facet, area and time filters use `search/records.json`, which the search page's own script
applies to Pagefind's results. Pagefind's own filter index is not used: its files differ from build to build
(the order of a hash map), and geosite's builds are byte-identical.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from markupsafe import escape
from pagefind.service import PagefindService

from generator import layout
from generator.model import Catalogue, Dataset
from generator.output import OutputTree
from generator.writers.html_context import facet_values

OWNER = "search"
SKIPPED = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight")
"""Pagefind's own UI bundles: the search page has its own script, so these would only be dead weight."""


def write(catalogue: Catalogue, out: OutputTree) -> None:
    out.write_json(layout.SEARCH_INDEX, {"records": [_entry(d) for d in catalogue.datasets]}, OWNER, compact=True)
    for name, content in asyncio.run(_pagefind_files(catalogue)):
        if not name.startswith(SKIPPED):
            out.write_bytes(f"{layout.PAGEFIND_DIR}/{name}", content, OWNER)


def _entry(dataset: Dataset) -> dict[str, Any]:
    """What the search page needs to filter and list a record without fetching it; kept lean, as every visit loads it all."""
    time = dataset.time
    return {
        "id": dataset.id,
        "url": layout.record_html(dataset.id),
        "title": dataset.title,
        "bbox": [round(v, 4) for v in dataset.bbox] if dataset.bbox else None,
        "start": time.start if time else None,
        "end": (time.start if time.instant else time.end) if time else None,
        **facet_values(dataset),
    }


def _document(dataset: Dataset, language: str) -> str:
    """The text Pagefind indexes for a record (title, description, keywords, themes), as a tiny HTML page."""
    values = facet_values(dataset)
    text = " ".join([*values["keyword"], *values["theme"]])
    return (f'<!doctype html><html lang="{escape(language)}"><body><main data-pagefind-body>'
            f'<span data-pagefind-meta="id:{escape(dataset.id)}"></span><h1 data-pagefind-meta="title">{escape(dataset.title)}</h1>'
            f"<p>{escape(dataset.description)}</p><p>{escape(text)}</p></main></body></html>")


async def _pagefind_files(catalogue: Catalogue) -> list[tuple[str, bytes]]:
    """Pagefind indexes a folder of per-record documents in one request (one request per record costs ~0.1 s)."""
    language = catalogue.language.split("-")[0].lower()
    with tempfile.TemporaryDirectory(prefix="geosite-search-") as folder:
        for dataset in catalogue.datasets:
            (Path(folder) / f"{dataset.id}.html").write_text(_document(dataset, language), encoding="utf-8")
        async with PagefindService() as service:
            index = await service.create_index({"force_language": language})
            await index.add_directory(folder)
            files = await index.get_files()
    return sorted((f["path"], f["content"]) for f in files)
