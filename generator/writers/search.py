"""Static search: a Pagefind full-text index built from the model, and a small index for area and time.

Pagefind indexes custom records (title, description, keywords), so it reads the model and never the HTML
writer's pages. Facet, area and time filters use `search/records.json`, which the search page's own script
applies to Pagefind's results. Pagefind's own filter index is not used: its files differ from build to build
(the order of a hash map), and geosite's builds are byte-identical.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pagefind.service import PagefindService

from generator import layout
from generator.model import Catalogue, Dataset
from generator.output import OutputTree
from generator.writers.common import plain_summary
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
    """What the search page needs to filter and list a record without fetching it."""
    time = dataset.time
    return {
        "id": dataset.id,
        "url": layout.record_html(dataset.id),
        "title": dataset.title,
        "summary": plain_summary(dataset.description, 200),
        "bbox": list(dataset.bbox) if dataset.bbox else None,
        "start": time.start if time else None,
        "end": (time.start if time.instant else time.end) if time else None,
        **facet_values(dataset),
    }


def _content(dataset: Dataset) -> str:
    """The text Pagefind indexes: title, description and keywords (theme names included)."""
    values = facet_values(dataset)
    return "\n".join([dataset.title, dataset.description, " ".join(values["keyword"]), " ".join(values["theme"])])


async def _pagefind_files(catalogue: Catalogue) -> list[tuple[str, bytes]]:
    language = catalogue.language.split("-")[0].lower()
    async with PagefindService() as service:
        index = await service.create_index({"force_language": language})
        for dataset in catalogue.datasets:
            meta = {"title": dataset.title, "id": dataset.id}
            await index.add_custom_record(url=layout.record_html(dataset.id), content=_content(dataset), language=language, meta=meta)
        files = await index.get_files()
    return sorted((f["path"], f["content"]) for f in files)
