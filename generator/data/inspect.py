"""Find out cheaply what a source file is (vector or raster), its CRS and its extent in CRS84."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from generator.errors import SourceError
from generator.model import BBox, SourceInfo
from generator.source.yamlfile import YamlDocument

RASTER_SUFFIXES = frozenset({".tif", ".tiff", ".vrt", ".hgt", ".nc", ".img", ".jp2", ".asc", ".dem", ".png", ".jpg", ".webp"})
GEOPARQUET_SUFFIXES = frozenset({".parquet", ".geoparquet"})


def inspect_source(path: Path, options: dict[str, Any], doc: YamlDocument) -> SourceInfo:
    """Probe `path` as raster first when its suffix suggests so, else as vector first."""
    _check_shapefile_parts(path, doc)
    probes = [_inspect_raster, _inspect_vector]
    if path.suffix.lower() in GEOPARQUET_SUFFIXES:
        probes = [_inspect_geoparquet]
    elif path.suffix.lower() not in RASTER_SUFFIXES:
        probes.reverse()
    reasons = []
    for probe in probes:
        try:
            info = probe(path, options)
        except _NotThisKind as exc:
            reasons.append(str(exc))
            continue
        return _with_crs84_bbox(info, options, doc)
    raise SourceError(doc.problem(("source",), f"cannot read {path.name} as vector or raster data ({'; '.join(dict.fromkeys(_plain(r, path) for r in reasons))})"))


class _NotThisKind(Exception):
    pass


SHAPEFILE_PARTS = {".shx": "index", ".dbf": "attribute table"}


def _check_shapefile_parts(path: Path, doc: YamlDocument) -> None:
    """GDAL reads a .shp without its .dbf (silently losing every attribute) and fails obscurely without its .shx."""
    if path.suffix.lower() != ".shp" or not path.is_file():
        return
    present = {p.suffix.lower() for p in path.parent.glob(path.stem + ".*")}
    missing = [f"{path.stem}{suffix} ({role})" for suffix, role in SHAPEFILE_PARTS.items() if suffix not in present]
    if missing:
        raise SourceError(doc.problem(("source",), f"{path.name} is missing {' and '.join(missing)}; a shapefile is .shp + .shx + .dbf (+ .prj) side by side: copy them all"))


def _plain(reason: str, path: Path) -> str:
    """A GDAL message without the absolute path and the advice about driver prefixes (which is not ours to give)."""
    reason = reason.replace(f"'{path}'", path.name).replace(f"`{path}'", path.name).replace(str(path), path.name)
    return reason.split("; It might help to specify the correct driver")[0].split(" It might help to specify the correct driver")[0].strip()


def _inspect_vector(path: Path, options: dict[str, Any]) -> SourceInfo:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    from generator.data.vector_read import inspect_geoparquet, is_geoparquet, open_options

    if is_geoparquet(path):
        return inspect_geoparquet(path)
    try:
        info = pyogrio.read_info(path, layer=options.get("layer"), force_total_bounds=True, encoding=options.get("encoding"), **open_options(options))
    except (DataSourceError, DataLayerError) as exc:
        raise _NotThisKind(_layer_reason(path, options) or _first_line(exc)) from None
    bounds = info.get("total_bounds")
    bbox = tuple(float(v) for v in bounds) if bounds is not None and all(v == v for v in bounds) else None
    return SourceInfo(
        kind="vector",
        path=path,
        driver=info.get("driver", ""),
        crs=info.get("crs"),
        bbox=bbox,
        count=int(info.get("features", -1)),
        details={"geometry_type": info.get("geometry_type"), "fields": list(info.get("fields", []))},
    )


def _layer_reason(path: Path, options: dict[str, Any]) -> str | None:
    """When the YAML names a layer the file does not have, say which layers it has."""
    import pyogrio

    if options.get("layer") is None:
        return None
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception:  # not a vector file at all: the open error says more
        return None
    return None if options["layer"] in layers else f"no layer {options['layer']!r} in {path.name}; it has {', '.join(layers[:20]) or 'none'}"


def _inspect_geoparquet(path: Path, options: dict[str, Any]) -> SourceInfo:
    """GeoParquet through pyarrow (GDAL builds without the Parquet driver are common): CRS and bbox from 'geo' metadata."""
    import json

    import pyarrow.parquet as pq
    from pyarrow import ArrowInvalid

    try:
        parquet = pq.ParquetFile(path)
    except (ArrowInvalid, OSError) as exc:
        raise _NotThisKind(_first_line(exc)) from None
    geo = json.loads((parquet.schema_arrow.metadata or {}).get(b"geo", b"null"))
    if not geo:
        raise _NotThisKind("a Parquet file without GeoParquet 'geo' metadata")
    column = geo["columns"][geo["primary_column"]]
    crs = column.get("crs", "OGC:CRS84")  # the GeoParquet default when the key is absent
    bbox = tuple(float(v) for v in column["bbox"][:2] + column["bbox"][-2:]) if len(column.get("bbox", ())) >= 4 else None
    return SourceInfo(
        kind="vector",
        path=path,
        driver="GeoParquet",
        crs=json.dumps(crs) if isinstance(crs, dict) else crs,
        bbox=bbox,
        count=parquet.metadata.num_rows,
        details={"geometry_type": column.get("geometry_types"), "fields": [n for n in parquet.schema_arrow.names if n != geo["primary_column"]]},
    )


def _inspect_raster(path: Path, options: dict[str, Any]) -> SourceInfo:
    import rasterio
    from rasterio.errors import RasterioIOError

    from generator.data.raster import gdal_name, inspect_folder

    if path.is_dir():
        info = inspect_folder(path, RASTER_SUFFIXES)
        if info is None:
            raise _NotThisKind("no raster files in this folder")
        return info

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with rasterio.open(gdal_name(path, options)) as src:
                crs = src.crs.to_wkt() if src.crs else None
                return SourceInfo(
                    kind="raster",
                    path=path,
                    driver=src.driver,
                    crs=crs,
                    bbox=tuple(src.bounds),
                    count=src.count,
                    details={"width": src.width, "height": src.height, "dtypes": list(src.dtypes)},
                )
        except RasterioIOError as exc:
            raise _NotThisKind(_first_line(exc)) from None


def _with_crs84_bbox(info: SourceInfo, options: dict[str, Any], doc: YamlDocument) -> SourceInfo:
    crs = _source_crs(info, options, doc)
    info.crs = crs.to_string()
    if info.bbox is not None:
        info.bbox = to_crs84(info.bbox, crs)
    return info


def _source_crs(info: SourceInfo, options: dict[str, Any], doc: YamlDocument) -> CRS:
    """The file's own CRS, or the one the YAML names; never a guess."""
    from generator.data.vector_read import default_crs

    declared = options.get("crs") or (default_crs(options) if info.kind == "vector" else None)
    if declared:
        try:
            return CRS.from_user_input(declared)
        except CRSError as exc:
            raise SourceError(doc.problem(("source", "crs"), f"not a CRS that PROJ knows: {declared!r} ({_first_line(exc)})")) from None
    if not info.crs:
        csv = " and name its coordinate columns with lon and lat, or wkt" if info.driver == "CSV" else ""
        raise SourceError(doc.problem(("source",), f"{info.path.name} does not say which CRS it is in; add 'crs: EPSG:<code>' under source (with path:){csv}"))
    return CRS.from_user_input(info.crs)


def to_crs84(bounds: BBox, crs: CRS) -> BBox:
    """Transform bounds to longitude/latitude, densifying edges so curved boundaries are covered."""
    if crs.is_geographic and crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        west, south, east, north = bounds
    else:
        transformer = Transformer.from_crs(crs, "OGC:CRS84", always_xy=True)
        west, south, east, north = transformer.transform_bounds(*bounds, densify_pts=21)
    return (max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0))


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
