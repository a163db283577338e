"""Read a vector source in batches into one clean Arrow table in CRS84, counting every defect on the way.

The table holds WKB, not Python objects, so a million features fit in a few hundred MB; each batch is
parsed, reprojected and repaired with shapely's vectorised functions and then let go.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pyarrow as pa
import shapely
from pyproj import CRS, Transformer

from generator.data import vector_geometry as vg
from generator.errors import Problem, SourceError
from generator.model import BBox, Dataset, SourceInfo

log = logging.getLogger("geosite")

BATCH_SIZE = 50_000
FID = "fid"
GEOMETRY = "geometry"
CRS84 = CRS.from_user_input("OGC:CRS84")
EXAMPLES = 10
"""How many feature ids a defect report names before it says 'and N more'."""


@dataclass
class Defects:
    """What was wrong with the source: a count per kind of defect and the first few feature ids concerned."""

    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[int]] = field(default_factory=dict)
    messages: Counter = field(default_factory=Counter)

    def add(self, kind: str, fids: np.ndarray) -> None:
        if len(fids):
            self.counts[kind] += len(fids)
            shown = self.examples.setdefault(kind, [])
            shown.extend(int(f) for f in fids[: EXAMPLES - len(shown)])

    def count(self, kind: str) -> int:
        return self.counts[kind]

    def note(self, message: object, *_: object, **__: object) -> None:
        """A warning from the reader (GDAL), counted by its first line; used as `warnings.showwarning`."""
        text = str(message).strip().splitlines()[0] if str(message).strip() else type(message).__name__
        if "Non closed ring" not in text:  # already counted per feature, as DROPPED_UNREADABLE
            self.messages[text] += 1

    def report(self, dataset_id: str) -> None:
        """One warning per kind of defect, naming the dataset, the count and the first feature ids."""
        for kind, count in self.counts.items():
            more = f" and {count - EXAMPLES} more" if count > EXAMPLES else ""
            log.warning("%s: %d %s (feature ids %s%s)", dataset_id, count, kind, ", ".join(map(str, self.examples[kind])), more)
        for message, count in self.messages.items():
            log.warning("%s: the reader reported %d× %s", dataset_id, count, message)


DROPPED_UNREADABLE = "features dropped: geometry could not be parsed (e.g. an unclosed ring)"
DROPPED_OFF_EARTH = "features dropped: coordinates not finite or far outside ±180°/±90° once in WGS 84 (is the CRS right?)"
MAX_LONGITUDE = 540.0
MAX_LATITUDE = 90.5
"""Beyond these, coordinates are not slightly-off degrees that can be wrapped or clamped, but not degrees at all."""
DROPPED_COLLAPSED = "features dropped: geometry collapsed to nothing when repaired"
REPAIRED = "invalid geometries repaired"
NULL = "features without geometry (kept in downloads and Features pages, left out of tiles)"
ANTIMERIDIAN = "geometries cut at the antimeridian or wrapped into -180..180"
LATITUDE = "geometries with latitudes beyond ±90 put back on the poles"
M_DROPPED = "geometries had M values, which were dropped"


@dataclass
class VectorTable:
    """A dataset's features in source order: `fid`, the attributes and ISO WKB `geometry` in CRS84."""

    table: pa.Table
    bounds: np.ndarray  # (n, 4) per-feature boxes, NaN where there is no geometry
    attributes: list[str]
    geometry_types: list[str]
    source_crs: CRS
    defects: Defects
    intervals: np.ndarray  # longitude intervals for the antimeridian-aware extent

    @property
    def has_z(self) -> bool:
        return any(t.endswith(" Z") for t in self.geometry_types)

    def extent(self) -> BBox | None:
        if not len(self.table) or np.isnan(self.bounds[:, 1]).all():
            return None
        return vg.extent(self.intervals, float(np.nanmin(self.bounds[:, 1])), float(np.nanmax(self.bounds[:, 3])))


def read_vector(dataset: Dataset) -> VectorTable:
    """Every readable feature of the dataset's source, cleaned; defects are counted, not fatal."""
    source_crs = CRS.from_user_input(dataset.source.crs)
    transformer = None if source_crs.equals(CRS84, ignore_axis_order=True) else Transformer.from_crs(source_crs, CRS84, always_xy=True)
    defects = Defects()
    batches, bounds, intervals, types = [], [], [], Counter()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = defects.note
        for batch in source_batches(dataset):
            batch, batch_bounds, geometries = _clean_batch(batch, transformer, defects)
            batches.append(batch)
            bounds.append(batch_bounds)
            intervals.append(vg.longitude_intervals(geometries, batch_bounds))
            types.update(_geometry_types(geometries))
    table = pa.Table.from_batches(batches) if batches else None
    if table is None:
        raise SourceError(f"{dataset.id}: {dataset.source_path.name} has no features to publish")
    _check_crs(dataset, defects, len(table))
    attributes = [name for name in table.column_names if name not in (FID, GEOMETRY)]
    return VectorTable(table, np.vstack(bounds), attributes, sorted(types), source_crs, defects, np.vstack(intervals))


