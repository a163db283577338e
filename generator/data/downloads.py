"""The downloadable files of a vector dataset: GeoParquet 1.1, GeoPackage and FlatGeobuf, in spatial order.

GeoParquet is written with pyarrow (a bbox covering column, small row groups in Hilbert order) so readers
skip row groups outside their area; the GeoPackage and FlatGeobuf come from GDAL with their spatial indexes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyogrio
import shapely
from pyproj import CRS, Transformer

from generator import layout
from generator.clock import build_time
from generator.data.vector_geometry import hilbert_order
from generator.data.vector_read import CRS84, FID, GEOMETRY, VectorTable
from generator.model import Asset, Dataset
from generator.output import OutputTree, describe_file

log = logging.getLogger("geosite")

OWNER = "vector downloads"
ROW_GROUP_SIZE = 10_000
"""Rows per Parquet row group: small enough that a regional bbox read touches few groups."""
BBOX = "bbox"
WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class Format:
    key: str
    suffix: str
    media_type: str
    title: str
    driver: str | None  # GDAL driver, or None for the pyarrow GeoParquet writer


GEOPARQUET = Format("geoparquet", "parquet", "application/vnd.apache.parquet", "GeoParquet", None)
GEOPACKAGE = Format("geopackage", "gpkg", "application/geopackage+sqlite3", "GeoPackage", "GPKG")
FLATGEOBUF = Format("flatgeobuf", "fgb", "application/vnd.flatgeobuf", "FlatGeobuf", "FlatGeobuf")


def publish(dataset: Dataset, data: VectorTable, out: OutputTree) -> list[Asset]:
    """Write the downloads in EPSG:4326, and a GeoPackage per extra CRS; return their assets."""
    order = hilbert_order(data.bounds)
    table = data.table.take(pa.array(order))
    assets = [_write(dataset, data, table, order, fmt, out) for fmt in (GEOPARQUET, GEOPACKAGE, FLATGEOBUF)]
    for name in dataset.options.get("downloads", {}).get("extra_crs", ()):
        crs = data.source_crs if name == "source" else CRS.from_user_input(name)
        assets.append(_write_in_crs(dataset, data, table, crs, out))
    return assets


def _write(dataset: Dataset, data: VectorTable, table: pa.Table, order: np.ndarray, fmt: Format, out: OutputTree) -> Asset:
    rel = layout.dataset_file(dataset.id, f"{dataset.id}.{fmt.suffix}")
    path = out.claim(rel, OWNER)
    if fmt.driver is None:
        write_geoparquet(table, data.bounds[order], data, path)
    elif fmt is FLATGEOBUF:
        write_ogr(_with_geometry(table, dataset), path, fmt.driver, dataset, data.geometry_types, WGS84)
    else:
        write_ogr(table, path, fmt.driver, dataset, data.geometry_types, WGS84)
    return _asset(fmt.key, rel, path, fmt, WGS84)


def _write_in_crs(dataset: Dataset, data: VectorTable, table: pa.Table, crs: CRS, out: OutputTree) -> Asset:
    """A GeoPackage in another CRS (a national grid, say); features that cannot be transformed keep no geometry."""
    code = crs.to_string()
    slug = code.lower().replace(":", "-")
    rel = layout.dataset_file(dataset.id, f"{dataset.id}.{slug}.gpkg")
    path = out.claim(rel, OWNER)
    transformer = Transformer.from_crs(CRS84, crs, always_xy=True)
    geometries = shapely.from_wkb(table.column(GEOMETRY).to_numpy(zero_copy_only=False))
    for with_z in (True, False):
        subset = ~shapely.is_missing(geometries) & (shapely.has_z(geometries) == with_z)
        geometries[subset] = shapely.transform(geometries[subset], lambda c: np.column_stack(transformer.transform(*c.T)), include_z=with_z)
    column = pa.array(shapely.to_wkb(geometries, flavor="iso"), type=pa.binary())
    projected = table.set_column(table.schema.get_field_index(GEOMETRY), GEOMETRY, column)
    write_ogr(projected, path, "GPKG", dataset, data.geometry_types, code)
    return _asset(f"geopackage-{slug}", rel, path, GEOPACKAGE, code)


def _with_geometry(table: pa.Table, dataset: Dataset) -> pa.Table:
    """FlatGeobuf's spatial index cannot hold features without geometry, so they are left out of that file only."""
    present = pc.is_valid(table.column(GEOMETRY))
    missing = len(table) - pc.sum(present).as_py()
    if missing:
        log.warning("%s: %d features without geometry left out of the FlatGeobuf (its spatial index cannot hold them; the GeoParquet and GeoPackage have them)", dataset.id, missing)
    return table.filter(present)


