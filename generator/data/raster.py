"""The raster data stage: each raster dataset becomes a COG (plus optional copies in other CRSs), a PNG
thumbnail and a PMTiles archive of web-map tiles, described in the model for every writer.

Everything after the COG is read from the COG: its overviews make thumbnails, statistics and low-zoom tiles cheap.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import date
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import rasterio
from pyproj import CRS
from rasterio.crs import CRS as RasterioCRS
from rasterio.enums import Resampling
from rasterio.errors import CRSError
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds

from generator import layout
from generator.data import cog as cogs
from generator.data import rastermeta, rastertiles
from generator.data.rendering import Style, legend, legend_metadata, plan_style
from generator.data.thumbnail import thumbnail_png
from generator.data.tilesets import attribution, describe_archive
from generator.clock import build_time, iso_utc
from generator.data.inspect import to_crs84
from generator.errors import Problem, SourceError
from generator.model import ApiLink, Asset, Catalogue, Dataset, Item, OgcCollection, SourceInfo, TimeExtent
from generator.output import OutputTree, describe_file
from generator.writers.common import datetime_bound

log = logging.getLogger("geosite")
OWNER = "raster"
UNSUPPORTED_PROJECTIONS = ("geostationary",)


def publish_dataset(catalogue: Catalogue, dataset: Dataset, out: OutputTree) -> None:
    """The raster pipeline (see generator.engine): publish one raster dataset and describe it in the model."""
    check_supported_crs(dataset)
    if dataset.source.details.get("files"):
        publish_files(catalogue, dataset, out, [Path(f) for f in dataset.source.details["files"]])
    else:
        publish_file(catalogue, dataset, out)
    dataset.stac_extensions.update({rastermeta.PROJECTION_EXTENSION, rastermeta.RASTER_EXTENSION})


def publish_file(catalogue: Catalogue, dataset: Dataset, out: OutputTree) -> None:
    """One raster: COG (the coverage), copies in other CRSs, thumbnail, tiles."""
    _unwrap_longitudes(dataset)
    options = dataset.options.get("raster", {})
    name = gdal_name(dataset.source.path, dataset.source_options)
    cog_rel = layout.dataset_file(dataset.id, f"{dataset.id}.tif")
    cog, categorical, units = _write_cog(dataset, out, name, cog_rel)
    categories = _write_categories(dataset, out, name, cog)
    with rasterio.open(cog) as src:
        dataset.assets.append(cog_asset(cog_rel, cog, src, units, "cog", f"{dataset.title} (Cloud-Optimized GeoTIFF)"))
        style = plan_style([src], options, categorical)
        dataset.legend = legend(style, src, options, categories.get(style.bands[0], []), units)
        dataset.collection = coverage_collection(dataset, src, categories)
        native = rastermeta.crs_label(src)
        layers = [rastertiles.layer(cog, dataset.source.bbox)]
    for crs in _extra_crs(dataset, native):
        _publish_copy(dataset, out, cog, crs, categorical, units)
    dataset.assets.append(_publish_thumbnail(dataset, out, cog, style, "thumbnail.png", f"{dataset.title} (preview)"))
    _publish_tiles(catalogue, dataset, out, layers, style)


def publish_files(catalogue: Catalogue, dataset: Dataset, out: OutputTree, files: list[Path]) -> None:
    """A folder of rasters (tiles of a mosaic, or a time series): a COG, thumbnail and STAC Item per file; the
    web-map tiles mosaic them all (later files on top); the collection's thumbnail is the first file's."""
    rels = [layout.dataset_file(dataset.id, f"{item_id(path)}.tif") for path in files]
    written = [_write_cog(dataset, out, str(path), rel) for path, rel in zip(files, rels)]
    style = _mosaic_style(dataset, [cog for cog, _, _ in written], written[0][1])
    with rasterio.open(written[0][0]) as first:
        dataset.legend = legend(style, first, dataset.options.get("raster", {}), [], written[0][2])
    layers = []
    for path, rel, (cog, _, units) in zip(files, rels, written):
        with rasterio.open(cog) as src:
            bbox = to_crs84(tuple(src.bounds), CRS.from_wkt(src.crs.to_wkt()))
            cog_entry = cog_asset(rel, cog, src, units, "cog", f"{path.name} (Cloud-Optimized GeoTIFF)")
        thumbnail = _publish_thumbnail(dataset, out, cog, style, f"{item_id(path)}.png", f"{path.name} (preview)")
        dataset.items.append(Item(item_id(path), path.name, bbox, item_datetime(dataset, path), [cog_entry, thumbnail]))
        layers.append(rastertiles.layer(cog, bbox))
    dataset.assets.append(next(a for a in dataset.items[0].assets if a.key == "thumbnail"))
    _date_from_names(dataset, files)
    _publish_tiles(catalogue, dataset, out, layers, style)


MOSAIC_SAMPLE = 32
"""How many of a mosaic's files (evenly spread) its default value range is sampled from."""


