"""Static search: a Pagefind full-text index built from the model, and a small index for area and time.

Pagefind indexes small documents this writer makes from the model (title, description, keywords), never
the HTML writer's pages. Facet, area and time filters use `search/records.json`, which the search page's own script
applies to Pagefind's results. Pagefind's own filter index is not used: its files differ from build to build
(the order of a hash map), and geosite's builds are byte-identical.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from markupsafe import escape

from generator import layout
from generator.errors import BuildError
from generator.model import Catalogue, Dataset
from generator.output import OutputTree
from generator.writers.html_context import facet_values

OWNER = "search"
SKIPPED = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight")
"""Pagefind's own UI bundles: the search page has its own script, so these would only be dead weight."""


def write(catalogue: Catalogue, out: OutputTree) -> None:
    out.write_json(layout.SEARCH_INDEX, {"records": [_entry(d) for d in catalogue.datasets]}, OWNER, compact=True)
    size = layout.PAGEFIND_PART_RECORDS
    for number, folder in enumerate(layout.pagefind_dirs(len(catalogue.datasets))):
        bundle = out.root / folder
        if bundle.exists():
            raise BuildError(f"search index: {folder} was already written by another writer")
        with tempfile.TemporaryDirectory(prefix=".search-documents-", dir=out.root) as documents:  # beside the output: same disk, gone if killed
            _pagefind_bundle(catalogue, catalogue.datasets[number * size:(number + 1) * size], Path(documents), bundle)
        out.adopt({f"{folder}/{name}": OWNER for name in _kept_files(bundle)})


def _kept_files(bundle: Path) -> list[str]:
    """The bundle's files, relative to it, once Pagefind's own UI bundles are deleted."""
    kept = []
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        name = path.relative_to(bundle).as_posix()
        if name.startswith(SKIPPED):
            path.unlink()
        else:
            kept.append(name)
    return kept


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


def _pagefind_bundle(catalogue: Catalogue, datasets: list[Dataset], folder: Path, bundle: Path) -> None:
    """Pagefind's command line indexes a folder of per-record documents and writes its bundle straight into the
    output. Not its Python service: asking it for the files hangs past a 2 MiB pipe limit, and its write_files
    can return (and the service be closed) before every file is flushed, leaving empty files behind."""
    language = catalogue.language.split("-")[0].lower()
    for dataset in datasets:
        (folder / f"{dataset.id}.html").write_text(_document(dataset, language), encoding="utf-8")
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-path", str(bundle),
               "--force-language", language, "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildError(f"search index: Pagefind failed: {(done.stderr or done.stdout).strip()[-500:]}")
