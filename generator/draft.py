"""`geosite add`: draft datasets/<id>/dataset.yaml from a data file, from what the data says about itself.

The draft holds only keys that dataset.schema.json accepts and builds as it is; what the schema has no key for
(geometry types, feature count, fields, bands, the measured extent) is written as comments for the user to read.
Nothing is guessed silently: a file without a CRS gets a commented `crs:` line and a note.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from generator.errors import Problem, SourceError
from generator.source.loader import CATALOGUE_FILE, DATASET_FILE, DATASETS_DIR, ID_PATTERN, RESERVED_IDS

DEFAULT_SOURCE = "catalogue_src"
BBox = tuple[float, float, float, float]

RASTER_SUFFIXES = frozenset({".tif", ".tiff", ".vrt", ".hgt", ".nc", ".nc4", ".h5", ".hdf5", ".he5", ".img", ".jp2", ".asc", ".dem", ".png", ".jpg", ".webp"})
DATA_SUFFIXES = frozenset({".hgt", ".shp", ".gpkg", ".geojson", ".json", ".csv", ".tif", ".tiff", ".kml", ".gml", ".tar", ".nc", ".gdb"})
"""Inner suffixes also left out of an id made from a file name: `N45E006.hgt.zip` becomes `n45e006`."""

SIDECARS = {
    ".shp": (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml"),
    ".csv": (".csvt", ".prj"),
    ".gml": (".xsd", ".gfs"),
    ".tab": (".dat", ".id", ".map", ".ind"),
}
"""Files that belong with a data file, by its suffix: `<stem><ending>` in any case (a.SHP, a.shx, a.DBF)."""
ANY_SIDECARS = (".aux.xml", ".ovr", ".msk", ".tfw", ".tifw", ".wld", ".pgw", ".jgw", ".j2w")
"""Files that belong with any raster: GDAL's PAM metadata, external overviews and masks, world files."""

LON_NAMES = ("longitude", "lon", "lng", "long", "x")
LAT_NAMES = ("latitude", "lat", "y")
PREFIX_NAMES = frozenset({"longitude", "latitude", "lon", "lat", "lng"})
"""Column words also recognised at the start of a name, as in `longitude_deg` or `lat (wgs84)`."""
WKT_VALUE = re.compile(r"^\s*(SRID=\d+;\s*)?((MULTI)?(POINT|LINESTRING|POLYGON|CURVE|SURFACE)|GEOMETRYCOLLECTION|CIRCULARSTRING|COMPOUNDCURVE|CURVEPOLYGON|TIN|TRIANGLE)\s*(ZM|Z|M)?\s*(\(|EMPTY)", re.IGNORECASE)
VARIABLE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
"""What dataset.schema.json accepts as `source.variable`."""

TITLE_KEYS = ("TITLE", "IDENTIFIER", "NAME", "NC_GLOBAL#title", "TIFFTAG_DOCUMENTNAME")
DESCRIPTION_KEYS = ("DESCRIPTION", "ABSTRACT", "SUMMARY", "NC_GLOBAL#summary", "NC_GLOBAL#description", "NC_GLOBAL#abstract", "NC_GLOBAL#comment")
SHORT_TITLE = 150
"""A TIFF image description at most this long, on one line, reads as a title; a longer one as a description."""
TIME_SCAN_LIMIT = 5_000_000
GEOMETRY_SCAN_LIMIT = 200_000
"""Files with more features than this get no time range from a column / no scan for undeclared geometry types."""


@dataclass
class Draft:
    """One drafted dataset: where its YAML went, a one-line account of the data and what the user should check."""

    yaml_path: Path
    summary: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Facts:
    """What one layer of a data file says about itself, gathered before anything is written."""

    title: str
    description: str | None = None
    summary: str = ""
    options: dict[str, str] = field(default_factory=dict)
    """Reading options written under `source:` (layer, variable, lon and lat, wkt)."""
    hints: list[str] = field(default_factory=list)
    """Commented lines under `source:` for the user to complete, such as `# crs: EPSG:????`."""
    time: tuple[str, str] | None = None
    time_origin: str = ""
    name_date: str | None = None
    """A date in the file name (`…_20200831.tif`), offered as a commented `time:` when the data holds none."""
    extent: BBox | None = None
    details: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def default_source_folder(cwd: Path) -> Path:
    """The folder `geosite add` drafts into without --into: the working folder when it is a source folder."""
    return cwd if (cwd / CATALOGUE_FILE).is_file() else cwd / DEFAULT_SOURCE


def add_dataset(path: Path, src: Path, dataset_id: str | None = None, link: bool = False, layer: str | None = None, all_layers: bool = False) -> list[Draft]:
    """Draft one dataset (or one per layer) from the data file at `path` into the source folder `src`.

    The data is read as the build will read it (a copy, unless `link`), and nothing appears in datasets/ until all
    of it has been read and checked; nothing existing is ever overwritten.
    """
    path, src = Path(path), Path(src)
    _check_source_folder(src)
    _check_data_path(path, src)
    base = _base_id(path, dataset_id)
    _check_new(src, [] if all_layers else [base])  # before copying what could not be added anyway
    if link:
        _linked_path(path, src, base)
    with _staged(path, src, link) as (data, renamed):
        contents = _contents(data, path)
        chosen = _chosen_layers(path, contents, layer, all_layers)
        ids = _layer_ids(src, base, chosen if len(chosen) > 1 else [None])
        facts = _described(data, path, contents, chosen)
        sources = _place_data(path, data, src, ids, link)
    drafts = [_write_draft(src, dataset, fact, source, path, link) for dataset, fact, source in zip(ids, facts, sources)]
    drafts[0].notes += _general_notes(contents, layer, len(ids) if not link else 1, renamed)
    return drafts


def _general_notes(contents: _Contents, layer: str | None, copies: int, renamed: list[str]) -> list[str]:
    """What the user should know about the drafts as a whole (told once, with the first)."""
    notes = []
    if copies > 1:
        notes.append(f"the data is in each of the {copies} dataset folders (hard links where the file system allows: no extra space)")
    if contents.skipped and layer is None:
        notes.append(f"left out the tables without geometry: {_listing(contents.skipped)}")
    if renamed:
        notes.append(f"copied {_listing(renamed)}: the name GDAL looks for beside the data file")
    return notes


# -- the source folder and the dataset ids -------------------------------------------------------------------------


