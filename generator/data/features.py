"""Pre-paginated OGC API Features: items pages, single-feature documents and queryables, as static GeoJSON.

Pages are built from slices of the Arrow table, one page's features at a time, so memory stays bounded
however many features there are. Coordinates are rounded to 7 decimals (about 1 cm), enough for any map.
"""

from __future__ import annotations

import base64
import json
import math
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import shapely

from generator import layout
from generator.clock import build_time, iso_utc
from generator.data.vector_read import FID, GEOMETRY, VectorTable
from generator.model import ApiLink, Catalogue, Dataset
from generator.output import OutputTree
from generator.writers import html_features
from generator.writers.common import GEOJSON, HTML, JSON, link

OWNER = "features"
DEFAULT_PAGE_SIZE = 1000
MIN_PAGE_SIZE = 10
PAGE_BYTES = 2_000_000
JSON_PER_ARROW_BYTE = 2.5
"""GeoJSON text of coordinates is about 2.5 times their WKB size (decimal digits, brackets, commas)."""
SINGLE_FEATURE_LIMIT = 10_000
"""Datasets with at most this many features also get one document per feature (`items/<id>.json`);
beyond it, a file per feature costs more (inodes, upload time) than it serves: use the pages or downloads."""
COORDINATE_DIGITS = 7
SCHEMA_JSON = "application/schema+json"
REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"


def publish(catalogue: Catalogue, dataset: Dataset, data: VectorTable, out: OutputTree) -> list[ApiLink]:
    """Write every page (and feature document, for small datasets) and the queryables; return the collection's links."""
    page_size = dataset.options.get("features", {}).get("page_size") or default_page_size(data)
    total = len(data.table)
    pages = max(1, math.ceil(total / page_size))
    stamp = iso_utc(build_time([dataset.source_path, dataset.yaml_path]))
    singles = total <= SINGLE_FEATURE_LIMIT
    for number in range(1, pages + 1):
        rows = data.table.slice((number - 1) * page_size, page_size)
        features = feature_texts(rows, data.attributes)
        out.write_text(layout.features_page(dataset.id, number), page_text(catalogue.base_url, dataset, number, pages, total, stamp, features), OWNER)
        if singles:
            _write_singles(catalogue.base_url, dataset, rows.column(FID).to_pylist(), features, out)
        _write_html(catalogue, dataset, out, rows, data.attributes, (number, total, page_size, singles))
    out.write_json(layout.queryables_json(dataset.id), queryables(catalogue, dataset, data), OWNER)
    return [
        ApiLink("items", layout.features_page(dataset.id, 1), GEOJSON, f"Features ({total}, {page_size} per page; follow 'next')"),
        ApiLink("items", layout.features_page_html(dataset.id, 1), HTML, "The features as HTML tables, page by page"),
        ApiLink(REL_QUERYABLES, layout.queryables_json(dataset.id), SCHEMA_JSON, "Queryable attributes (JSON Schema)"),
    ]


def default_page_size(data: VectorTable) -> int:
    """1000 features a page, fewer when features are big (detailed polygons), so a page stays near 2 MB."""
    rows = max(len(data.table), 1)
    per_feature = JSON_PER_ARROW_BYTE * data.table.nbytes / rows
    fitting = int(PAGE_BYTES / max(per_feature, 1))
    return max(MIN_PAGE_SIZE, min(DEFAULT_PAGE_SIZE, _round_down(fitting)))


def _round_down(count: int) -> int:
    """A count people read easily: 1, 2 or 5 times a power of ten."""
    if count < 10:
        return max(count, 1)
    magnitude = 10 ** (len(str(count)) - 1)
    return max(m * magnitude for m in (1, 2, 5) if m * magnitude <= count)


def feature_texts(rows: pa.Table, attributes: list[str]) -> list[str]:
    """Compact GeoJSON Feature text for each row (without links), geometry and properties serialised in bulk."""
    geometry_json = geometry_texts(shapely.from_wkb(rows.column(GEOMETRY).to_numpy(zero_copy_only=False)))
    properties = rows.select(attributes).to_pylist()
    return [
        f'{{"type":"Feature","id":{fid},"geometry":{geometry if geometry is not None else "null"},"properties":{properties_json(props)}}}'
        for fid, geometry, props in zip(rows.column(FID).to_pylist(), geometry_json, properties)
    ]


def geometry_texts(geometries: np.ndarray) -> list[str | None]:
    """GeoJSON geometry of each shapely geometry (None when missing), coordinates rounded."""
    if _plain_points(geometries):
        return _point_texts(geometries)
    return list(shapely.to_geojson(_rounded(geometries)))


def _plain_points(geometries: np.ndarray) -> bool:
    """Whether all are non-empty points, all 2D or all 3D: the case `_point_texts` writes in bulk."""
    if not len(geometries) or not (shapely.get_type_id(geometries) == POINT).all() or shapely.is_empty(geometries).any():
        return False
    has_z = shapely.has_z(geometries)
    return bool(has_z.all() or not has_z.any())


POINT = 0
"""shapely's type id of points."""


def _point_texts(geometries: np.ndarray) -> list[str]:
    """Points from one orjson call for all their coordinates (rounding and writing each through GEOS cost as much
    as the rest of a page); orjson writes the shortest digits that read back the same, as GDAL does."""
    coordinates = shapely.get_coordinates(geometries, include_z=bool(shapely.has_z(geometries[:1]).all()))
    text = orjson.dumps(np.round(coordinates, COORDINATE_DIGITS), option=orjson.OPT_SERIALIZE_NUMPY).decode("ascii")
    return [f'{{"type":"Point","coordinates":[{position}]}}' for position in text[2:-2].split("],[")]