def _check_crs(dataset: Dataset, defects: Defects, kept: int) -> None:
    """When most features land off the Earth, the data is not in the CRS we were told: say so instead of publishing scraps."""
    lost = defects.count(DROPPED_OFF_EARTH)
    if lost and lost >= kept:
        where = "the CRS named by source.crs" if dataset.source_options.get("crs") else "the CRS the file declares"
        raise SourceError(f"{dataset.id}: {lost} of {lost + kept} features have coordinates that are not on the Earth in {where} ({dataset.source.crs}); set 'crs:' under source to the data's real CRS")


def source_batches(dataset: Dataset) -> Iterator[pa.RecordBatch]:
    """Arrow batches of the source, each with `fid`, the attributes and a WKB `geometry` column."""
    path = dataset.source_path
    if is_geoparquet(path):
        yield from _geoparquet_batches(path)
        return
    yield from _ogr_batches(dataset)


def _ogr_batches(dataset: Dataset) -> Iterator[pa.RecordBatch]:
    import pyogrio

    options = dataset.source_options
    layer = _layer(dataset)
    with pyogrio.open_arrow(dataset.source_path, layer=layer, encoding=options.get("encoding"), return_fids=True,
                            batch_size=BATCH_SIZE, use_pyarrow=True, **open_options(options)) as (meta, reader):
        geometry = meta["geometry_name"] or "wkb_geometry"
        fid = meta.get("fid_column") or "OGC_FID"
        for batch in reader:
            yield _standard_columns(_decoded_text(batch, dataset), fid, geometry)


def _decoded_text(batch: pa.RecordBatch, dataset: Dataset) -> pa.RecordBatch:
    """GDAL's Arrow stream can pass text through undecoded (a .dbf without .cpg): text that is not UTF-8 is
    decoded with the YAML's `encoding`, or is an error asking for one (never a guess)."""
    encoding = dataset.source_options.get("encoding")
    for index, column in enumerate(batch.schema):
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            continue
        try:
            batch.column(index).validate(full=True)
        except pa.ArrowInvalid:
            if not encoding:
                raise SourceError(Problem(f"{dataset.source_path.name}: text in attribute {column.name!r} is not UTF-8; name its encoding under source (with path:), e.g. 'encoding: latin-1'", dataset.yaml_path, key="source")) from None
            raw = batch.column(index).cast(pa.binary()).to_pylist()
            decoded = pa.array([None if value is None else value.decode(encoding, errors="replace") for value in raw], pa.string())
            batch = batch.set_column(index, column.name, decoded)
    return batch


def _layer(dataset: Dataset) -> str | None:
    """The layer to read: the one named in YAML, or the only one; several layers and no choice is an error."""
    import pyogrio

    layer = dataset.source_options.get("layer")
    if layer is not None or is_geoparquet(dataset.source_path):
        return layer
    layers = [str(name) for name in pyogrio.list_layers(dataset.source_path)[:, 0]]
    if len(layers) > 1:
        raise SourceError(f"{dataset.id}: {dataset.source_path.name} has {len(layers)} layers ({', '.join(layers[:10])}); add 'layer: <name>' under source (with path:)")
    return None


def open_options(options: dict[str, Any]) -> dict[str, str]:
    """GDAL open options for CSV sources: the longitude/latitude or WKT columns named in YAML."""
    result = {}
    if options.get("lon") or options.get("lat"):
        result.update(X_POSSIBLE_NAMES=options.get("lon", ""), Y_POSSIBLE_NAMES=options.get("lat", ""), KEEP_GEOM_COLUMNS="NO")
    if options.get("wkt"):
        result.update(GEOM_POSSIBLE_NAMES=options["wkt"], KEEP_GEOM_COLUMNS="NO")
    return result