def _check_source_folder(src: Path) -> None:
    if not (src / CATALOGUE_FILE).is_file():
        raise SourceError(f"{src}: no {CATALOGUE_FILE} here; start a source folder with 'geosite init {src}' (or name one with --into)")


def _check_data_path(path: Path, src: Path) -> None:
    """A missing file, a folder holding the source folder, a shapefile without its index or table, a file that
    would pose as the dataset's YAML."""
    if not path.exists():
        raise SourceError(Problem("no such file or folder", path))
    if path.is_dir() and src.resolve().is_relative_to(path.resolve()):
        raise SourceError(Problem(f"the source folder {src} is inside it; name the data file or folder itself", path))
    if path.name.lower() == DATASET_FILE:
        raise SourceError(Problem(f"a data file cannot be called {DATASET_FILE}; rename it", path))
    if path.suffix.lower() == ".shp":
        present = {Path(name).suffix.lower() for _, name in _sidecars(path)}
        missing = [f"{path.stem}{suffix}" for suffix in (".shx", ".dbf") if suffix not in present]
        if missing:
            raise SourceError(Problem(f"a shapefile needs {' and '.join(missing)} beside it (.shp + .shx + .dbf, + .prj)", path))


def _base_id(path: Path, dataset_id: str | None) -> str:
    """`--id`, checked as given, or an id made from the file name."""
    if dataset_id is not None:
        _check_id(dataset_id, "--id")
        return dataset_id
    base = _slug(_stem(path))
    if not base:
        raise SourceError(Problem("cannot make a dataset id from this file name; give one with --id", path))
    _check_id(base, "dataset id")
    return base


def _layer_ids(src: Path, base: str, layers: list[str | None]) -> list[str]:
    """`<id>-<layer>` per layer (`<id>` for a file's only one); none may exist yet."""
    ids = _unique([base if name is None else _trimmed(f"{base}-{_slug(name) or 'layer'}") for name in layers])
    for candidate in ids:
        _check_id(candidate, "dataset id")
    _check_new(src, ids)
    return ids


def _check_id(candidate: str, what: str) -> None:
    """The loader's rule for folder names; it also keeps '..', '/' and '\\' (escaping datasets/) out."""
    if not ID_PATTERN.match(candidate):
        raise SourceError(f"{what} {candidate!r}: a dataset id is 1-100 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit (it names the folder datasets/<id>/)")
    if candidate.lower() in RESERVED_IDS:
        raise SourceError(f"{what} {candidate!r} is reserved by geosite; choose another with --id")


def _check_new(src: Path, ids: list[str]) -> None:
    """Ids are unique regardless of case: an existing folder of the same name in any case is a clash."""
    root = src / DATASETS_DIR
    existing = {entry.name.lower(): entry.name for entry in os.scandir(root)} if root.is_dir() else {}
    for candidate in ids:
        if candidate.lower() in existing:
            raise SourceError(Problem(f"dataset '{existing[candidate.lower()]}' exists already; geosite add never overwrites: choose another id with --id", root / existing[candidate.lower()]))


def _stem(path: Path) -> str:
    """The file name without its suffix, and without an inner data suffix (`a.hgt.zip`, `a.shp.zip`)."""
    stem = Path(path.name).stem if path.suffix else path.name
    return Path(stem).stem if Path(stem).suffix.lower() in DATA_SUFFIXES else stem


