"""The data comparisons: vector PMTiles, Features pages, COG and raster PMTiles, geosite against the reference tools.

geosite's side is one real data step run as a command (`python -m benchmarks.steps`, the functions the build
calls, from reading the source to finished files); the reference is the tool a publisher would otherwise run,
with the options geosite passes to it or uses itself, on the same input file.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import rasterio

from benchmarks import data_inputs
from benchmarks.harness import Command, Comparison
from generator.data import cog as cogs
from generator.data import rastertiles, vectortiles
from generator.source.loader import load_catalogue

@dataclass(frozen=True)
class Scales:
    points: tuple[int, ...]
    polygons: int
    features: int
    raster: int
    maxzoom: int  # of the vector tiles, set in the YAML so that all three tilers make the same zooms


FULL = Scales(points=(100_000, 1_000_000, 5_000_000), polygons=250_000, features=1_000_000, raster=10_000, maxzoom=12)
QUICK = Scales(points=(20_000,), polygons=5_000, features=20_000, raster=1_000, maxzoom=8)


def comparisons(quick: bool, work: Path) -> list[Comparison]:
    """Prepare the inputs under `work/inputs` (reused when complete) and return every data comparison."""
    scales = QUICK if quick else FULL
    inputs, out = work / "inputs", work / "out"
    out.mkdir(parents=True, exist_ok=True)
    cases: list[Comparison] = []
    for count in scales.points:
        source = data_inputs.points(inputs / f"points-{count}-z{scales.maxzoom}", count, scales.maxzoom)
        cases += vector_tiles(source, out, f"{_count(count)} points", "Point", scales.maxzoom, gdal=count == scales.points[0])
    source = data_inputs.polygons(inputs / f"polygons-{scales.polygons}-z{scales.maxzoom}", scales.polygons, scales.maxzoom)
    cases += vector_tiles(source, out, f"{_count(scales.polygons)} polygons", "Polygon", scales.maxzoom)
    source = data_inputs.points(inputs / f"points-{scales.features}-z{scales.maxzoom}", scales.features, scales.maxzoom)
    cases.append(features_pages(source, out, f"{_count(scales.features)} points"))
    image = data_inputs.imagery(inputs / f"imagery-{scales.raster}", scales.raster)
    cases.append(cog(image, out, f"{scales.raster} × {scales.raster} RGB"))
    cog_source = data_inputs.cog_folder(inputs / f"imagery-{scales.raster}-cog", _data_file(image))
    cases.append(raster_tiles(cog_source, out, f"{scales.raster} × {scales.raster} RGB"))
    return cases


def _count(count: int) -> str:
    return f"{count // 1_000_000}M" if count % 1_000_000 == 0 else f"{count // 1000}k"


def _data_file(source: Path) -> Path:
    (dataset,) = load_catalogue(source).datasets
    return dataset.source.path


def _step(step: str, source: Path, output: Path) -> Command:
    return Command("geosite", [sys.executable, "-m", "benchmarks.steps", step, str(source), str(output)], output)


def vector_tiles(source: Path, out: Path, scale: str, geometry: str, maxzoom: int, gdal: bool = True) -> list[Comparison]:
    """geosite's vector tiles step against tippecanoe alone (same arguments) and, when `gdal`, against GDAL's PMTiles
    driver (which needs some 15 minutes a million points on two cores: it runs at the smallest scale only)."""
    slug = scale.replace(" ", "-")
    geosite = _step("vector-tiles", source, out / f"tiles-{slug}-geosite")
    tippecanoe = Command("tippecanoe", tippecanoe_argv(source, out / f"tiles-{slug}-tippecanoe.pmtiles", geometry, maxzoom),
                         out / f"tiles-{slug}-tippecanoe.pmtiles")
    reference = Command("GDAL PMTiles", [sys.executable, "-m", "benchmarks.reference", "pmtiles", str(_data_file(source)),
                                    str(out / f"tiles-{slug}-gdal.pmtiles"), str(maxzoom)], out / f"tiles-{slug}-gdal.pmtiles")
    cases = [Comparison("Vector PMTiles vs tippecanoe", scale, geosite, tippecanoe, 1.2, NOTES["tippecanoe"])]
    return cases + ([Comparison("Vector PMTiles vs GDAL", scale, geosite, reference, None, NOTES["gdal-pmtiles"])] if gdal else [])


def tippecanoe_argv(source: Path, output: Path, geometry: str, maxzoom: int) -> list[str]:
    """The arguments geosite gives tippecanoe (vectortiles.tippecanoe_command), reading the source file itself."""
    (dataset,) = load_catalogue(source).datasets
    arguments = vectortiles.tippecanoe_command(dataset, SimpleNamespace(geometry_types=[geometry]), maxzoom)
    arguments[arguments.index(vectortiles.ARCHIVE)] = str(output)
    arguments[-1] = f"--named-layer={dataset.id}:{dataset.source.path}"
    return [vectortiles.tippecanoe_binary(), *arguments]


def features_pages(source: Path, out: Path, scale: str) -> Comparison:
    geosite = _step("features", source, out / "features-geosite")
    gdal = Command("GDAL GeoJSON", [sys.executable, "-m", "benchmarks.reference", "geojson", str(_data_file(source)),
                                    str(out / "features-gdal.geojson")], out / "features-gdal.geojson")
    return Comparison("Features pages vs one GeoJSON", scale, geosite, gdal, 1.5, NOTES["features"])


def cog(source: Path, out: Path, scale: str) -> Comparison:
    """geosite's COG step against `rio cogeo create` with geosite's profile, overviews and GDAL settings."""
    image = _data_file(source)
    with rasterio.open(image) as src:
        profile = cogs.cog_profile(src.dtypes[0], cogs.is_categorical(src), src.count)
        level = cogs.overview_level(src.width, src.height)
    options = [item for key, value in profile.items() if key != "driver" for item in ("--co", f"{key.upper()}={value}")]
    config = [item for key, value in cogs.GDAL_CONFIG.items() if key != "GDAL_NUM_THREADS" for item in ("--config", f"{key}={value}")]
    argv = [_rio(), "cogeo", "create", str(image), str(out / "cog-rio.tif"), "--cog-profile", "deflate", *options, *config,
            "--overview-level", str(level), "--overview-resampling", "average", "--threads", "ALL_CPUS", "--forward-band-tags", "-q"]
    reference = Command("rio cogeo create", argv, out / "cog-rio.tif")
    return Comparison("COG", scale, _step("cog", source, out / "cog-geosite"), reference, 1.1, NOTES["cog"])


def raster_tiles(source: Path, out: Path, scale: str) -> Comparison:
    """geosite's raster tiles from a COG against rio-pmtiles from the same COG, same zooms, WebP at quality 85."""
    (dataset,) = load_catalogue(source).datasets
    layer = rastertiles.layer(dataset.source.path, dataset.source.bbox)
    minzoom, maxzoom = rastertiles.zoom_range(dataset.source.bbox, layer.pixel, {})
    geosite = _step("raster-tiles", source, out / "raster-tiles-geosite")
    if importlib.util.find_spec("rio_pmtiles") is None:
        note = "rio-pmtiles is not installed (it is in the `bench` extra: pip install -e '.[bench]'): geosite alone."
        return Comparison("Raster PMTiles vs rio-pmtiles", scale, geosite, None, 0.67, note)
    argv = [_rio(), "pmtiles", str(dataset.source.path), str(out / "raster-tiles-rio.pmtiles"), "--format", "WEBP",
            "--tile-size", "256", "--zoom-levels", f"{minzoom}..{maxzoom}", "--resampling", "nearest",
            "-j", str(os.cpu_count() or 1), "--co", "QUALITY=85", "--silent"]
    reference = Command("rio pmtiles", argv, out / "raster-tiles-rio.pmtiles")
    return Comparison("Raster PMTiles vs rio-pmtiles", scale, geosite, reference, 0.67, NOTES["raster-tiles"])


