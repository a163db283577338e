"""Deterministic synthetic data for the data benchmarks, each as a one-dataset geosite source folder.

Points cluster around towns over Europe (most data is clustered; uniform noise would flatter every tiler), with
a text, a category, a float and an integer attribute. Polygons are small irregular parcels around the same kind
of clusters. The raster is 8-bit RGB imagery in UTM at 10 m, smooth structure plus sensor-like noise, so that it
compresses like imagery rather than like a constant. Every file is written in chunks (memory stays bounded) from
seeded generators, once: a folder with a `.complete` marker is reused.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import rasterio
import shapely
import yaml
from rasterio.transform import from_origin
from rasterio.windows import Window

from benchmarks.prepared import finish, fresh, prepared
from generator.data import cog as cogs

CHUNK = 500_000
EUROPE = (-10.0, 35.0, 30.0, 60.0)
CATEGORIES = np.array(["residential", "commercial", "industrial", "agricultural", "forest", "water", "transport", "other"])
CATALOGUE = {"title": "Data benchmarks", "description": "Synthetic data for geosite's benchmarks.",
             "base_url": "https://bench.example.org/",
             "publisher": {"name": "geosite benchmarks", "url": "https://example.org/"}, "license": "CC0-1.0"}


def start(root: Path, dataset: dict) -> Path:
    """A fresh source folder with its YAML; returns the dataset's folder, where the data file goes."""
    folder = fresh(root) / "datasets" / "data"
    folder.mkdir(parents=True)
    (root / "catalogue.yaml").write_text(yaml.safe_dump(CATALOGUE, sort_keys=False), encoding="utf-8")
    (folder / "dataset.yaml").write_text(yaml.safe_dump(dataset, sort_keys=False), encoding="utf-8")
    return folder


def points(root: Path, count: int, maxzoom: int) -> Path:
    """A FlatGeobuf of `count` clustered points; returns the source folder."""
    if prepared(root):
        return root
    folder = start(root, _vector_yaml(f"{count} synthetic points", "points.fgb", maxzoom))
    rng = np.random.default_rng(20240601)
    centres, spreads = _clusters(rng, 400)
    chunks = (shapely.points(_clustered(rng, centres, spreads, size)) for size in _chunks(count))
    _write(folder / "points.fgb", chunks, rng, "Point")
    return finish(root)


def polygons(root: Path, count: int, maxzoom: int) -> Path:
    """A FlatGeobuf of `count` irregular parcels (6 to 24 vertices, 100 m to 1.5 km across)."""
    if prepared(root):
        return root
    folder = start(root, _vector_yaml(f"{count} synthetic parcels", "parcels.fgb", maxzoom))
    rng = np.random.default_rng(20240602)
    centres, spreads = _clusters(rng, 300)
    chunks = (_parcels(rng, _clustered(rng, centres, spreads, size)) for size in _chunks(count))
    _write(folder / "parcels.fgb", chunks, rng, "Polygon")
    return finish(root)


def _vector_yaml(title: str, filename: str, maxzoom: int) -> dict:
    """The maximum zoom is set so that geosite, tippecanoe and GDAL all tile the same zooms."""
    return {"title": title, "description": f"{title} for the benchmarks.", "license": "CC0-1.0",
            "source": filename, "tiles": {"maxzoom": maxzoom}}