def _slug(text: str) -> str:
    """Lower-case ASCII letters, digits, '_', '.' and '-' (accents dropped, anything else a '-'), as an id wants."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"\.{2,}", ".", re.sub(r"[^a-z0-9_.-]+", "-", ascii_text))
    return _trimmed(slug.strip("-_."))


def _trimmed(candidate: str) -> str:
    return candidate[:100].rstrip("-_.")


def _unique(ids: list[str]) -> list[str]:
    """Layer names that make the same id (regardless of case) get a number: roads, roads-2."""
    seen: set[str] = set()
    result = []
    for candidate in ids:
        unique, number = candidate, 1
        while unique.lower() in seen:
            number += 1
            unique = f"{_trimmed(candidate[:95])}-{number}"
        seen.add(unique.lower())
        result.append(unique)
    return result


# -- what the file holds: vector or raster, and its layers ---------------------------------------------------------


@dataclass
class _Contents:
    """What a data file holds: its kind ('vector', 'raster', 'geoparquet', 'raster-folder') and its layers."""

    kind: str
    layers: list[str] = field(default_factory=list)
    """The layers or variables that can be published (none for a plain raster)."""
    total: int = 1
    """How many layers the file has in all: with more than one, the YAML must name the layer to read."""
    skipped: list[str] = field(default_factory=list)
    """Tables without geometry in a file of several layers: nothing to map."""


def _contents(path: Path, original: Path) -> _Contents:
    """What the file holds; GDAL tries the likelier kind first (raster for .tif, .nc…; vector for the rest).
    `path` is the copy being read, `original` the file named in messages."""
    probes = [_raster_layers, _vector_layers]
    if _is_parquet(path):
        probes = [_parquet_layers]
    elif path.is_dir() or path.suffix.lower() not in RASTER_SUFFIXES:
        probes.reverse()
    reasons = []
    for probe in probes:
        try:
            return probe(path)
        except _NotThisKind as exc:
            reasons.append(str(exc))
    if path.is_dir() and _raster_files(path):
        return _Contents("raster-folder")
    raise SourceError(Problem(f"GDAL cannot open it as vector or raster data ({'; '.join(dict.fromkeys(reasons))})", original))


class _NotThisKind(Exception):
    pass


def _vector_layers(path: Path) -> _Contents:
    """The layers; in a file of several, tables without geometry are left out (a CSV's only layer has none yet)."""
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            listed = [(str(name), kind) for name, kind in pyogrio.list_layers(path)]
        except Exception as exc:  # pyogrio's DataSourceError, or an OSError for unreadable files
            raise _NotThisKind(_gdal_reason(exc, path)) from None
    if not listed:
        raise _NotThisKind("no layers")
    if len(listed) == 1:
        return _Contents("vector", [listed[0][0]])
    return _Contents("vector", [n for n, kind in listed if kind], len(listed), [n for n, kind in listed if not kind])


def _raster_layers(path: Path) -> _Contents:
    """A raster, or a NetCDF/HDF5 file of several variables (GDAL's subdatasets, named as source.variable names them)."""
    import rasterio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with rasterio.open(path) as src:
                count, subdatasets = src.count, list(src.subdatasets)
        except Exception as exc:  # RasterioIOError, or an OSError for unreadable files
            raise _NotThisKind(_gdal_reason(exc, path)) from None
    if count == 0 and not subdatasets:
        raise _NotThisKind("no bands and no variables")
    variables = [sub.rsplit(":", 1)[-1] for sub in subdatasets] if count == 0 else []
    return _Contents("raster", variables, max(len(variables), 1))


def _parquet_layers(path: Path) -> _Contents:
    """GeoParquet is read with pyarrow, as the build reads it; Parquet without 'geo' metadata is the loader's error."""
    from pyarrow import ArrowInvalid

    from generator.data.vector_read import geoparquet_metadata

    try:
        geoparquet_metadata(path)
    except (ArrowInvalid, OSError) as exc:
        raise _NotThisKind(_gdal_reason(exc, path)) from None
    return _Contents("geoparquet")


def _chosen_layers(path: Path, contents: _Contents, layer: str | None, all_layers: bool) -> list[str | None]:
    """The layers to draft (None: the file's only one, read without naming it); several and no choice is an error."""
    names = contents.layers
    if layer is not None and all_layers:
        raise SourceError(Problem("give --layer NAME or --all-layers, not both", path))
    if layer in contents.skipped:
        raise SourceError(Problem(f"layer {layer!r} is a table without geometry: there is nothing to map; it has {_listing(names)}", path))
    if layer is not None and layer not in names:
        raise SourceError(Problem(f"no layer {layer!r} here; {f'it has {_listing(names)}' if names else 'it has no layers or variables to choose from'}", path))
    if layer is not None:
        return [layer]
    if contents.total > 1 and not names:
        raise SourceError(Problem(f"none of its {contents.total} layers has geometry: there is nothing to map", path))
    if len(names) > 1 and not all_layers:
        raise SourceError(Problem(f"it has {len(names)} layers ({_listing(names)}); choose one with --layer NAME, or draft one dataset per layer with --all-layers", path))
    return list(names) if contents.total > 1 else [None]


def _listing(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _described(data: Path, original: Path, contents: _Contents, chosen: list[str | None]) -> list[Facts]:
    """The facts of each chosen layer; a problem names the user's file, not the copy being read."""
    try:
        facts = [_facts(data, contents.kind, name, several=contents.total > 1) for name in chosen]
    except SourceError as exc:
        raise SourceError([_about_original(problem, data, original) for problem in exc.problems]) from None
    for fact in facts:
        fact.name_date = _date_in_name(original.name)
    return facts


def _date_in_name(name: str) -> str | None:
    """A date written in a file name as a time series names its steps (2021-06-30, 20210630), if a real one."""
    from generator.data.raster import DATE_IN_NAME

    match = DATE_IN_NAME.search(name)
    try:
        return date(*(int(part) for part in match.groups())).isoformat() if match else None
    except ValueError:
        return None


def _about_original(problem: Problem, data: Path, original: Path) -> Problem:
    """A problem found in the staged copy (or a file in a copied folder), told about the user's own file."""
    if problem.file is None or not problem.file.is_relative_to(data):
        return problem
    return replace(problem, file=original / problem.file.relative_to(data))


def _facts(path: Path, kind: str, layer: str | None, several: bool) -> Facts:
    """What one layer says about itself, read the way the build will read that kind of data."""
    if kind == "raster":
        return _raster_facts(path, layer, several)
    if kind == "raster-folder":
        return _raster_folder_facts(path)
    if kind == "geoparquet":
        return _geoparquet_facts(path)
    return _vector_facts(path, layer, several)


# -- vector data --------------------------------------------------------------------------------------------------


def _vector_facts(path: Path, layer: str | None, several: bool) -> Facts:
    """Title, CRS, extent, geometry, count, fields and time of one layer, as GDAL reads them."""
    options = _csv_options(path) if _is_csv(path) else {}
    info = _vector_info(path, layer, options)
    own_title, file_title, description = _vector_texts(path, info, layer)
    facts = Facts(own_title or _title(file_title, path, layer if several else None), description)
    facts.notes += [] if own_title or file_title else [_untitled_note(description)]
    facts.options = ({"layer": layer} if layer is not None else {}) | options
    crs = _vector_crs(info, options, facts)
    geometry = _geometry_label(path, layer, info, options)
    count = int(info.get("features", -1))
    facts.summary = f"{_count(count, geometry + ' feature')}, {crs or 'no CRS'}"
    header = f"{_count(count, 'feature')}, geometry {geometry}, CRS {crs or 'none named in the file'}"
    fields = _field_lines([(str(n), str(t).removeprefix("OFT")) for n, t in zip(info["fields"], info.get("ogr_types", info["dtypes"]))])
    facts.details = [header, *facts.details, *fields]
    _vector_time(path, layer, info, count, facts)
    _csv_notes(path, options, facts)
    return facts


def _vector_info(path: Path, layer: str | None, options: dict[str, str]) -> dict[str, Any]:
    """GDAL's account of a layer, with an exact count and extent (slow drivers such as GML are scanned)."""
    import pyogrio

    from generator.data.vector_read import open_options

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pyogrio.read_info(path, layer=layer, force_feature_count=True, force_total_bounds=True, **open_options(options))
        except Exception as exc:  # DataSourceError, DataLayerError
            raise SourceError(Problem(f"GDAL cannot read it: {_gdal_reason(exc, path)}", path)) from None


def _vector_texts(path: Path, info: dict[str, Any], layer: str | None) -> tuple[str | None, str | None, str | None]:
    """(the layer's own title, the file's title, a description) from GDAL metadata and the files GDAL does not read."""
    layer_metadata, dataset_metadata = info.get("layer_metadata") or {}, info.get("dataset_metadata") or {}
    own = _metadata_text(layer_metadata, TITLE_KEYS)
    if own == (layer or info.get("layer_name")):  # a GeoPackage identifier that only repeats the table name
        own = None
    extra_title, extra_description = _sidecar_texts(path)
    file_title = _metadata_text(dataset_metadata, TITLE_KEYS) or extra_title
    description = _metadata_text(layer_metadata, DESCRIPTION_KEYS) or _metadata_text(dataset_metadata, DESCRIPTION_KEYS) or extra_description
    return own, file_title, description


def _vector_crs(info: dict[str, Any], options: dict[str, str], facts: Facts) -> str | None:
    """The CRS label and the CRS84 extent; without a CRS, a commented `crs:` line and a note (never a guess)."""
    from generator.data.vector_read import default_crs

    crs = info.get("crs") or default_crs(options)
    bounds = info.get("total_bounds")
    bounds = tuple(float(v) for v in bounds) if bounds is not None and all(v == v for v in bounds) else None
    if crs:
        facts.extent = _crs84_extent(bounds, crs)
        return _crs_label(crs) if info.get("crs") else "WGS 84 longitude/latitude (how the build reads lon/lat columns)"
    degrees = bounds is not None and _looks_like_degrees(bounds)
    _ask_for_crs(facts, "EPSG:4326" if degrees else None)
    if bounds is not None:
        facts.details.append(f"extent in the file's own coordinates: {_box_text(bounds)}")
    return None


def _ask_for_crs(facts: Facts, suggestion: str | None) -> None:
    """A commented `crs:` line under source (with a suggestion when the coordinates look like degrees) and a note."""
    if suggestion:
        facts.hints.append(f"# crs: {suggestion}   # the file names no CRS; its coordinates look like longitude/latitude degrees: uncomment if they are")
    else:
        facts.hints.append("# crs: EPSG:????   # the file names no CRS: write the data's CRS here and uncomment (it is never guessed)")
    facts.notes.append("the file names no CRS: set crs: under source (the build stops until it is set)")


def _geometry_label(path: Path, layer: str | None, info: dict[str, Any], options: dict[str, str]) -> str:
    """The declared geometry type, or the types found in the features when the file declares none (KML, GML)."""
    declared = info.get("geometry_type")
    if declared and declared != "Unknown":
        return declared
    if not 0 <= int(info.get("features", -1)) <= GEOMETRY_SCAN_LIMIT:
        return "mixed"
    return "/".join(_geometry_types(path, layer, options)) or "no geometry"


def _geometry_types(path: Path, layer: str | None, options: dict[str, str]) -> list[str]:
    """The geometry type names present in the features, read without the attributes."""
    import numpy as np
    import pyogrio
    import shapely

    from generator.data.vector_read import TYPE_NAMES, open_options

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        meta, table = pyogrio.read_arrow(path, layer=layer, columns=[], **open_options(options))
    name = meta.get("geometry_name") or "wkb_geometry"
    if name not in table.column_names:
        return []
    geometries = shapely.from_wkb(table.column(name).to_numpy(zero_copy_only=False), on_invalid="ignore")
    codes = np.unique(shapely.get_type_id(geometries[~shapely.is_missing(geometries)]))
    return [TYPE_NAMES[code] for code in codes if 0 <= code < len(TYPE_NAMES)]


def _vector_time(path: Path, layer: str | None, info: dict[str, Any], count: int, facts: Facts) -> None:
    """The time range of the first date or date-time column that has values; other such columns get a note."""
    candidates = _date_fields(path, layer, info)
    if not candidates or count > TIME_SCAN_LIMIT:
        return
    ranges = [(name, _column_range(path, layer, name)) for name in candidates]
    _time_from_columns([(name, found) for name, found in ranges if found is not None], facts)


def _time_from_columns(ranges: list[tuple[str, tuple[str, str, bool]]], facts: Facts) -> None:
    """`time:` from the first column with values; the user is told of the others and of missing time zones."""
    if not ranges:
        return
    (name, (start, end, naive)), others = ranges[0], [other for other, _ in ranges[1:]]
    facts.time, facts.time_origin = (start, end), f"the earliest and latest value of column {_comment(repr(name))}"
    if naive:
        facts.notes.append(f"the times in column {name!r} name no time zone; time: takes them as UTC")
    if others:
        facts.notes.append(f"time: comes from column {name!r}; {'columns' if len(others) > 1 else 'column'} {_listing([repr(o) for o in others])} also hold{'' if len(others) > 1 else 's'} dates")


def _date_fields(path: Path, layer: str | None, info: dict[str, Any]) -> list[str]:
    """Date and date-time columns; in a CSV, where GDAL reads every column as text, those that look like dates."""
    if _is_csv(path):
        info = _csv_info_typed(path)
    types = info.get("ogr_types") or []
    return [str(name) for name, kind in zip(info["fields"], types) if kind in ("OFTDate", "OFTDateTime")]


def _csv_info_typed(path: Path) -> dict[str, Any]:
    """The CSV's columns with the types GDAL detects from the values (the build itself reads them as text)."""
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pyogrio.read_info(path, AUTODETECT_TYPE="YES", AUTODETECT_SIZE_LIMIT="0")


def _column_range(path: Path, layer: str | None, name: str) -> tuple[str, str, bool] | None:
    """(earliest, latest, whether the values lacked a time zone) of one column, or None when it holds no values."""
    import pyogrio

    extra = {"AUTODETECT_TYPE": "YES", "AUTODETECT_SIZE_LIMIT": "0"} if _is_csv(path) else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _, table = pyogrio.read_arrow(path, layer=layer, columns=[name], read_geometry=False, **extra)
        except Exception:  # a column GDAL lists but cannot read back: no time range, not a failure
            return None
    return _arrow_range(table.column(name))


def _arrow_range(column) -> tuple[str, str, bool] | None:
    """(earliest, latest, naive) of a date or timestamp column; None for other types or a column of nulls."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_date(column.type) or pa.types.is_timestamp(column.type)):
        return None
    low, high = pc.min_max(column).values()
    if not low.is_valid:
        return None
    naive = pa.types.is_timestamp(column.type) and column.type.tz is None
    return _iso(low.as_py()), _iso(high.as_py()), naive


# -- CSV ----------------------------------------------------------------------------------------------------------


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() in (".csv", ".tsv")


def _csv_options(path: Path) -> dict[str, str]:
    """`lon` and `lat` when the CSV has longitude and latitude columns, else `wkt` when a column holds WKT."""
    columns = [str(name) for name in _vector_info(path, None, {})["fields"]]
    lon, lat = _named_column(columns, LON_NAMES), _named_column(columns, LAT_NAMES)
    if lon and lat:
        return {"lon": lon, "lat": lat}
    wkt = _wkt_column(path, columns)
    return {"wkt": wkt} if wkt else {}


def _named_column(columns: list[str], words: tuple[str, ...]) -> str | None:
    """The first column named one of `words` (any case), else the first whose name starts with one (`longitude_deg`)."""
    lowered = {name.lower(): name for name in reversed(columns)}
    for word in words:
        if word in lowered:
            return lowered[word]
    for word in (w for w in words if w in PREFIX_NAMES):
        for name in columns:
            if re.match(rf"{word}[\s_(\[-]", name.lower()):
                return name
    return None


def _wkt_column(path: Path, columns: list[str]) -> str | None:
    """The first column whose first value is WKT text, such as `POINT (1 2)` or `SRID=4326;POLYGON ((…))`."""
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, table = pyogrio.read_arrow(path, max_features=20, read_geometry=False)
    for name in columns:
        values = [v for v in table.column(name).to_pylist() if isinstance(v, str) and v.strip()] if name in table.column_names else []
        if values and WKT_VALUE.match(values[0]):
            return name
    return None


def _csv_notes(path: Path, options: dict[str, str], facts: Facts) -> None:
    """A CSV without recognised columns gets placeholders; lon/lat values beyond ±180/±90 are not degrees."""
    if not _is_csv(path):
        return
    if not options:
        facts.hints = ["# lon: <the column of longitudes>   # name the point columns…", "# lat: <the column of latitudes>", "# wkt: <the column of WKT geometries>   # …or the WKT column (and crs:)"]
        facts.notes = ["no longitude/latitude or WKT column recognised: name them under source (lon and lat, or wkt)"]
    elif "lon" in options and facts.extent is not None and not _looks_like_degrees(facts.extent):
        facts.hints.append("# crs: EPSG:????   # the lon/lat columns hold values beyond ±180/±90: if they are x/y in a projected CRS, name it")
        facts.notes.append(f"columns {options['lon']!r}/{options['lat']!r} do not look like degrees: set crs: under source if they are projected x/y")


# -- GeoParquet (read with pyarrow, as the build does) ------------------------------------------------------------


def _geoparquet_facts(path: Path) -> Facts:
    """CRS, extent, geometry types and count from the GeoParquet metadata; fields and time from the Arrow schema."""
    import pyarrow.parquet as pq

    from generator.data.vector_read import geoparquet_metadata, inspect_geoparquet

    info, geo = inspect_geoparquet(path), geoparquet_metadata(path)
    schema = pq.read_schema(path)
    facts = Facts(_title(_metadata_text({k.decode(errors="replace"): v.decode(errors="replace") for k, v in (schema.metadata or {}).items()}, ("title",)), path, None))
    geometry = "/".join(info.details.get("geometry_type") or []) or "mixed"
    crs = _crs_label(info.crs)
    facts.extent = _crs84_extent(info.bbox, info.crs)
    facts.summary = f"{_count(info.count, geometry + ' feature')}, {crs}"
    facts.details = [f"{_count(info.count, 'feature')}, geometry {geometry}, CRS {crs}"]
    fields = [(f.name, str(f.type)) for f in schema if f.name != geo["primary_column"] and f.name != "bbox"]
    facts.details += _field_lines(fields)
    _parquet_time(path, [f.name for f in schema if _is_time_type(f.type)], facts)
    return facts


def _is_time_type(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_date(kind) or pa.types.is_timestamp(kind)


def _parquet_time(path: Path, columns: list[str], facts: Facts) -> None:
    import pyarrow.parquet as pq

    ranges = [(name, _arrow_range(pq.read_table(path, columns=[name]).column(name))) for name in columns]
    _time_from_columns([(name, found) for name, found in ranges if found is not None], facts)


# -- raster data --------------------------------------------------------------------------------------------------


def _raster_facts(path: Path, variable: str | None, several: bool) -> Facts:
    """Title, CRS, extent, size, bands, data types, nodata and time of a raster or of one NetCDF/HDF5 variable."""
    import rasterio

    from generator.data.raster import gdal_name

    if variable is not None and not VARIABLE_PATTERN.match(variable):
        raise SourceError(Problem(f"variable {variable!r} cannot be named in source.variable (letters, digits, '_', '.', '/', '-', not starting with '/')", path))
    options = {"variable": variable} if variable is not None else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with rasterio.open(gdal_name(path, options)) as src:
            facts = _raster_description(path, src, variable, several)
            facts.options = options
            _raster_crs(path, src, facts)
            _raster_details(src, facts)
            _raster_time(src.tags(), facts)
    return facts


def _raster_description(path: Path, src, variable: str | None, several: bool) -> Facts:
    """Title and description from GDAL metadata, NetCDF attributes or the TIFF image description."""
    tags = src.tags()
    image = (tags.get("TIFFTAG_IMAGEDESCRIPTION") or "").strip()
    image = "" if image.startswith("<") else image  # XML (OME, GDAL PAM) is not prose
    short = image if image and "\n" not in image and len(image) <= SHORT_TITLE else ""
    file_title = _metadata_text(tags, TITLE_KEYS) or short or None
    description = _metadata_text(tags, DESCRIPTION_KEYS) or (image if image and image != file_title else None)
    layer_title = (tags.get(f"{variable}#long_name") or variable) if variable else None
    base = file_title or _readable(_stem(path))
    title = f"{base} – {layer_title}" if layer_title and several else base
    return Facts(title, description, notes=[] if file_title else [_untitled_note(description)])


def _raster_crs(path: Path, src, facts: Facts) -> None:
    """The CRS label and CRS84 extent; a raster with neither CRS nor georeferencing cannot be published at all."""
    if src.crs:
        facts.extent = _crs84_extent(tuple(src.bounds), src.crs.to_wkt())
        return
    if src.transform.is_identity and not src.gcps[0]:
        raise SourceError(Problem("the raster is not georeferenced (no CRS and no pixel coordinates); geosite publishes maps only", path))
    _ask_for_crs(facts, "EPSG:4326" if _looks_like_degrees(tuple(src.bounds)) else None)
    facts.details.append(f"extent in the file's own coordinates: {_box_text(tuple(src.bounds))}")


def _raster_details(src, facts: Facts) -> None:
    """Size, bands, types, nodata and resolution as comment lines, and the summary."""
    crs = _crs_label(src.crs.to_wkt()) if src.crs else "no CRS"
    dtypes = "/".join(dict.fromkeys(src.dtypes))
    bands = f"{_count(src.count, 'band')} {dtypes}"
    nodata = "none" if src.nodata is None else _number(src.nodata)
    facts.summary = f"{src.width} x {src.height} pixels, {bands}, {crs}"
    facts.details.insert(0, f"{src.width} x {src.height} pixels of {_number(src.res[0])} x {_number(src.res[1])}, {bands}, nodata {nodata}, CRS {crs}")
    for index in range(src.count):
        units = f"units {src.units[index]}" if src.units[index] else None
        about = [text for text in (src.descriptions[index], src.colorinterp[index].name, units) if text and text not in ("undefined", "gray")]
        if about and index < 20:
            facts.details.append(f"band {index + 1}: {', '.join(about)}")


def _raster_time(tags: dict[str, str], facts: Facts) -> None:
    """From a NetCDF time dimension, else from the TIFF date-time tag (which may say when the file was made)."""
    found = _netcdf_time(tags)
    if found:
        facts.time, facts.time_origin = found
        return
    stamp = re.fullmatch(r"(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})", (tags.get("TIFFTAG_DATETIME") or "").strip())
    if stamp:
        try:
            moment = datetime(*(int(part) for part in stamp.groups()))
        except ValueError:
            return
        facts.time, facts.time_origin = (_iso(moment),) * 2, "the TIFF date-time tag"
        facts.notes.append("time: is the TIFF's date-time tag, without a time zone (taken as UTC); it may be when the file was made rather than what it shows")


CF_TIME_UNITS = re.compile(r"\s*(day|hour|minute|second|millisecond)s?\s+since\s+(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d*)?)?)?")
"""CF time units, 'days since 2000-01-01' or 'hours since 1970-01-01 00:00:00' (a time zone, if any, taken as UTC)."""
CF_CALENDARS = ("standard", "gregorian", "proleptic_gregorian")


def _netcdf_time(tags: dict[str, str]) -> tuple[tuple[str, str], str] | None:
    """The first and last step of a NetCDF time dimension in a standard calendar, as GDAL lists them."""
    for dim in (tags.get("NETCDF_DIM_EXTRA") or "").strip("{}").split(","):
        calendar = (tags.get(f"{dim}#calendar") or "standard").lower()
        values = _numbers(tags.get(f"NETCDF_DIM_{dim}_VALUES") or "")
        found = _cf_time_range(tags.get(f"{dim}#units") or "", values) if calendar in CF_CALENDARS and values else None
        if found:
            return found, f"the first and last step of the NetCDF dimension {_comment(repr(dim))}"
    return None


def _cf_time_range(units: str, values: list[float]) -> tuple[str, str] | None:
    """(first, last) of steps counted in CF `units`; dates when the steps are whole days from a midnight."""
    match = CF_TIME_UNITS.match(units)
    if not match:
        return None
    unit, parts = match.group(1), [int(part) for part in match.groups()[1:] if part is not None]
    try:
        origin = datetime(*parts)
        first, last = (origin + timedelta(**{f"{unit}s": value}) for value in (min(values), max(values)))
    except (ValueError, OverflowError):  # year 0, or steps beyond year 9999: no time range
        return None
    as_dates = unit == "day" and origin.time() == datetime.min.time() and all(v == int(v) for v in values)
    return (_iso(first.date()), _iso(last.date())) if as_dates else (_iso(first), _iso(last))


def _numbers(text: str) -> list[float]:
    try:
        return [float(v) for v in text.strip("{}").split(",") if v.strip()]
    except ValueError:
        return []


def _raster_folder_facts(path: Path) -> Facts:
    """A folder of rasters is one dataset: described by its first file, as the build describes it."""
    files = _raster_files(path)
    facts = _raster_facts(files[0], None, False)
    facts.title = _readable(_stem(path))
    facts.notes = [note for note in facts.notes if not note.startswith(("no title", "time:"))] + ["the title is made from the folder name"]
    facts.time, facts.time_origin = None, "left out: the build takes the first and last date in the file names (YYYY-MM-DD) when every name has one"
    facts.summary = f"{len(files)} raster files; the first: {facts.summary}"
    facts.details.insert(0, f"{len(files)} raster files ({_listing([f.name for f in files], 5)}); the lines below describe the first")
    return facts


def _raster_files(folder: Path) -> list[Path]:
    from generator.data.inspect import RASTER_SUFFIXES as BUILD_SUFFIXES

    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in BUILD_SUFFIXES)


# -- titles and descriptions that GDAL does not read ---------------------------------------------------------------


def _sidecar_texts(path: Path) -> tuple[str | None, str | None]:
    """A KML document's name and description, or a Shapefile's .shp.xml metadata (ArcGIS, FGDC or ISO 19139)."""
    if path.suffix.lower() == ".kml":
        return _xml_texts(path, ("name",), ("description",), parent="Document")
    metadata = next((p for p, name in _sidecars(path) if name.endswith(".shp.xml")), None) if path.suffix.lower() == ".shp" else None
    if metadata is not None:
        return _xml_texts(metadata, ("resTitle", "title"), ("idAbst", "abstract"), parent=None)
    return None, None


def _xml_texts(path: Path, title_tags: tuple[str, ...], description_tags: tuple[str, ...], parent: str | None) -> tuple[str | None, str | None]:
    """The first element named one of `title_tags` / `description_tags` (namespaces ignored), only as a child of
    `parent` when one is named (a KML Document's name, not its folders' or placemarks')."""
    import xml.etree.ElementTree as ElementTree

    found: dict[str, str] = {}
    stack: list[str] = []
    try:
        for event, element in ElementTree.iterparse(path, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "Placemark" or len(found) == 2:  # past a KML document's own name and description
                    break
                stack.append(tag)
                continue
            stack.pop()
            if tag in title_tags + description_tags and (parent is None or stack[-1:] == [parent]):
                text = "".join(element.itertext()).strip()
                if text:
                    found.setdefault("title" if tag in title_tags else "description", " ".join(text.split()) if tag in title_tags else _plain_text(text))
    except (ElementTree.ParseError, OSError):
        pass
    return found.get("title"), found.get("description")


def _plain_text(text: str) -> str:
    """Metadata descriptions often hold escaped HTML; the page shows Markdown, so tags are dropped."""
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"<[^>]{1,200}>", "", text)).strip() if "<" in text else text


# -- placing the data: a copy (with its sidecars) in each dataset folder, or a reference to it -----------------------


@contextmanager
def _staged(path: Path, src: Path, link: bool) -> Iterator[tuple[Path, list[str]]]:
    """The data as the build will read it, and the sidecars renamed on the way: the file itself with --link, else
    a copy in a hidden folder of datasets/ (the loader skips those), moved into place by _place_data or removed."""
    if link:
        yield path, []
        return
    (src / DATASETS_DIR).mkdir(exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".geosite-add-", dir=src / DATASETS_DIR))
    try:
        try:
            renamed = _copy_data(path, stage)
        except OSError as exc:
            raise SourceError(Problem(f"cannot copy it into {src / DATASETS_DIR}: {exc.strerror or exc}", path)) from None
        yield stage / path.name, renamed
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _copy_data(path: Path, folder: Path) -> list[str]:
    """Copy the file and its sidecars, or the folder (a File Geodatabase); returns the sidecars given the name
    GDAL looks for (`ROADS.Prj` beside `roads.shp` becomes `roads.prj`: GDAL would not read it otherwise)."""
    if path.is_dir():
        shutil.copytree(path, folder / path.name)
        return []
    shutil.copy2(path, folder / path.name)
    renamed = []
    for part, name in _sidecars(path):
        shutil.copy2(part, folder / name)
        renamed += [f"{part.name} as {name}"] if part.name != name else []
    return renamed


def _place_data(path: Path, data: Path, src: Path, ids: list[str], link: bool) -> list[str]:
    """The `source` path of each draft, relative to its dataset.yaml. The staged copy moves into the first dataset
    folder; the others get hard links to it (copies across file systems)."""
    if link:
        return [_linked_path(path, src, dataset) for dataset in ids]
    folders = [src / DATASETS_DIR / dataset for dataset in ids]
    try:
        for folder in folders:
            folder.mkdir()
        for item in sorted(data.parent.iterdir()):
            item.replace(folders[0] / item.name)
            for folder in folders[1:]:
                _link_copy(folders[0] / item.name, folder / item.name)
    except OSError as exc:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        raise SourceError(Problem(f"cannot copy it into {src / DATASETS_DIR}: {exc.strerror or exc}", path)) from None
    return [path.name] * len(ids)


def _link_copy(source: Path, target: Path) -> None:
    """A hard link (no extra space) where the file system allows, else a copy; folders link file by file."""
    if source.is_dir():
        shutil.copytree(source, target, copy_function=_link_or_copy)
    else:
        _link_or_copy(source, target)


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _sidecars(path: Path) -> list[tuple[Path, str]]:
    """The files beside `path` that belong to it (`.shx`, `.dbf`, `.prj`, `.aux.xml`…) in any case, each with the
    name GDAL looks for: the data file's own stem (or name) and a lower-case ending."""
    if path.is_dir() or not path.parent.is_dir():
        return []
    endings = {path.stem.lower() + ending: path.stem + ending for ending in SIDECARS.get(path.suffix.lower(), ())}
    endings |= {path.name.lower() + ending: path.name + ending for ending in ANY_SIDECARS}
    return sorted((p, endings[p.name.lower()]) for p in path.parent.iterdir() if p.name.lower() in endings and p.is_file() and p != path)


def _linked_path(path: Path, src: Path, dataset: str) -> str:
    """The data where it is, relative to the dataset folder; the build reads only data inside the source folder."""
    target, root = path.resolve(), src.resolve()
    if not target.is_relative_to(root):
        raise SourceError(Problem(f"--link keeps data where it is, but the build reads only data inside the source folder {src} (links included); move it there first, or leave out --link to copy it", path))
    return os.path.relpath(target, root / DATASETS_DIR / dataset)


# -- writing the YAML ----------------------------------------------------------------------------------------------


def _write_draft(src: Path, dataset: str, facts: Facts, source: str, path: Path, link: bool) -> Draft:
    """Write datasets/<id>/dataset.yaml and check it against the schema the build will use."""
    folder = src / DATASETS_DIR / dataset
    folder.mkdir(parents=True, exist_ok=True)
    yaml_path = folder / DATASET_FILE
    yaml_path.write_text(_draft_yaml(facts, source, _origin(path, facts)), encoding="utf-8")
    _check_draft(yaml_path)
    notes = list(facts.notes)
    if link:
        notes.append(f"source: points at {source}; moving or renaming that file breaks the build")
    return Draft(yaml_path, facts.summary, notes)


def _check_draft(yaml_path: Path) -> None:
    """The draft must hold only keys the schema accepts; a failure here is a bug in geosite add, reported as such."""
    from generator.source.validate import validate_document
    from generator.source.yamlfile import read_yaml

    problems = validate_document(read_yaml(yaml_path), "dataset.schema.json")
    if problems:
        raise SourceError(Problem(f"geosite add drafted something the schema refuses (a bug; please report it): {problems[0].key}: {problems[0].message}", yaml_path, problems[0].line))


def _origin(path: Path, facts: Facts) -> str:
    layer = facts.options.get("layer") or facts.options.get("variable")
    return _comment(path.name) + (f" ({'variable' if 'variable' in facts.options else 'layer'} {_comment(repr(layer))})" if layer else "")


def _draft_yaml(facts: Facts, source: str, origin: str) -> str:
    """The text of dataset.yaml: keys drafted from the data, comments for what the schema has no key for."""
    lines = [f"# Drafted by geosite add from {origin}. Check every line, then: geosite build",
             "# Keys and options: dataset.schema.json, or the README's 'The source format'.",
             f"title: {yaml_text(facts.title, 2)}"]
    lines += [f"description: {yaml_text(facts.description, 2)}"] if facts.description else ["# description: |", "#   What the data is, where it comes from, how it was made (Markdown)."]
    lines += ["# keywords: [one, two]", "# license: CC-BY-4.0                # leave out to use the catalogue's licence"]
    lines += _time_lines(facts)
    lines += ["#", "# What geosite add found in the data (the build reads it again; these lines are only for you):"]
    lines += [f"#   {_comment(line)}" for line in facts.details]
    if facts.extent is not None:
        lines.append(f"#   extent, WGS 84 longitude/latitude: {_box_text(facts.extent)} (measured by every build, so no bbox key)")
    return "\n".join(lines + _source_lines(facts, source)) + "\n"


def _time_lines(facts: Facts) -> list[str]:
    """`time:` as an instant or an interval, with where it came from; a commented example when there is none."""
    if facts.time is None and facts.name_date and not facts.time_origin:
        return [f"# time: {facts.name_date}   # the date in the file name: uncomment it if it is the data's date"]
    if facts.time is None:
        return [f"# time: {{start: 2020-01-01, end: 2020-12-31}}   # {facts.time_origin or 'no dates found in the data'}"]
    start, end = facts.time
    if start == end:
        return [f"time: {start}   # {facts.time_origin}"]
    return [f"time:   # {facts.time_origin}", f"  start: {start}", f"  end: {end}"]


def _source_lines(facts: Facts, source: str) -> list[str]:
    if not facts.options and not facts.hints:
        return [f"source: {yaml_text(source, 2)}"]
    lines = ["source:", f"  path: {yaml_text(source, 4)}"]
    lines += [f"  {key}: {yaml_text(value, 4)}" for key, value in facts.options.items()]
    return lines + [f"  {hint}" for hint in facts.hints]


def yaml_text(text: str, indent: int) -> str:
    """`text` as a YAML scalar that reads back as exactly `text`: plain when that is safe, a literal block for
    several lines, else double-quoted (with escapes for quotes, `: `, `#`, control and line-break characters)."""
    import yaml

    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be written
    candidates = [text] if re.fullmatch(r"[\w(][\w .,()/'&+-]*", text) and not text.endswith(" ") else []
    if "\n" in text.strip("\n"):
        candidates.append("|-\n" + "\n".join(" " * indent + line if line else "" for line in text.split("\n")))
    candidates.append(yaml.safe_dump(text, default_style='"', allow_unicode=True, width=1 << 30).removesuffix("\n"))
    for candidate in candidates:
        if _reads_back(candidate, text, indent):
            return candidate
    raise ValueError(f"cannot write {text!r} as YAML")  # unreachable: PyYAML's double-quoted style escapes everything


def _reads_back(candidate: str, text: str, indent: int) -> bool:
    """Whether `candidate`, written as a value at this indent, is read back by YAML as exactly `text`."""
    import yaml

    key = " " * (indent - 2) + "k"
    try:
        document = yaml.safe_load(f"{key}: {candidate}\n" if indent == 2 else f"a:\n{key}: {candidate}\n")
    except yaml.YAMLError:
        return False
    value = document.get("k") if indent == 2 else (document.get("a") or {}).get("k")
    return value == text


# -- small helpers -------------------------------------------------------------------------------------------------


def _metadata_text(metadata: dict[str, str] | None, keys: tuple[str, ...]) -> str | None:
    """The first non-empty value among `keys` (any case) of a GDAL metadata dictionary."""
    lowered = {str(k).lower(): v for k, v in (metadata or {}).items()}
    for key in keys:
        value = lowered.get(key.lower())
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _title(file_title: str | None, path: Path, layer: str | None) -> str:
    base = file_title or _readable(_stem(path))
    return f"{base} – {layer}" if layer else base


def _readable(stem: str) -> str:
    """`ne_110m_admin-0_countries` → `Ne 110m admin 0 countries`: a stop-gap title the user is asked to improve."""
    words = " ".join(re.sub(r"[_\-.]+", " ", stem).split()) or stem
    return words[:1].upper() + words[1:]


def _untitled_note(description: str | None) -> str:
    return "no title in the file's metadata: the title is made from the file name" + ("" if description else ", and there is no description")


def _crs_label(crs: str) -> str:
    """`EPSG:4267 (NAD27)`, or the CRS's name when it has no EPSG code."""
    from pyproj import CRS

    try:
        parsed = CRS.from_user_input(crs)
    except Exception:  # pyproj.exceptions.CRSError: show what the file says
        return _comment(str(crs))[:80]
    code = parsed.to_epsg()
    authority = parsed.to_authority() if code is None else None
    label = f"EPSG:{code}" if code else (":".join(authority) if authority else "")
    return f"{label} ({parsed.name})" if label else parsed.name


def _crs84_extent(bounds: tuple[float, ...] | None, crs: str) -> BBox | None:
    """The extent in WGS 84 longitude/latitude, transformed as the loader transforms it."""
    from pyproj import CRS

    from generator.data.inspect import to_crs84

    if bounds is None:
        return None
    try:
        return to_crs84(tuple(bounds), CRS.from_user_input(crs))
    except Exception:  # a CRS PROJ cannot transform from: no extent comment, the build will say more
        return None


def _looks_like_degrees(bounds: tuple[float, ...]) -> bool:
    west, south, east, north = bounds
    return -180 <= west <= east <= 360 and -90 <= south <= north <= 90


def _box_text(bounds: tuple[float, ...]) -> str:
    return "[" + ", ".join(_number(v) for v in bounds) + "]"


def _number(value: float) -> str:
    return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"


def _count(count: int, noun: str) -> str:
    """`1 Point feature`, `100 Point features`, or `an unknown number of …` when the driver cannot count."""
    if count < 0:
        return f"an unknown number of {noun}s"
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _field_lines(fields: list[tuple[str, str]]) -> list[str]:
    """The attribute fields with their types, wrapped into comment lines of about 100 characters."""
    if not fields:
        return ["no attribute fields"]
    lines, line = [], "fields:"
    for name, kind in fields:
        item = f" {_comment(name)} ({kind}),"
        if len(line) + len(item) > 100:
            lines.append(line)
            line = "  "
        line += item
    return lines + [line.rstrip(",")]


def _comment(text: str) -> str:
    """Text safe inside a YAML comment: control and line-break characters (which would end the comment) escaped."""
    return "".join(ch if unicodedata.category(ch) not in ("Cc", "Zl", "Zp", "Cs") else repr(ch)[1:-1] for ch in str(text))


def _iso(value: date | datetime) -> str:
    """A date as YYYY-MM-DD; a date-time in UTC with a Z (one without a time zone is taken as UTC)."""
    if isinstance(value, datetime):
        moment = value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
        return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds") + "Z"
    return value.isoformat()


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".geoparquet")


def _gdal_reason(exc: Exception, path: Path) -> str:
    """GDAL's first line, without the absolute path (the message names the file already) or advice about drivers."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for written in (f"'/vsizip/{path}'", f"'{path}'", f"`{path}'", f"/vsizip/{path}", str(path)):
        text = text.replace(written, path.name)
    return re.split(r";? It might help to specify the correct driver", text)[0].strip().rstrip(".")