def _rio() -> str:
    """rasterio's `rio` command from this Python's environment (rio-cogeo and rio-pmtiles are its plugins)."""
    beside = Path(sys.executable).with_name("rio")
    found = str(beside) if beside.is_file() else shutil.which("rio")
    if not found:
        raise RuntimeError("the `rio` command of rasterio is not installed in this environment")
    return found


NOTES = {
    "tippecanoe": (
        "geosite runs this same tippecanoe with these same arguments, so the difference is geosite's own work before "
        "tippecanoe starts: starting Python and importing its libraries (about 1 s), reading the source and checking "
        "every geometry (parsing, validity, extent: about 3 s a million points) and writing tippecanoe's input "
        "FlatGeobuf (without a spatial index, which tippecanoe never reads: 0.5 s a million points instead of 2.9 s "
        "with one). Beyond about 100k features tippecanoe's tiling, which drops the densest features zoom by zoom "
        "until every tile fits 500 KB, is nearly all of the time and on both cores, so there is no core left to "
        "hide the read behind; at the quick scale the fixed start-up cost dominates. In a full build the read is "
        "shared with the downloads and Features pages, which are written while tippecanoe runs. geosite's larger peak "
        "memory is the source table, read whole and held while tippecanoe runs (a build writes the downloads and "
        "Features pages from it meanwhile)."),
    "gdal-pmtiles": (
        "GDAL's PMTiles driver (its MVT writer, streamed from the same FlatGeobuf by pyogrio) over the same zooms. It "
        "ran on one core (CPU time close to wall time) and keeps features tippecanoe drops or coalesces, so its "
        "archive is larger. Measured at the smallest points scale and on the polygons only: it needs about 15 "
        "minutes a million points on this machine."),
    "features": (
        "GDAL writes one GeoJSON file; geosite writes pre-paginated OGC API Features pages (1000 features each, with "
        "links and counts) and an HTML table twin of every page, from the same rows. Profiled at 1M points (cProfile), "
        "the HTML twins are about a third of the step (the table body is built a column at a time with Arrow), the "
        "GeoJSON serialisation (orjson) a quarter, reading and checking the source a quarter, and starting up "
        "(imports, the YAML) the rest. Both tools use one core; the source table held whole while its pages are "
        "written is geosite's larger peak memory."),
    "cog": (
        "Both run GDAL's GeoTIFF writer through rio-cogeo with geosite's profile: DEFLATE level 6, horizontal "
        "predictor, 512 px tiles, internal overviews down to 256 px (averaged), GDAL_NUM_THREADS=ALL_CPUS. geosite "
        "also validates the result strictly (cog_validate). rio-cogeo stages rasters under 120 M pixels in memory; "
        "geosite stages rasters over 256 MB in a temporary file, so its memory stays bounded on larger rasters. "
        "Compression on both cores is the limit for both."),
    "raster-tiles": (
        "Same COG, same zooms, 256 px WebP at quality 85, nearest-neighbour resampling, both cores. rio-pmtiles opens "
        "the COG twice for every tile and reprojects each through a GDAL MemoryFile and GDAL's WebP driver; geosite "
        "keeps each overview open in its worker processes, reads each tile through a WarpedVRT of the overview just "
        "finer than the tile, encodes with Pillow and skips empty tiles. What remains is WebP encoding (about two "
        "thirds of a tile's time, at libwebp's default effort) and the warp (one third)."),
}
"""What limits each case, from the profiles (pyinstrument) of geosite's side; docs/benchmarks.md carries them."""