def _mosaic_style(dataset: Dataset, cogs_written: list[Path], categorical: bool) -> Style:
    step = max(1, len(cogs_written) // MOSAIC_SAMPLE)
    with ExitStack() as stack:
        sources = [stack.enter_context(rasterio.open(cog)) for cog in cogs_written[::step][:MOSAIC_SAMPLE]]
        return plan_style(sources, dataset.options.get("raster", {}), categorical)


def _write_cog(dataset: Dataset, out: OutputTree, name: str, rel: str) -> tuple[Path, bool, tuple]:
    """The COG of source `name` at `rel`: (its path, whether it is categorical, the source's band units)."""
    options = dataset.options.get("raster", {})
    cog = out.claim(rel, OWNER)
    with _timed(dataset, f"COG {Path(rel).name}"), open_source(dataset, name) as source:
        check_bands(dataset, source, options.get("bands", ()))
        categorical = options.get("categorical", cogs.is_categorical(source))
        cogs.write_cog(source, cog, categorical)
        return cog, categorical, tuple(source.units)


def check_supported_crs(dataset: Dataset) -> None:
    """Refuse projections whose extents the tiling and extent maths cannot handle, saying what to do instead."""
    operation = CRS.from_user_input(dataset.source.crs).coordinate_operation
    method = operation.method_name if operation else ""
    if any(name in method.lower() for name in UNSUPPORTED_PROJECTIONS):
        message = f"dataset '{dataset.id}': rasters in the {method} projection are not supported; reproject the file first (e.g. gdalwarp -t_srs EPSG:4326)"
        raise SourceError(Problem(message, dataset.yaml_path, key="source"))


def check_bands(dataset: Dataset, source, bands: list[int]) -> None:
    wrong = [band for band in bands if band > source.count]
    if wrong:
        message = f"dataset '{dataset.id}': band {wrong[0]} does not exist; {dataset.source.path.name} has {source.count} band(s)"
        raise SourceError(Problem(message, dataset.yaml_path, key="raster.bands"))


def gdal_name(path: Path, options: dict[str, Any]) -> str:
    """What GDAL opens: the file, or one variable of a NetCDF/HDF5 file (`source.variable` in the YAML)."""
    variable = options.get("variable")
    if not variable:
        return str(path)
    driver = "HDF5" if path.suffix.lower() in (".h5", ".hdf5", ".he5") else "NETCDF"
    return f'{driver}:"{path}":{variable}'


def inspect_folder(folder: Path, suffixes: frozenset[str]) -> SourceInfo | None:
    """A folder of rasters is one dataset: described by its first file, its extent the union of all files'
    (in the first file's CRS). None when the folder holds no raster file."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
    if not files:
        return None
    with rasterio.open(files[0]) as first:
        crs, driver, count = first.crs, first.driver, first.count
    boxes = []
    for path in files:
        with rasterio.open(path) as src:
            boxes.append(transform_bounds(src.crs, crs, *src.bounds) if src.crs and crs and src.crs != crs else tuple(src.bounds))
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return SourceInfo("raster", folder, driver, crs.to_wkt() if crs else None, bbox, count, {"files": [str(p) for p in files]})


def _unwrap_longitudes(dataset: Dataset) -> None:
    """Inspection clamps 0-360° longitudes at 180°; the true CRS84 extent is the whole world or crosses 180°."""
    with rasterio.open(gdal_name(dataset.source.path, dataset.source_options)) as src:
        if not rastertiles.beyond_antimeridian(src):
            return
        west, south, east, north = src.bounds
    south, north = max(south, -90.0), min(north, 90.0)
    wrapped = (-180.0, south, 180.0, north) if east - west >= 360 else ((west + 180) % 360 - 180, south, (east + 180) % 360 - 180, north)
    if dataset.bbox == dataset.source.bbox:
        dataset.bbox = wrapped
    dataset.source.bbox = wrapped


@contextmanager
def open_source(dataset: Dataset, name: str) -> Iterator[Any]:
    """The source raster; one without a CRS of its own gets the CRS the YAML declares (an identity warp)."""
    with rasterio.open(name) as src:
        if src.count == 0:
            raise SourceError(Problem(f"dataset '{dataset.id}': {Path(name).name} holds several variables ({_variables(src)}); choose one with 'variable:' under source", dataset.yaml_path, key="source"))
        if src.crs:
            yield src
            return
        declared = RasterioCRS.from_user_input(dataset.source.crs)
        with WarpedVRT(src, src_crs=declared, crs=declared, src_transform=src.transform, transform=src.transform, width=src.width, height=src.height) as vrt:
            yield vrt


def _variables(src) -> str:
    names = [sub.rsplit(":", 1)[-1] for sub in src.subdatasets]
    return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "") if names else "none readable as a raster"


def cog_asset(rel: str, path: Path, src, units: tuple, key: str, title: str) -> Asset:
    size, checksum = describe_file(path)
    fields = {**rastermeta.projection_fields(src), "raster:bands": rastermeta.raster_bands(src, units)}
    return Asset(key, rel, title, cogs.COG_MEDIA_TYPE, ("data",), size, checksum, rastermeta.crs_label(src), fields)


def coverage_collection(dataset: Dataset, src, categories: dict[int, list[str]]) -> OgcCollection:
    """The OGC API collection: the COG is the coverage, with its extent, grid and range type (bands)."""
    cog_href = layout.dataset_file(dataset.id, f"{dataset.id}.tif")
    storage = rastermeta.crs_uri(src)
    temporal = [datetime_bound(dataset.time.start, False), datetime_bound(dataset.time.end, True)] if dataset.time else None
    extra: dict[str, Any] = {"extent": rastermeta.coverage_extent(src, dataset.source.bbox, temporal)}
    if storage:
        extra["storageCrs"] = storage
    extra["rangeType"] = rastermeta.range_type(src, categories)
    link = ApiLink(rastermeta.REL_COVERAGE, cog_href, cogs.COG_MEDIA_TYPE, "The coverage (Cloud-Optimized GeoTIFF, read with HTTP Range requests)")
    crs = (rastermeta.CRS84, storage) if storage else (rastermeta.CRS84,)
    return OgcCollection(crs=crs, links=[link], extra=extra)


def _write_categories(dataset: Dataset, out: OutputTree, name: str, cog: Path) -> dict[int, list[str]]:
    """Category names travel as GDAL's sidecar next to the COG; returned by band for the range type."""
    with rasterio.open(name) as src:
        categories = {band: cogs.category_names(src.name, band) for band in src.indexes}
        sidecar = cogs.category_sidecar(src.name, src.count)
    if sidecar:
        out.write_bytes(layout.dataset_file(dataset.id, f"{cog.name}.aux.xml"), sidecar, OWNER)
    return {band: names for band, names in categories.items() if names}


def _extra_crs(dataset: Dataset, native: str) -> list[str]:
    """`downloads.extra_crs` (shared with vector data) less the COG's own CRS, which 'source' also names."""
    return [crs for crs in dataset.options.get("downloads", {}).get("extra_crs", ()) if crs not in ("source", native)]


def _publish_copy(dataset: Dataset, out: OutputTree, cog: Path, crs: str, categorical: bool, units: tuple) -> None:
    """A second COG warped to `crs` for tools that want that CRS; nearest neighbour, so values stay source values."""
    label = crs.replace(":", "-").lower()
    rel = layout.dataset_file(dataset.id, f"{dataset.id}.{label}.tif")
    path = out.claim(rel, OWNER)
    try:
        target = RasterioCRS.from_user_input(crs)
    except CRSError as exc:
        raise SourceError(Problem(f"dataset '{dataset.id}': extra_crs {crs} is not a CRS PROJ knows ({exc})", dataset.yaml_path, key="downloads.extra_crs")) from None
    with _timed(dataset, f"COG in {crs}"), rasterio.open(cog) as src, WarpedVRT(src, crs=target, resampling=Resampling.nearest) as vrt:
        cogs.write_cog(vrt, path, categorical)
    with rasterio.open(path) as src:
        dataset.assets.append(cog_asset(rel, path, src, units, f"cog-{label}", f"{dataset.title} (Cloud-Optimized GeoTIFF, {crs})"))


def _publish_thumbnail(dataset: Dataset, out: OutputTree, cog: Path, style: Style, filename: str, title: str) -> Asset:
    rel = layout.dataset_file(dataset.id, filename)
    with _timed(dataset, f"thumbnail {filename}"):
        size, checksum = describe_file(out.write_bytes(rel, thumbnail_png(cog, style), OWNER))
    return Asset("thumbnail", rel, title, "image/png", ("thumbnail",), size, checksum)


def _publish_tiles(catalogue: Catalogue, dataset: Dataset, out: OutputTree, layers: list[rastertiles.Layer], style: Style) -> None:
    archive = out.claim(layout.pmtiles_archive(dataset.id), OWNER)
    zooms = rastertiles.zoom_range(dataset.source.bbox, min(item.pixel for item in layers), dataset.options.get("tiles", {}))
    metadata = {"name": dataset.title, "description": dataset.title, "attribution": attribution(dataset), "format": "webp", "type": "overlay"}
    if dataset.legend:
        metadata["legend"] = legend_metadata(dataset.legend)
    with _timed(dataset, "tiles"):
        count = rastertiles.write_archive(layers, archive, dataset.source.bbox, zooms, style, metadata)
    log.info("%s: %d raster tiles, zoom %d-%d", dataset.id, count, *zooms)
    describe_archive(dataset, archive, "raster")


DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
"""A date in a file name (2021-06-30, 20210630): how a time series names its steps."""


def item_id(path: Path) -> str:
    """The file's name without suffixes, made safe for URLs and paths."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", path.name.split(".")[0]).strip("-.") or "item"


def _date_in_name(path: Path) -> str | None:
    match = DATE_IN_NAME.search(path.name)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return None


def item_datetime(dataset: Dataset, path: Path) -> str:
    """The date in the file's name, else the dataset's start time, else the file's own modification time."""
    named = _date_in_name(path)
    if named:
        return datetime_bound(named, False)
    if dataset.time and dataset.time.start:
        return datetime_bound(dataset.time.start, False)
    return iso_utc(build_time([path]))


def _date_from_names(dataset: Dataset, files: list[Path]) -> None:
    """A time series with dates in its file names and no `time:` in the YAML spans its first to last date."""
    dates = [_date_in_name(path) for path in files]
    if dataset.time is None and all(dates):
        dataset.time = TimeExtent(min(dates), max(dates))


@contextmanager
def _timed(dataset: Dataset, step: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    log.info("%s: %s in %.2fs", dataset.id, step, time.perf_counter() - start)
