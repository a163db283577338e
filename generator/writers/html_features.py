"""HTML twins of the OGC API Features items pages and single-feature documents.

The features are streamed by the vector stage one page at a time and are not kept in the model (memory
stays bounded), so the vector stage calls these functions while it holds a page, as it does for the JSON.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Environment
from markupsafe import Markup, escape

from generator import layout, resources
from generator.model import Catalogue, Dataset
from generator.output import OutputTree
from generator.source.loader import CATALOGUE_FILE
from generator.writers import html
from generator.writers import html_context as ctx
from generator.writers.site_assets import maps_available

Feature = tuple[str | int, Mapping[str, Any]]
"""A feature's id and its properties."""


def write_items_page(catalogue: Catalogue, dataset: Dataset, out: OutputTree, number: int, total: int, page_size: int,
                     ids: pa.Array | pa.ChunkedArray, properties: pa.Table, with_singles: bool) -> None:
    """One items page as an HTML table, with links to the other pages and, when they exist, to each feature.
    The rows are built column by column with Arrow (a page holds 1,000 features, a dataset maybe 1,000 pages):
    a template loop over every cell cost several times the JSON pages."""
    path = layout.features_page_html(dataset.id, number)
    pages = max(1, math.ceil(total / page_size))
    heads = _feature_links(dataset, path, ids) if with_singles else _cells(ids)
    body = table_rows(heads, [_cells(properties.column(name), CELL_CHARACTERS) for name in properties.column_names])
    pager = {"number": number, "count": pages, "path": lambda n: layout.features_page_html(dataset.id, n)}
    _render(catalogue, dataset, out, "collections/items.html", path, json_alternate=layout.features_page(dataset.id, number),
            columns=properties.column_names, table_rows=Markup(body), shown=len(ids), pager=pager, total=total,
            first=(number - 1) * page_size + 1)


def table_rows(heads: pa.Array | pa.ChunkedArray, columns: list[pa.Array | pa.ChunkedArray]) -> str:
    """The table body: one row per feature, its id cell then one cell per column (all already escaped HTML)."""
    parts: list[Any] = ['<tr><th scope="row">', heads, "</th>"]
    for cells in columns:
        parts += ["<td>", cells, "</td>"]
    parts.append("</tr>\n")
    return "".join(pc.binary_join_element_wise(*parts, "").to_pylist())


def write_feature_page(catalogue: Catalogue, dataset: Dataset, out: OutputTree, feature: Feature) -> None:
    fid, properties = feature
    path = layout.feature_html(dataset.id, str(fid))
    _render(catalogue, dataset, out, "collections/feature.html", path, json_alternate=layout.feature_json(dataset.id, str(fid)),
            fid=str(fid), properties=[(key, _cell(value)) for key, value in properties.items()])


def site_fingerprint(catalogue: Catalogue) -> str:
    """Hash of what these pages share with the whole site (catalogue.yaml, the templates, whether maps are on):
    the vector stage renders them, so its cached results are stale when any of it changes."""
    digest = hashlib.sha256(str(maps_available()).encode())
    digest.update((catalogue.src_dir / CATALOGUE_FILE).read_bytes())
    for folder in (resources.templates_dir(), catalogue.src_dir / html.USER_TEMPLATES):
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        for path in files:  # named relative to their folder: how the source path is spelt must not matter
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
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
HTML_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;"))
"""What markupsafe (and so the templates' autoescaping) replaces, with the same entities, `&` first."""


def _cells(column: pa.Array | pa.ChunkedArray, limit: int | None = None) -> pa.Array | pa.ChunkedArray:
    """Every value of a column as escaped table text, never null, as `_cell` and autoescaping would write it:
    integers, float64 and strings in bulk, other types (dates, lists, float32...) value by value."""
    if pa.types.is_integer(column.type):
        return pc.fill_null(pc.cast(column, pa.string()), "")
    if pa.types.is_float64(column.type):
        return _float_cells(column)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        texts = _shortened(pc.cast(column, pa.string()), limit) if limit else pc.cast(column, pa.string())
        return escaped(pc.fill_null(texts, ""))
    return escaped(pa.array([_cell(value, limit) for value in column.to_pylist()], pa.string()))


def _float_cells(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Floats as `str` writes them, from one orjson call: the same shortest digits, except the exponent of tiny
    numbers ('1e-7' for Python's '1e-07'), which `str` writes; no number needs escaping."""
    values = column.to_numpy(zero_copy_only=False)
    texts = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].decode("ascii").split(",") if len(values) else []
    for index in np.flatnonzero((values != 0) & (np.abs(values) < SMALL_FLOAT)):
        texts[index] = str(float(values[index]))
    return pc.replace_substring(pa.array(texts, pa.string()), "null", "")  # nulls, NaN and infinities: empty cells


SMALL_FLOAT = 1e-4
"""Below this (in magnitude) Python writes floats with an exponent."""


def _shortened(texts: pa.Array | pa.ChunkedArray, limit: int) -> pa.Array | pa.ChunkedArray:
    """Texts longer than `limit` characters cut to `limit - 1` and an ellipsis, as `_cell` cuts them."""
    long = pc.greater(pc.utf8_length(texts), limit)
    if not pc.any(long).as_py():
        return texts
    return pc.if_else(long, pc.binary_join_element_wise(pc.utf8_slice_codeunits(texts, 0, limit - 1), "…", ""), texts)


def escaped(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Texts safe in HTML text and attribute values, exactly as markupsafe.escape writes them."""
    for character, entity in HTML_ENTITIES:
        texts = pc.replace_substring(texts, character, entity)
    return texts


def _feature_links(dataset: Dataset, page: str, ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Each id as a link to its feature's page (only small datasets have them: per feature in Python is fine)."""
    links = [(layout.href(page, layout.feature_html(dataset.id, str(fid))), str(fid)) for fid in ids.to_pylist()]
    return pa.array([f'<a href="{escape(href)}">{escape(text)}</a>' for href, text in links], pa.string())


def _cell(value: Any, limit: int | None = None) -> str:
    """A property value as table text (escaped by the caller); missing values are empty."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
