"""Raster web-map tiles (WebMercatorQuad) in one PMTiles archive, rendered from the COG on every core.

Tiles are WebP. Lossy WebP (quality 85) is 3-5x smaller than PNG for imagery and continuous colour ramps with
no visible difference, so maps load faster from a static host; palette/categorical rasters are encoded as
lossless WebP so class colours stay exact (still smaller than PNG). WebP's alpha channel is always stored
losslessly, so nodata stays exactly transparent. Every current browser and MapLibre/Leaflet/OpenLayers decode it.

Each tile is read through a WarpedVRT of the COG overview whose resolution is just finer than the tile's, so
a tile costs about the same at every zoom and memory stays bounded by a few tiles per worker, whatever the
raster's size. Resampling is nearest neighbour (rio-tiler's default too): the overviews are already averaged,
so it rarely shows, palette codes stay codes, and GDAL's bilinear warp with nodata measured 6-10x slower.
Tiles are rendered in batches by a process pool (GDAL and numpy release the GIL only in part) and written in
tile-id order, so the archive is clustered. Fully transparent tiles are left out.
"""

from __future__ import annotations

import io
import math
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, NamedTuple

import mercantile
import numpy as np
import rasterio
from affine import Affine
from PIL import Image
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from rasterio.enums import ColorInterp, Resampling
from rasterio.transform import from_bounds
from rasterio.vrt import WarpedVRT

from generator import geo
from generator.data.rendering import Style, to_rgba
from generator.model import BBox

TILE_SIZE = 256
EARTH_CIRCUMFERENCE = 2 * math.pi * 6378137.0
MAX_LATITUDE = 85.0511287798066
MAX_ZOOM = 24
BATCH = 32
WORKER_CACHE_MB = 256
POOL_THRESHOLD = 256
"""Below this many tiles, starting worker processes (~0.8 s) costs more than it saves (~5 ms a tile)."""


def zoom_range(bbox: BBox, pixel: float, options: dict[str, Any]) -> tuple[int, int]:
    """Max zoom: the zoom whose pixel size is nearest the raster's (`pixel`, web-mercator metres); min zoom:
    where the whole box fits in about one tile. Both overridable (`tiles:` in the YAML)."""
    native = math.log2(EARTH_CIRCUMFERENCE / (TILE_SIZE * pixel))
    maxzoom = int(options.get("maxzoom", min(MAX_ZOOM, max(0, round(native)))))
    west, south, east, north = _mercator_box(bbox)
    span = max(((east - west) % 360 or 360) / 360 * EARTH_CIRCUMFERENCE, mercantile.xy(0, north)[1] - mercantile.xy(0, south)[1])
    levels = math.ceil(math.log2(max(span / pixel, TILE_SIZE) / TILE_SIZE))
    minzoom = int(options.get("minzoom", max(0, min(maxzoom, round(native) - levels))))
    return min(minzoom, maxzoom), maxzoom


def pixel_size(bbox: BBox, width: int, height: int) -> float:
    """A raster's pixel size in web-mercator metres: the finer of its two axes over its box (CRS84)."""
    west, south, east, north = _mercator_box(bbox)
    x_size = ((east - west) % 360 or 360) / 360 * EARTH_CIRCUMFERENCE / width
    y_size = (mercantile.xy(0, north)[1] - mercantile.xy(0, south)[1]) / height
    return min(x_size, y_size) if y_size > 0 else x_size


def _mercator_box(bbox: BBox) -> BBox:
    west, south, east, north = bbox
    return (west, max(south, -MAX_LATITUDE), east, min(north, MAX_LATITUDE))


def tiles_for_zoom(bbox: BBox, zoom: int) -> list[mercantile.Tile]:
    """The zoom's tiles covering the box, in PMTiles tile-id (Hilbert) order."""
    west, south, east, north = _mercator_box(bbox)
    tiles = {*mercantile.tiles(west, south, east, north, zooms=[zoom])}
    return sorted(tiles, key=lambda t: zxy_to_tileid(t.z, t.x, t.y))