def _asset(key: str, rel: str, path: Path, fmt: Format, crs: str) -> Asset:
    size, checksum = describe_file(path)
    return Asset(key, rel, f"{fmt.title} ({crs})", fmt.media_type, ("data",), size, checksum, crs)


def write_geoparquet(table: pa.Table, bounds: np.ndarray, data: VectorTable, path: Path) -> None:
    """GeoParquet 1.1: WKB geometry, a `bbox` covering struct, CRS84 (the default, so no `crs` key)."""
    table = table.append_column(BBOX, _bbox_column(bounds))
    extent = data.extent()
    column = {"encoding": "WKB", "geometry_types": data.geometry_types, "covering": {BBOX: {k: [BBOX, k] for k in ("xmin", "ymin", "xmax", "ymax")}}}
    if extent:
        column["bbox"] = list(extent)
    geo = {"version": "1.1.0", "primary_column": GEOMETRY, "columns": {GEOMETRY: column}}
    table = table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    pq.write_table(table, path, row_group_size=ROW_GROUP_SIZE, compression="zstd", write_statistics=True)


def _bbox_column(bounds: np.ndarray) -> pa.StructArray:
    missing = pa.array(np.isnan(bounds[:, 0]))
    fields = [pa.array(bounds[:, i], type=pa.float64()) for i in range(4)]
    return pa.StructArray.from_arrays(fields, names=["xmin", "ymin", "xmax", "ymax"], mask=missing)


def write_ogr(table: pa.Table, path: Path, driver: str, dataset: Dataset, geometry_types: list[str], crs: str, spatial_index: bool = True) -> None:
    """GDAL writes GeoPackage and FlatGeobuf (with its packed Hilbert R-tree); the GeoPackage keeps the ids as fids.
    A file only read from start to end (tippecanoe's input) skips the index: building it is most of the write."""
    table, geometry_type = _one_geometry_type(table, geometry_types)
    options = {"SPATIAL_INDEX": "YES" if spatial_index else "NO"}
    if driver == "GPKG":
        options.update(FID=FID, IDENTIFIER=dataset.title[:200])
    with _gdal_date(dataset):
        pyogrio.write_arrow(table, path, layer=dataset.id, driver=driver, geometry_name=GEOMETRY,
                            geometry_type=geometry_type, crs=crs, layer_options=options)


MULTI = {"Point": (4, shapely.multipoints), "LineString": (5, shapely.multilinestrings), "Polygon": (6, shapely.multipolygons)}


def _one_geometry_type(table: pa.Table, geometry_types: list[str]) -> tuple[pa.Table, str]:
    """GIS clients want one declared type: Polygon + MultiPolygon become MultiPolygon; truly mixed data, and 2D
    beside 3D (FlatGeobuf refuses either in a layer declared as the other), is 'Unknown'."""
    bases = {t.removesuffix(" Z") for t in geometry_types}
    if len({t.endswith(" Z") for t in geometry_types}) > 1:
        return table, "Unknown"
    z = " Z" if any(t.endswith(" Z") for t in geometry_types) else ""
    single = next((s for s in MULTI if bases == {s, "Multi" + s}), None)
    if single is None:
        return table, (bases.pop() + z) if len(bases) == 1 else "Unknown"
    multi_id, make_multi = MULTI[single]
    geometries = shapely.from_wkb(table.column(GEOMETRY).to_numpy(zero_copy_only=False))
    singles = np.flatnonzero(~shapely.is_missing(geometries) & (shapely.get_type_id(geometries) != multi_id))
    geometries[singles] = make_multi(geometries[singles], indices=np.arange(len(singles)))
    column = pa.array(shapely.to_wkb(geometries, flavor="iso"), type=pa.binary())
    return table.set_column(table.schema.get_field_index(GEOMETRY), GEOMETRY, column), f"Multi{single}{z}"


class _gdal_date:
    """GeoPackage records a 'last change' date: use the build's time, not the clock, so builds are reproducible."""

    def __init__(self, dataset: Dataset):
        self.value = build_time([dataset.source_path, dataset.yaml_path]).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def __enter__(self) -> None:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": self.value})

    def __exit__(self, *exc: object) -> None:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