def _rounded(geometries: np.ndarray) -> np.ndarray:
    """Coordinates to COORDINATE_DIGITS decimals: in one pass when no geometry or every one has Z (the usual case)."""
    has_z = shapely.has_z(geometries)
    if has_z.all() or not has_z.any():
        return shapely.transform(geometries, lambda c: np.round(c, COORDINATE_DIGITS), include_z=bool(has_z.any()))
    for with_z in (True, False):
        subset = ~shapely.is_missing(geometries) & (shapely.has_z(geometries) == with_z)
        geometries[subset] = shapely.transform(geometries[subset], lambda c: np.round(c, COORDINATE_DIGITS), include_z=with_z)
    return geometries


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default, allow_nan=False)


def properties_json(properties: dict[str, Any]) -> str:
    """One feature's properties as compact JSON. orjson is some 20 times faster than `json` here, the bulk of a
    page's cost; it writes NaN and infinities (not JSON) as null, and dates and times as ISO 8601 like isoformat()."""
    return orjson.dumps(properties, default=_json_default).decode("utf-8")


def _json_default(value: Any) -> Any:
    """Dates and times as ISO 8601, decimals as numbers, binary as base64: what GeoJSON clients can read."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def page_text(base_url: str | None, dataset: Dataset, number: int, pages: int, total: int, stamp: str, features: list[str]) -> str:
    """An items page: the members before `features`, so streaming readers see the counts and links first."""
    path = layout.features_page(dataset.id, number)
    to = layout.json_linker(base_url, path)
    links = [
        link("self", to(path), GEOJSON, f"Page {number} of {pages}"),
        link("collection", to(layout.collection_json(dataset.id)), JSON, dataset.title),
        link("alternate", to(layout.features_page_html(dataset.id, number)), HTML, "This page as HTML"),
        link("first", to(layout.features_page(dataset.id, 1)), GEOJSON, "First page"),
        link("last", to(layout.features_page(dataset.id, pages)), GEOJSON, "Last page"),
    ]
    if number > 1:
        links.append(link("prev", to(layout.features_page(dataset.id, number - 1)), GEOJSON, "Previous page"))
    if number < pages:
        links.append(link("next", to(layout.features_page(dataset.id, number + 1)), GEOJSON, "Next page"))
    head = {"type": "FeatureCollection", "numberMatched": total, "numberReturned": len(features), "timeStamp": stamp, "links": links}
    return _dumps(head)[:-1] + ',"features":[' + ",".join(features) + "]}\n"


def _write_singles(base_url: str | None, dataset: Dataset, fids: list[int], features: list[str], out: OutputTree) -> None:
    for fid, text in zip(fids, features):
        path = layout.feature_json(dataset.id, str(fid))
        to = layout.json_linker(base_url, path)
        links = [
            link("self", to(path), GEOJSON, "This feature"),
            link("collection", to(layout.collection_json(dataset.id)), JSON, dataset.title),
            link("alternate", to(layout.feature_html(dataset.id, str(fid))), HTML, "This feature as HTML"),
        ]
        out.write_text(path, text[:-1] + ',"links":' + _dumps(links) + "}\n", OWNER)


def _write_html(catalogue: Catalogue, dataset: Dataset, out: OutputTree, rows: pa.Table, attributes: list[str], paging: tuple[int, int, int, bool]) -> None:
    """The HTML twins of one page (and of its features' documents), from the rows in hand: nothing is re-read."""
    number, total, page_size, singles = paging
    ids, properties = rows.column(FID), rows.select(attributes)
    html_features.write_items_page(catalogue, dataset, out, number, total, page_size, ids, properties, singles)
    if singles:
        for feature in zip(ids.to_pylist(), properties.to_pylist()):
            html_features.write_feature_page(catalogue, dataset, out, feature)


def queryables(catalogue: Catalogue, dataset: Dataset, data: VectorTable) -> dict[str, Any]:
    """JSON Schema of the features' properties (OGC API Features Part 3 style), from the Arrow types."""
    path = layout.queryables_json(dataset.id)
    properties: dict[str, Any] = {"geometry": {"format": _geometry_format(data.geometry_types), "x-ogc-role": "primary-geometry"}}
    schema = data.table.schema
    for name in data.attributes:
        properties[name] = {"title": name, **_json_type(schema.field(name).type)}
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": layout.absolute(catalogue.base_url, path),
           "type": "object", "title": dataset.title, "properties": properties}
    return {k: v for k, v in doc.items() if v is not None}


def _geometry_format(geometry_types: list[str]) -> str:
    """The Part 3 geometry formats, e.g. geometry-polygon, geometry-polygon-or-multipolygon, geometry-any."""
    bases = {t.removesuffix(" Z").lower() for t in geometry_types}
    if len(bases) == 1:
        return f"geometry-{bases.pop()}"
    single = next((b for b in bases if "multi" + b in bases), None)
    return f"geometry-{single}-or-multi{single}" if single and len(bases) == 2 else "geometry-any"


def _json_type(arrow_type: pa.DataType) -> dict[str, Any]:
    if pa.types.is_boolean(arrow_type):
        return {"type": "boolean"}
    if pa.types.is_integer(arrow_type):
        return {"type": "integer"}
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return {"type": "number"}
    if pa.types.is_timestamp(arrow_type):
        return {"type": "string", "format": "date-time"}
    if pa.types.is_date(arrow_type):
        return {"type": "string", "format": "date"}
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return {"type": "array"}
    return {"type": "string"}
