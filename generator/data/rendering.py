"""How raster values become RGBA pixels for web-map tiles and the thumbnail: one style per dataset.

The defaults follow what QGIS does when it first opens a raster: RGB(A) 8-bit imagery shows as is; a palette
raster shows its palette; other multi-band imagery shows bands red/green/blue (by colour interpretation, else
1/2/3) stretched between the 2nd and 98th percentiles; a single band shows as a grey ramp over the same
percentile range. The YAML `raster:` section overrides bands, range and ramp.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from rasterio.enums import ColorInterp

from generator.model import Legend, LegendCategory

SAMPLE_SIZE = 1024
"""Percentiles are computed on a decimated read (COG overviews) at most this many pixels wide: cheap, bounded."""

RAMPS: dict[str, tuple[str, ...]] = {
    "greys": ("#000000", "#ffffff"),
    "viridis": ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"),
    "terrain": ("#1f5f8b", "#3a8f4a", "#a6c36f", "#e9dc9a", "#b8916a", "#8c6d55", "#ffffff"),
    "blue-red": ("#2c5fa8", "#8fb6d9", "#f2f2f2", "#e5907a", "#b2202f"),
}
"""Named colour ramps, low to high. Viridis is perceptually uniform and colour-blind safe; the others are plain."""


@dataclass(frozen=True)
class Style:
    """Picklable (it travels to the tile workers): bands to read and how to turn their values into colour."""

    bands: tuple[int, ...]
    ranges: tuple[tuple[float, float], ...] | None  # per band linear stretch to 0..255; None: already 8-bit colour
    lut: np.ndarray | None  # (N, 4) uint8: palette by value, or ramp by stretched 0..255 index
    categorical: bool


def plan_style(sources: list, options: dict[str, Any], categorical: bool) -> Style:
    """The style for the open rasters `sources` (one, or a sample of a mosaic's files, alike in bands) given
    the YAML `raster:` options (bands, range, ramp); percentiles are taken over all of them."""
    src = sources[0]
    bands = tuple(options.get("bands") or default_bands(src))
    if len(bands) == 1 and src.colorinterp[bands[0] - 1] == ColorInterp.palette and "ramp" not in options:
        return Style(bands, None, palette_lut(src.colormap(bands[0])), True)
    passthrough = src.dtypes[bands[0] - 1] == "uint8" and len(bands) >= 3 and "range" not in options
    ranges = None if passthrough else _ranges(sources, bands, options.get("range"))
    lut = ramp_lut(options.get("ramp", "greys")) if len(bands) == 1 else None
    return Style(bands, ranges, lut, categorical)


def default_bands(src) -> tuple[int, ...]:
    """Red/green/blue by colour interpretation, else the first three non-alpha bands, else the first band."""
    interp = list(src.colorinterp)
    rgb = [ColorInterp.red, ColorInterp.green, ColorInterp.blue]
    if all(c in interp for c in rgb):
        return tuple(interp.index(c) + 1 for c in rgb)
    data_bands = [i + 1 for i, c in enumerate(interp) if c != ColorInterp.alpha]
    return tuple(data_bands[:3]) if len(data_bands) >= 3 else (data_bands[0],)


def _ranges(sources: list, bands: tuple[int, ...], declared: list[float] | None) -> tuple[tuple[float, float], ...]:
    if declared:
        return tuple((float(declared[0]), float(declared[1])) for _ in bands)
    size = max(64, round(SAMPLE_SIZE / math.sqrt(len(sources))))
    samples = [list(sample_values(src, bands, size)) for src in sources]
    return tuple(percentile_range(np.concatenate([per_source[i] for per_source in samples])) for i in range(len(bands)))


def sample_values(src, bands: tuple[int, ...], size: int = SAMPLE_SIZE) -> Iterator[np.ndarray]:
    """Valid values of each band from a decimated read (uses the COG's overviews), one band at a time so a
    NetCDF with hundreds of time steps as bands does not fill memory."""
    scale = max(1.0, max(src.width, src.height) / size)
    shape = (max(1, round(src.height / scale)), max(1, round(src.width / scale)))
    for band in bands:
        yield np.asarray(src.read(band, out_shape=shape, masked=True).compressed(), dtype="float64")


def percentile_range(values: np.ndarray) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (0.0, 1.0)
    low, high = (float(v) for v in np.percentile(values, [2, 98]))
    return (low, high) if high > low else (low, low + 1.0)


def palette_lut(colormap: dict[int, tuple[int, ...]]) -> np.ndarray:
    lut = np.zeros((max(colormap) + 1, 4), dtype="uint8")
    for value, colour in colormap.items():
        lut[value] = colour[:4] if len(colour) >= 4 else (*colour[:3], 255)
    return lut


def ramp_lut(ramp: str | list[str]) -> np.ndarray:
    """256 RGBA colours interpolated between the ramp's stops."""
    stops = np.array([_rgb(c) for c in (RAMPS[ramp] if isinstance(ramp, str) else ramp)], dtype="float64")
    positions = np.linspace(0, 255, len(stops))
    channels = [np.interp(np.arange(256), positions, stops[:, i]) for i in range(3)]
    return np.column_stack([*channels, np.full(256, 255.0)]).round().astype("uint8")


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def to_rgba(data: np.ndarray, valid: np.ndarray, style: Style) -> np.ndarray:
    """(bands, h, w) values and an (h, w) validity mask -> (h, w, 4) uint8 RGBA; invalid pixels transparent."""
    valid = valid & np.all(np.isfinite(data), axis=0) if data.dtype.kind == "f" else valid
    if style.lut is not None and style.ranges is None:
        rgba = style.lut[np.clip(data[0], 0, len(style.lut) - 1).astype("int64")]
    else:
        scaled = _stretch(data, style.ranges) if style.ranges else data.astype("uint8")
        rgba = style.lut[scaled[0]] if style.lut is not None else _rgb_planes(scaled)
    rgba = rgba.copy()
    rgba[..., 3] = np.where(valid, rgba[..., 3], 0)
    return rgba


def _stretch(data: np.ndarray, ranges: tuple[tuple[float, float], ...]) -> np.ndarray:
    out = np.empty(data.shape, dtype="uint8")
    for i, (low, high) in enumerate(ranges):
        scaled = (data[i].astype("float64") - low) * (255.0 / (high - low))
        out[i] = np.clip(np.nan_to_num(scaled, nan=0.0), 0, 255).round().astype("uint8")
    return out


def _rgb_planes(scaled: np.ndarray) -> np.ndarray:
    rgb = np.repeat(scaled[:1], 3, axis=0) if scaled.shape[0] < 3 else scaled[:3]
    return np.dstack([*rgb, np.full(rgb.shape[1:], 255, dtype="uint8")])


MAX_CATEGORIES = 64
"""A legend lists at most this many classes; a categorical band with more distinct values shows its ramp instead."""


def legend(style: Style, src, options: dict[str, Any], names: list[str], units: tuple) -> Legend | None:
    """How to read the colours of a single colour-mapped band: its classes (a palette, or class codes) or its
    ramp between the stretched range's ends. RGB imagery has no legend: its colours are the data."""
    if len(style.bands) != 1 or style.lut is None:
        return None
    band = style.bands[0]
    title = _legend_title(src, band, units)
    named = [code for code, name in enumerate(names) if name]
    if style.ranges is None or style.categorical:
        codes = named or _present_values(src, band)
        if 0 < len(codes) <= MAX_CATEGORIES:
            classes = (LegendCategory(code, _label(code, names), _hex(style.lut[_lut_index(code, style)])) for code in codes)
            return Legend(title, categories=tuple(c for c in classes if c.color))
    if style.ranges is None:
        return None  # a palette raster with more classes than a legend can list
    low, high = style.ranges[0]
    return Legend(title, colors=tuple(_ramp_stops(options.get("ramp", "greys"))), minimum=low, maximum=high)


def legend_metadata(legend: Legend) -> dict[str, Any]:
    """The legend as map clients read it from the PMTiles metadata: a ramp, or items with colours and labels."""
    if legend.categories:
        return {"title": legend.title, "items": [{"value": c.value, "color": c.color, "label": c.label} for c in legend.categories]}
    return {"title": legend.title, "colors": list(legend.colors), "min": legend.minimum, "max": legend.maximum}


def _legend_title(src, band: int, units: tuple) -> str:
    name = src.descriptions[band - 1] or f"Band {band}"
    unit = units[band - 1] if band <= len(units) else None
    return f"{name} ({unit})" if unit else name


def _present_values(src, band: int) -> list[float]:
    """The distinct values of a decimated read (nearest overviews keep class codes), when few enough to list."""
    values = np.unique(next(sample_values(src, (band,))))
    values = values[np.isfinite(values)]
    return [float(v) for v in values] if len(values) <= MAX_CATEGORIES else []


def _lut_index(value: float, style: Style) -> int:
    """The colour table row that `to_rgba` uses for `value`."""
    if style.ranges is None:
        return int(min(max(value, 0), len(style.lut) - 1))
    low, high = style.ranges[0]
    return int(round(min(max((value - low) * 255.0 / (high - low), 0), 255)))


def _label(value: float, names: list[str]) -> str:
    code = int(value)
    if code == value and 0 <= code < len(names) and names[code]:
        return names[code]
    return f"{value:g}"


def _hex(rgba: np.ndarray) -> str:
    """#rrggbb of an opaque enough colour; empty for a transparent one (not drawn, so not in the legend)."""
    return "#%02x%02x%02x" % tuple(int(c) for c in rgba[:3]) if rgba[3] > 0 else ""


def _ramp_stops(ramp: str | list[str]) -> list[str]:
    return [c.lower() for c in (RAMPS[ramp] if isinstance(ramp, str) else ramp)]