class Layer(NamedTuple):
    """One COG of the mosaic (a single-file dataset has one)."""

    cog: Path
    pixel: float  # web-mercator metres
    wrap: bool  # longitudes run past 180° (0-360°): tiles west of 180° also read it shifted by -360°
    bbox: BBox  # CRS84, to skip it for tiles it does not touch


def layer(cog: Path, bbox: BBox) -> Layer:
    with rasterio.open(cog) as src:
        wrap = beyond_antimeridian(src)
        return Layer(cog, pixel_size(bbox, src.width, src.height), wrap, bbox)


def beyond_antimeridian(src) -> bool:
    """A longitude/latitude grid running past 180° east (0-360° longitudes, common in climate NetCDF)."""
    return bool(src.crs and src.crs.is_geographic and src.bounds.right > 180 + abs(src.res[0]) / 2)


def write_archive(layers: list[Layer], archive: Path, bbox: BBox, zooms: tuple[int, int], style: Style, metadata: dict[str, Any]) -> int:
    """Render and write every tile of the mosaic of `layers` (later ones on top); return how many tiles are
    not empty."""
    minzoom, maxzoom = zooms
    batches = list(_batches(bbox, minzoom, maxzoom))
    written = 0
    with open(archive, "wb") as handle:
        writer = Writer(handle)
        for results in _render_all((layers, style), batches):
            for tile_id, data in results:
                if data is not None:
                    writer.write_tile(tile_id, data)
                    written += 1
        if written == 0:
            writer.write_tile(zxy_to_tileid(minzoom, *_first_tile(bbox, minzoom)), _empty_tile())
        writer.finalize(_header(bbox, minzoom, maxzoom), metadata)
    return written


def _batches(bbox: BBox, minzoom: int, maxzoom: int) -> Iterator[list[tuple[int, int, int]]]:
    for zoom in range(minzoom, maxzoom + 1):
        tiles = tiles_for_zoom(bbox, zoom)
        for start in range(0, len(tiles), BATCH):
            yield [(t.z, t.x, t.y) for t in tiles[start : start + BATCH]]


def _render_all(setup: tuple, batches: list[list[tuple[int, int, int]]]) -> Iterator[list[tuple[int, bytes | None]]]:
    """Batches rendered in order; in a process pool when there are enough tiles, with few batches in flight."""
    workers = os.cpu_count() or 1
    if sum(len(b) for b in batches) < POOL_THRESHOLD or workers < 2:
        _init_worker(*setup)
        yield from (render_batch(batch) for batch in batches)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init_pool_worker, initargs=setup) as pool:
        pending: deque[Future] = deque()
        for batch in batches:
            pending.append(pool.submit(render_batch, batch))
            if len(pending) >= 4 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


_WORKER: dict[str, Any] = {}
"""Per-process state: the style, the layers, and each COG opened at each overview level, reused across tiles."""


def _init_pool_worker(*setup: Any) -> None:
    """A fresh process (spawned: forking a process that has GDAL threads can deadlock) with a modest block cache."""
    os.environ.setdefault("GDAL_CACHEMAX", str(WORKER_CACHE_MB))
    _init_worker(*setup)


def _init_worker(layers: list[Layer], style: Style) -> None:
    for dataset in _WORKER.get("open", {}).values():
        dataset.close()
    factors = {}
    for item in layers:
        with rasterio.open(item.cog) as src:
            factors[item.cog] = [1, *src.overviews(1)]
    _WORKER.update(layers=layers, style=style, factors=factors, open={})


def render_batch(batch: list[tuple[int, int, int]]) -> list[tuple[int, bytes | None]]:
    return [(zxy_to_tileid(z, x, y), render_tile(z, x, y)) for z, x, y in batch]