def _clusters(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    west, south, east, north = EUROPE
    centres = np.column_stack([rng.uniform(west, east, count), rng.uniform(south, north, count)])
    return centres, rng.lognormal(np.log(0.08), 0.8, count)


def _clustered(rng: np.random.Generator, centres: np.ndarray, spreads: np.ndarray, size: int) -> np.ndarray:
    """90% of locations near a cluster centre (bigger clusters drawn more often), 10% anywhere in the box."""
    weights = spreads / spreads.sum()
    which = rng.choice(len(centres), size, p=weights)
    xy = centres[which] + rng.normal(0, 1, (size, 2)) * spreads[which, None]
    west, south, east, north = EUROPE
    background = rng.random(size) < 0.1
    xy[background] = np.column_stack([rng.uniform(west, east, background.sum()), rng.uniform(south, north, background.sum())])
    return xy


def _parcels(rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    """Star-shaped rings (sorted angles, so always valid) as one ragged array."""
    sides = rng.integers(6, 25, len(centres))
    ring_sizes = sides + 1
    ends = np.cumsum(ring_sizes)
    owner = np.repeat(np.arange(len(centres)), ring_sizes)
    position = np.arange(ends[-1]) - np.repeat(ends - ring_sizes, ring_sizes)
    step = 2 * np.pi / sides[owner]
    angle = (position % sides[owner]) * step + rng.uniform(0, 0.5, len(owner)) * step
    radius = rng.uniform(0.0005, 0.007, len(centres))[owner] * rng.uniform(0.6, 1.0, len(owner))
    closing = position == sides[owner]
    angle[closing], radius[closing] = angle[np.flatnonzero(closing) - sides], radius[np.flatnonzero(closing) - sides]
    coords = centres[owner] + np.column_stack([np.cos(angle), np.sin(angle)]) * radius[:, None]
    offsets = (np.concatenate([[0], ends]), np.arange(len(centres) + 1))
    return shapely.from_ragged_array(shapely.GeometryType.POLYGON, coords, offsets)


def _chunks(count: int) -> Iterator[int]:
    yield from (min(CHUNK, count - offset) for offset in range(0, count, CHUNK))


def _write(path: Path, chunks: Iterator[np.ndarray], rng: np.random.Generator, geometry_type: str) -> None:
    """One FlatGeobuf (with its spatial index, as published files have) streamed from chunks of geometries."""
    batches = (_batch(geometries, rng) for geometries in chunks)
    first = next(batches)
    reader = pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], batches))
    pyogrio.write_arrow(reader, path, driver="FlatGeobuf", geometry_name="geometry", geometry_type=geometry_type, crs="EPSG:4326")


def _batch(geometries: np.ndarray, rng: np.random.Generator) -> pa.RecordBatch:
    size = len(geometries)
    names = pc.cast(pa.array(rng.integers(0, 10_000_000, size)), pa.string())
    return pa.RecordBatch.from_pydict({
        "name": pc.binary_join_element_wise("site ", names, ""),
        "category": pa.array(CATEGORIES[rng.integers(0, len(CATEGORIES), size)]),
        "value": pa.array(np.round(rng.gamma(2.0, 50.0, size), 2)),
        "count": pa.array(rng.integers(0, 1000, size, dtype=np.int32)),
        "geometry": pa.array(shapely.to_wkb(geometries), type=pa.binary()),
    })


RASTER_CRS = "EPSG:32632"
PIXEL = 10.0
STRIP = 512


def imagery(root: Path, size: int) -> Path:
    """A `size` × `size` RGB GeoTIFF (uncompressed, like a scene straight from a processor), written in strips."""
    if prepared(root):
        return root
    folder = start(root, {"title": f"{size} × {size} synthetic imagery", "description": "Synthetic RGB imagery for the benchmarks.",
                          "license": "CC0-1.0", "source": "image.tif"})
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 3, "dtype": "uint8", "crs": RASTER_CRS,
               "transform": from_origin(400_000, 5_300_000, PIXEL, PIXEL), "tiled": True, "blockxsize": 512, "blockysize": 512}
    with rasterio.open(folder / "image.tif", "w", **profile) as dst:
        for row, block in _image_strips(size):
            dst.write(block, window=Window(0, row, size, block.shape[1]))
    return finish(root)


def _image_strips(size: int) -> Iterator[tuple[int, np.ndarray]]:
    """Fields and roads at several scales plus per-pixel noise: structure that compresses like a real scene."""
    x = np.arange(size, dtype=np.float32)
    for row in range(0, size, STRIP):
        rng = np.random.default_rng(row)
        y = np.arange(row, min(row + STRIP, size), dtype=np.float32)[:, None]
        field = np.sin(x / 310 + np.sin(y / 530)) + np.cos(y / 270 - x / 900) + 0.5 * np.sin((x + y) / 45)
        parcels = ((np.floor(x / 173) * 7 + np.floor(y / 131) * 13) % 11) / 11
        noise = rng.normal(0, 1, (3, len(y), size)).astype(np.float32)
        bands = [90 + 35 * field + 40 * parcels, 110 + 30 * field - 25 * parcels, 70 + 20 * field + 30 * parcels]
        yield row, np.stack([np.clip(b + 6 * n, 0, 255) for b, n in zip(bands, noise)]).astype(np.uint8)


def cog_folder(root: Path, image: Path) -> Path:
    """A source folder whose data is `image` written as geosite's COG: the input of both raster tilers."""
    if prepared(root):
        return root
    folder = start(root, {"title": "Synthetic imagery COG", "description": "The benchmark imagery as a COG.",
                          "license": "CC0-1.0", "source": "image.tif"})
    with rasterio.open(image) as src:
        cogs.write_cog(src, folder / "image.tif", cogs.is_categorical(src))
    return finish(root)