def _standard_columns(batch: pa.RecordBatch, fid: str, geometry: str) -> pa.RecordBatch:
    """Rename the id and geometry columns to ours; attribute names that clash (with ours, or with each
    other ignoring case, which GeoPackage and FlatGeobuf cannot hold) get a numbered suffix."""
    names, taken, ours = [], {FID, GEOMETRY, "bbox"}, {fid: FID, geometry: GEOMETRY}
    for name in batch.schema.names:
        if name in ours:  # only the first column of that name: GDAL's feature id can share an attribute's name
            names.append(ours.pop(name))
            continue
        unique, number = name, 1
        while unique.lower() in taken:
            number += 1
            unique = f"{name}_{number}"
        taken.add(unique.lower())
        names.append(unique)
    columns = [batch.column(i) if n != GEOMETRY else batch.column(i).cast(pa.binary()) for i, n in enumerate(names)]
    return pa.RecordBatch.from_arrays(columns, names=names)


def is_geoparquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".geoparquet")


def _geoparquet_batches(path: Path) -> Iterator[pa.RecordBatch]:
    """GeoParquet is read with pyarrow (GDAL's Parquet driver is not in the pyogrio wheels); the row number is the id."""
    import pyarrow.parquet as pq

    geo = geoparquet_metadata(path)
    geometry = geo["primary_column"]
    column = geo["columns"][geometry]
    if column.get("encoding", "WKB").upper() != "WKB":
        raise SourceError(f"{path.name}: GeoParquet with {column['encoding']} geometry encoding is not supported; write it with WKB")
    coverings = {parts[0] for covering in column.get("covering", {}).values() for parts in covering.values()}
    parquet = pq.ParquetFile(path)
    keep = [name for name in parquet.schema_arrow.names if name not in coverings]
    offset = 0
    for batch in parquet.iter_batches(batch_size=BATCH_SIZE, columns=keep):
        fids = pa.array(np.arange(offset, offset + batch.num_rows, dtype=np.int64))
        offset += batch.num_rows
        yield _standard_columns(pa.RecordBatch.from_arrays([fids, *batch.columns], names=["__fid", *batch.schema.names]), "__fid", geometry)


def geoparquet_metadata(path: Path) -> dict[str, Any]:
    import json

    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    if b"geo" not in metadata:
        raise SourceError(f"{path.name} is Parquet without GeoParquet 'geo' metadata; geosite cannot tell which column is the geometry")
    return json.loads(metadata[b"geo"])


def _clean_batch(batch: pa.RecordBatch, transformer: Transformer | None, defects: Defects) -> tuple[pa.RecordBatch, np.ndarray, np.ndarray]:
    """Parse, reproject, repair and normalise one batch; returns it with cleaned WKB, boxes and geometries."""
    fids = batch.column(batch.schema.get_field_index(FID)).to_numpy()
    wkb = batch.column(batch.schema.get_field_index(GEOMETRY))
    geometries = shapely.from_wkb(wkb.to_numpy(zero_copy_only=False), on_invalid="ignore")
    source_null = np.asarray(wkb.is_null())
    empty = shapely.is_empty(geometries)
    geometries[empty] = None
    drop = ~source_null & ~empty & shapely.is_missing(geometries)
    defects.add(DROPPED_UNREADABLE, fids[drop])
    defects.add(NULL, fids[source_null | empty])
    geometries = _drop_m(geometries, fids, defects)
    _reproject(geometries, transformer)
    drop |= _off_the_earth(geometries, fids, defects)
    geometries, collapsed = _repair(geometries, fids, defects)
    drop |= collapsed
    geometries = _normalise(geometries, fids, defects)
    keep = ~drop
    geometries = geometries[keep]
    column = pa.array(shapely.to_wkb(geometries, flavor="iso"), type=pa.binary())
    batch = batch.filter(pa.array(keep)).set_column(batch.schema.get_field_index(GEOMETRY), GEOMETRY, column)
    return batch, shapely.bounds(geometries), geometries


def _drop_m(geometries: np.ndarray, fids: np.ndarray, defects: Defects) -> np.ndarray:
    """GeoJSON and vector tiles have no place for M; it is dropped everywhere so all outputs agree."""
    has_m = shapely.has_m(geometries)
    if not has_m.any():
        return geometries
    defects.add(M_DROPPED, fids[has_m])
    with_z = has_m & shapely.has_z(geometries)
    geometries[with_z] = shapely.transform(geometries[with_z], lambda c: c, include_z=True)
    geometries[has_m & ~with_z] = shapely.force_2d(geometries[has_m & ~with_z])
    return geometries


def _reproject(geometries: np.ndarray, transformer: Transformer | None) -> None:
    """Transform in place to CRS84 (points outside the CRS's domain come out infinite)."""
    if transformer is None:
        return
    present = ~shapely.is_missing(geometries)
    for with_z in (True, False):
        subset = present & (shapely.has_z(geometries) == with_z)
        if subset.any():
            geometries[subset] = shapely.transform(geometries[subset], lambda c: np.column_stack(transformer.transform(*c.T)), include_z=with_z)


