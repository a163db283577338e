"""HTML twins of the OGC API Features items pages and single-feature documents.

The features are streamed by the vector stage one page at a time and are not kept in the model (memory
stays bounded), so the vector stage calls these functions while it holds a page, as it does for the JSON.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from generator import layout
from generator.model import Catalogue, Dataset
from generator.output import OutputTree
from generator.source.loader import CATALOGUE_FILE
from generator.writers import html
from generator.writers import html_context as ctx
from generator.writers.site_assets import maps_available

Feature = tuple[str | int, Mapping[str, Any]]
"""A feature's id and its properties."""


def write_items_page(catalogue: Catalogue, dataset: Dataset, out: OutputTree, number: int, total: int, page_size: int,
                     features: Sequence[Feature], with_singles: bool) -> None:
    """One items page as an HTML table, with links to the other pages and, when they exist, to each feature."""
    path = layout.features_page_html(dataset.id, number)
    pages = max(1, math.ceil(total / page_size))
    columns = list(dict.fromkeys(key for _fid, properties in features for key in properties))
    rows = [(str(fid), [_cell(properties.get(c), CELL_CHARACTERS) for c in columns]) for fid, properties in features]
    pager = {"number": number, "count": pages, "path": lambda n: layout.features_page_html(dataset.id, n)}
    _render(catalogue, dataset, out, "collections/items.html", path, json_alternate=layout.features_page(dataset.id, number),
            columns=columns, rows=rows, pager=pager, total=total, first=(number - 1) * page_size + 1, with_singles=with_singles)


def write_feature_page(catalogue: Catalogue, dataset: Dataset, out: OutputTree, feature: Feature) -> None:
    fid, properties = feature
    path = layout.feature_html(dataset.id, str(fid))
    _render(catalogue, dataset, out, "collections/feature.html", path, json_alternate=layout.feature_json(dataset.id, str(fid)),
            fid=str(fid), properties=[(key, _cell(value)) for key, value in properties.items()])


def site_fingerprint(catalogue: Catalogue) -> str:
    """Hash of what these pages share with the whole site (catalogue.yaml, the templates, whether maps are on):
    the vector stage renders them, so its cached results are stale when any of it changes."""
    digest = hashlib.sha256(str(maps_available()).encode())
    folders = [html.SITE_TEMPLATES, catalogue.src_dir / html.USER_TEMPLATES]
    files = [catalogue.src_dir / CATALOGUE_FILE, *sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file())]
    for path in files:
        digest.update(str(path).encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()[:16]


def _render(catalogue: Catalogue, dataset: Dataset, out: OutputTree, template: str, path: str, **context: Any) -> None:
    """The map draws the page's own GeoJSON (its JSON twin), which the browser fetches only when maps run."""
    env, maps = _setup(catalogue.src_dir)
    site = {"facets": {}, "maps": maps}
    page_map = ctx.geojson_map_config(catalogue, dataset, path, context["json_alternate"]) if site["maps"] else None
    html.render(env, out, template, path, catalogue, site, dataset=dataset, map=page_map, json_type="application/geo+json", **context)


@cache
def _setup(src_dir: Path) -> tuple[Environment, bool]:
    """Once per process, not once per page (a dataset may have 10,000 feature pages): templates and map libraries."""
    return html.environment(src_dir.resolve()), maps_available()


CELL_CHARACTERS = 200
"""Longer values are cut in the items tables (keeping pages light); the feature's own page shows them whole."""


def _cell(value: Any, limit: int | None = None) -> str:
    """A property value as table text (the template escapes it); missing values are empty."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