def render_tile(z: int, x: int, y: int) -> bytes | None:
    """One tile as WebP, or None when it has no valid pixel."""
    style: Style = _WORKER["style"]
    transform = from_bounds(*mercantile.xy_bounds(x, y, z), TILE_SIZE, TILE_SIZE)
    data, valid = None, np.zeros((TILE_SIZE, TILE_SIZE), dtype=bool)
    for item in reversed(_WORKER["layers"]):
        if valid.all() or not (item.wrap or geo.boxes_touch(item.bbox, tuple(mercantile.bounds(x, y, z)), 0.0)):
            continue
        source = _source_for(item, z)
        shifts = (source.transform, Affine.translation(-360, 0) @ source.transform) if item.wrap else (source.transform,)
        for src_transform in shifts:
            more, more_valid = _warp(source, transform, src_transform, style)
            data = more if data is None else np.where(valid, data, more)
            valid = valid | more_valid
    if not valid.any():
        return None
    return encode_webp(to_rgba(data, valid, style), lossless=style.categorical)


def _warp(source, transform: Affine, src_transform: Affine, style: Style) -> tuple[np.ndarray, np.ndarray]:
    """The style's bands warped onto one tile, and where they are valid (the warper's alpha: nodata, mask and
    outside the raster all count as invalid)."""
    interp = list(source.colorinterp)
    alpha = interp.index(ColorInterp.alpha) + 1 if ColorInterp.alpha in interp else source.count + 1
    options = {"crs": "EPSG:3857", "transform": transform, "width": TILE_SIZE, "height": TILE_SIZE, "src_transform": src_transform}
    with WarpedVRT(source, resampling=Resampling.nearest, add_alpha=alpha > source.count, **options) as vrt:
        return vrt.read(list(style.bands)), vrt.read(alpha) > 0


def _source_for(item: Layer, zoom: int):
    """The COG overview whose pixels are the coarsest still finer than this zoom's (GDAL warps don't pick one)."""
    ratio = EARTH_CIRCUMFERENCE / (TILE_SIZE * 2**zoom) / item.pixel
    level = max(i for i, factor in enumerate(_WORKER["factors"][item.cog]) if factor <= max(ratio, 1))
    key = (item.cog, level)
    if key not in _WORKER["open"]:
        _WORKER["open"][key] = rasterio.open(item.cog, **({"overview_level": level - 1} if level else {}))
    return _WORKER["open"][key]


def encode_webp(rgba: np.ndarray, lossless: bool) -> bytes:
    image = Image.fromarray(rgba, "RGBA")
    if rgba[..., 3].min() == 255:
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", lossless=lossless, quality=85 if not lossless else 60, method=4)  # libwebp's default effort
    return buffer.getvalue()


def _empty_tile() -> bytes:
    return encode_webp(np.zeros((TILE_SIZE, TILE_SIZE, 4), dtype="uint8"), lossless=True)


def _first_tile(bbox: BBox, zoom: int) -> tuple[int, int]:
    tile = tiles_for_zoom(bbox, zoom)[0]
    return tile.x, tile.y


def _header(bbox: BBox, minzoom: int, maxzoom: int) -> dict[str, Any]:
    west, south, east, north = _mercator_box(bbox)
    if west > east:  # crosses 180°: PMTiles bounds cannot say so, so claim every longitude
        west, east = -180.0, 180.0
    centre_lon = (west + east) / 2
    return {
        "tile_type": TileType.WEBP,
        "tile_compression": Compression.NONE,
        "min_zoom": minzoom,
        "max_zoom": maxzoom,
        "min_lon_e7": round(west * 1e7),
        "min_lat_e7": round(south * 1e7),
        "max_lon_e7": round(east * 1e7),
        "max_lat_e7": round(north * 1e7),
        "center_zoom": min(maxzoom, max(minzoom, (minzoom + maxzoom) // 2)),
        "center_lon_e7": round(centre_lon * 1e7),
        "center_lat_e7": round((south + north) / 2 * 1e7),
    }