def _off_the_earth(geometries: np.ndarray, fids: np.ndarray, defects: Defects) -> np.ndarray:
    """Geometries whose coordinates are not finite, or far beyond ±180°/±90°, cannot be placed: they are dropped."""
    bounds = shapely.bounds(geometries)
    present = ~shapely.is_missing(geometries)
    with np.errstate(invalid="ignore"):
        inside = np.isfinite(bounds).all(axis=1) & (np.abs(bounds[:, [0, 2]]) <= MAX_LONGITUDE).all(axis=1) & (np.abs(bounds[:, [1, 3]]) <= MAX_LATITUDE).all(axis=1)
    outside = present & ~inside
    geometries[outside] = None
    defects.add(DROPPED_OFF_EARTH, fids[outside])
    return outside


def _repair(geometries: np.ndarray, fids: np.ndarray, defects: Defects) -> tuple[np.ndarray, np.ndarray]:
    """make_valid with the 'structure' method keeps polygons polygons; a repair that leaves nothing drops the feature."""
    present = ~shapely.is_missing(geometries)
    invalid = present & ~shapely.is_valid(geometries)
    collapsed = np.zeros(len(geometries), dtype=bool)
    if invalid.any():
        geometries[invalid] = shapely.make_valid(geometries[invalid], method="structure", keep_collapsed=False)
        collapsed = invalid & shapely.is_empty(geometries)
        geometries[collapsed] = None
        defects.add(REPAIRED, fids[invalid & ~collapsed])
        defects.add(DROPPED_COLLAPSED, fids[collapsed])
    return geometries, collapsed


def _normalise(geometries: np.ndarray, fids: np.ndarray, defects: Defects) -> np.ndarray:
    """Longitudes into -180..180 (cutting at the antimeridian) and latitudes onto ±90."""
    bounds = shapely.bounds(geometries)
    with np.errstate(invalid="ignore"):
        beyond_pole = (bounds[:, 1] < -90) | (bounds[:, 3] > 90)
    for i in np.flatnonzero(beyond_pole):
        geometries[i] = vg.clamp_latitudes(geometries[i])
    defects.add(LATITUDE, fids[beyond_pole])
    changed = []
    for i in np.flatnonzero(vg.needs_longitude_fix(bounds)):
        fixed = vg.fix_longitudes(geometries[i])
        if not shapely.equals_exact(fixed, geometries[i], tolerance=0.0):
            geometries[i] = fixed
            changed.append(i)
    defects.add(ANTIMERIDIAN, fids[changed])
    return geometries


TYPE_NAMES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection")


def _geometry_types(geometries: np.ndarray) -> Counter:
    """Features per geometry type name ('Polygon', 'Point Z'…), counted on codes, not strings (millions of rows)."""
    present = geometries[~shapely.is_missing(geometries)]
    codes, counts = np.unique(shapely.get_type_id(present) * 2 + shapely.has_z(present), return_counts=True)
    return Counter({TYPE_NAMES[code // 2] + (" Z" if code % 2 else ""): int(count) for code, count in zip(codes, counts)})


def default_crs(options: dict[str, Any]) -> str | None:
    """Longitude/latitude columns (the `lon`/`lat` options) are WGS 84 degrees unless `crs` says otherwise."""
    return "OGC:CRS84" if options.get("lon") or options.get("lat") else None


def inspect_geoparquet(path: Path) -> SourceInfo:
    """What GeoParquet's own metadata says; a missing `crs` means OGC:CRS84 by the GeoParquet spec."""
    import pyarrow.parquet as pq

    geo = geoparquet_metadata(path)
    column = geo["columns"][geo["primary_column"]]
    crs = CRS.from_json_dict(column["crs"]).to_string() if column.get("crs") else "OGC:CRS84"
    bbox = column.get("bbox") or _scan_bounds(path, geo["primary_column"])
    return SourceInfo(kind="vector", path=path, driver="Parquet", crs=crs, bbox=tuple(bbox) if bbox else None,
                      count=pq.ParquetFile(path).metadata.num_rows, details={"geometry_type": column.get("geometry_types"), "fields": []})


def _scan_bounds(path: Path, column: str) -> list[float] | None:
    import pyarrow.parquet as pq

    boxes = [shapely.total_bounds(shapely.from_wkb(b.column(0).to_numpy(zero_copy_only=False), on_invalid="ignore"))
             for b in pq.ParquetFile(path).iter_batches(batch_size=BATCH_SIZE, columns=[column])]
    boxes = np.array([b for b in boxes if np.isfinite(b).all()])
    if not len(boxes):
        return None
    return [boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()]
