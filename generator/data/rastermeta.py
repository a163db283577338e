"""What a published raster is, in the vocabularies clients read: STAC projection/raster fields and OGC coverage.

STAC raster extension v1.1.0 (`raster:bands` on the asset) rather than v2.0.0 (STAC 1.1 `bands`): it is what
the tools that open COGs from STAC read today (stackstac, odc-stac, titiler, QGIS's STAC browser), and it still
validates inside STAC 1.1 documents. Statistics come from a decimated read of the COG (its overviews), so they
cost little on any size of raster; on rasters under 1024 px they are exact.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pyproj import CRS

from generator.data.rendering import SAMPLE_SIZE, sample_values

PROJECTION_EXTENSION = "https://stac-extensions.github.io/projection/v2.0.0/schema.json"
RASTER_EXTENSION = "https://stac-extensions.github.io/raster/v1.1.0/schema.json"
REL_COVERAGE = "http://www.opengis.net/def/rel/ogc/1.0/coverage"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_CONFIDENCE = 90


def epsg_code(src) -> int | None:
    """The EPSG code when the CRS really is one (custom WKT CRSs have none)."""
    return src.crs.to_epsg(confidence_threshold=EPSG_CONFIDENCE) if src.crs else None


def crs_label(src) -> str:
    code = epsg_code(src)
    return f"EPSG:{code}" if code else CRS.from_wkt(src.crs.to_wkt()).name


def crs_uri(src) -> str | None:
    code = epsg_code(src)
    return f"http://www.opengis.net/def/crs/EPSG/0/{code}" if code else None


def projection_fields(src) -> dict[str, Any]:
    """proj:code (or proj:wkt2 when there is no code), shape, transform and bbox in the raster's own CRS."""
    code = epsg_code(src)
    fields: dict[str, Any] = {"proj:code": f"EPSG:{code}" if code else None}
    if not code:
        fields["proj:wkt2"] = CRS.from_wkt(src.crs.to_wkt()).to_wkt()
    fields["proj:shape"] = [src.height, src.width]
    fields["proj:transform"] = [_number(v) for v in list(src.transform)[:6]]
    fields["proj:bbox"] = [_number(v) for v in src.bounds]
    return fields


def raster_bands(src, units: tuple[str | None, ...]) -> list[dict[str, Any]]:
    """One `raster:bands` entry per band: data type, nodata, unit, scale/offset, sampling, statistics."""
    samples = sample_values(src, tuple(src.indexes))
    sampled_pixels = _sample_pixels(src)
    sampling = (src.tags().get("AREA_OR_POINT") or "").lower()
    bands = []
    for i, values in enumerate(samples):
        band: dict[str, Any] = {"data_type": src.dtypes[i]}
        if src.nodatavals[i] is not None:
            band["nodata"] = _nodata(src.nodatavals[i])
        if i < len(units) and units[i]:
            band["unit"] = units[i]
        if sampling in ("area", "point"):
            band["sampling"] = sampling
        if src.scales[i] != 1 or src.offsets[i] != 0:
            band.update(scale=src.scales[i], offset=src.offsets[i])
        band["spatial_resolution"] = _number(abs(src.res[0]))
        band["statistics"] = _statistics(values, sampled_pixels)
        bands.append(band)
    return bands


def _sample_pixels(src) -> int:
    scale = max(1.0, max(src.width, src.height) / SAMPLE_SIZE)
    return max(1, round(src.height / scale)) * max(1, round(src.width / scale))


def _statistics(values: np.ndarray, pixels: int) -> dict[str, float]:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return {"valid_percent": 0.0}
    return {
        "minimum": _number(values.min()),
        "maximum": _number(values.max()),
        "mean": _number(values.mean()),
        "stddev": _number(values.std()),
        "valid_percent": round(100.0 * values.size / pixels, 2),
    }


def _nodata(value: float) -> float | str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return _number(value)


def _number(value: float) -> float | int:
    """JSON-friendly: integral values as int, others as the shortest float that round-trips."""
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def range_type(src, categories: dict[int, list[str]]) -> dict[str, Any]:
    """OGC API Coverages range type: an SWE Common DataRecord with one field per band."""
    fields = []
    for i, band in enumerate(src.indexes):
        field: dict[str, Any] = {
            "type": "Category" if categories.get(band) else "Quantity",
            "name": src.descriptions[i] or f"band{band}",
            "description": f"band {band} ({src.colorinterp[i].name})",
            "encodingInfo": {"dataType": f"http://www.opengis.net/def/dataType/OGC/0/{src.dtypes[i]}"},
        }
        if src.nodatavals[i] is not None:
            field["nilValues"] = [{"value": _nodata(src.nodatavals[i]), "reason": "http://www.opengis.net/def/nil/OGC/0/missing"}]
        if categories.get(band):
            field["categories"] = [{"value": code, "label": name} for code, name in enumerate(categories[band]) if name]
        fields.append(field)
    return {"type": "DataRecord", "field": fields}


def coverage_extent(src, bbox: tuple[float, float, float, float], temporal: list[str | None] | None) -> dict[str, Any]:
    """Spatial extent in CRS84, with the grid (cell counts and sizes per axis) of the stored coverage."""
    spatial: dict[str, Any] = {
        "bbox": [[_number(round(v, 7)) for v in bbox]],
        "crs": CRS84,
        "grid": [{"cellsCount": src.width, "resolution": _number(abs(src.res[0]))}, {"cellsCount": src.height, "resolution": _number(abs(src.res[1]))}],
    }
    extent: dict[str, Any] = {"spatial": spatial}
    if temporal:
        extent["temporal"] = {"interval": [temporal]}
    return extent
