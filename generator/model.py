"""The one in-memory model of a catalogue: loaders fill it, data stages add to it, writers only read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BBox = tuple[float, float, float, float]
"""west, south, east, north in CRS84; west > east when the box crosses the antimeridian."""


@dataclass(frozen=True, slots=True)
class Publisher:
    name: str
    url: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None = None
    organization: str | None = None
    position: str | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExternalLink:
    """A resource outside the site that the dataset's record points to (a WMS, a PDF, a web page)."""

    href: str
    title: str | None = None
    rel: str = "related"
    media_type: str | None = None


@dataclass(frozen=True, slots=True)
class Concept:
    id: str
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    scheme: str
    concepts: tuple[Concept, ...]


@dataclass(frozen=True, slots=True)
class License:
    """An SPDX identifier or expression, or 'other' with a name and a URL to its text."""

    spdx: str
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class TimeExtent:
    """An instant (start == end, instant=True) or an interval whose ends may be open (None).

    Values are ISO 8601 strings as written: a date (YYYY-MM-DD) or a UTC date-time ending in Z.
    """

    start: str | None
    end: str | None
    instant: bool = False
    resolution: str | None = None


@dataclass(frozen=True, slots=True)
class Asset:
    """A file the build published for a dataset, described once for every writer that lists it."""

    key: str
    href: str  # path relative to the output root, '/'-separated
    title: str
    media_type: str
    roles: tuple[str, ...] = ("data",)
    size: int | None = None
    checksum: str | None = None  # multihash (sha2-256) as hex, as the STAC file extension wants
    crs: str | None = None  # e.g. "EPSG:4326"
    stac_fields: dict[str, Any] = field(default_factory=dict)  # e.g. proj:code, raster:bands


@dataclass(frozen=True, slots=True)
class ApiLink:
    """A link from the record to a machine endpoint the build wrote (a features collection, tiles, a coverage)."""

    rel: str
    href: str  # relative to the output root
    media_type: str
    title: str


@dataclass(slots=True)
class OgcCollection:
    """A dataset's OGC API collection (features, tiles, coverage), written by the api writer at
    `layout.collection_json(id)` and listed in `collections/index.json`. Link hrefs are output-root relative."""

    item_type: str | None = None  # "feature" for OGC API Features collections
    crs: tuple[str, ...] = ("http://www.opengis.net/def/crs/OGC/1.3/CRS84",)
    links: list[ApiLink] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. storageCrs, rangeType


@dataclass(slots=True)
class SourceInfo:
    """What inspecting the source file told us, cheaply, before any pipeline runs."""

    kind: str  # "vector" or "raster"
    path: Path
    driver: str
    crs: str | None
    bbox: BBox | None  # in CRS84
    count: int | None = None  # features (vector) or bands (raster)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Item:
    """One file of a multi-file dataset (a tile of a mosaic, a step of a time series), published as a STAC Item."""

    id: str
    title: str
    bbox: BBox
    datetime: str  # RFC 3339 UTC
    assets: list[Asset] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LegendCategory:
    value: float
    label: str
    color: str  # "#rrggbb"


@dataclass(frozen=True, slots=True)
class Legend:
    """How to read a rendered raster's colours: a ramp from `minimum` to `maximum`, or categories."""

    title: str
    colors: tuple[str, ...] = ()  # "#rrggbb" ramp stops, evenly spaced from minimum to maximum
    minimum: float | None = None
    maximum: float | None = None
    categories: tuple[LegendCategory, ...] = ()


@dataclass(frozen=True, slots=True)
class TileArchive:
    """A dataset's PMTiles archive as its header and metadata describe it: what TileJSON and OGC tileset docs say."""

    kind: str  # "vector" or "raster" (map tiles)
    href: str  # output-root relative
    tile_media_type: str  # e.g. "application/vnd.mapbox-vector-tile", "image/webp"
    min_zoom: int
    max_zoom: int
    bounds: BBox  # as the header says (an antimeridian-crossing extent claims every longitude)
    center: tuple[float, float, int]  # longitude (inside the data, -180..180), latitude, zoom
    vector_layers: tuple[dict[str, Any], ...] = ()  # TileJSON vector_layers: id, fields, zooms
    all_features_from_zoom: int | None = None  # vector: lowest zoom from which no feature is dropped or coalesced


@dataclass(slots=True)
class Dataset:
    id: str
    yaml_path: Path
    title: str
    description: str = ""
    type: str = "dataset"
    keywords: tuple[str, ...] = ()
    themes: tuple[Theme, ...] = ()
    license: License | None = None
    rights: str | None = None
    contacts: tuple[Contact, ...] = ()
    time: TimeExtent | None = None
    language: str | None = None
    external_ids: tuple[tuple[str | None, str], ...] = ()  # (scheme, value)
    links: tuple[ExternalLink, ...] = ()
    created: str | None = None
    updated: str | None = None
    declared_bbox: BBox | None = None
    source_path: Path | None = None
    source_options: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # per-output options (tiles, features, …)
    source: SourceInfo | None = None
    # Filled in by the data stages:
    bbox: BBox | None = None
    assets: list[Asset] = field(default_factory=list)
    api_links: list[ApiLink] = field(default_factory=list)
    collection: OgcCollection | None = None
    stac_extensions: set[str] = field(default_factory=set)
    summaries: dict[str, Any] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)  # STAC Items, for datasets of several files
    legend: Legend | None = None  # colour legend of rendered (colour-mapped) raster tiles
    tile_archive: TileArchive | None = None  # the PMTiles archive the tileset documents describe
    stale: str | None = None  # keep-going builds: why this build failed, so the data is from the last good build

    @property
    def has_data(self) -> bool:
        return self.source_path is not None


@dataclass(frozen=True, slots=True)
class Basemap:
    """A background map for the map previews: an XYZ tile URL template, or a PMTiles archive copied into the site."""

    attribution: str | None = None  # plain text, shown on the map
    url: str | None = None  # e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
    pmtiles: Path | None = None  # the archive in the source folder
    attribution_url: str | None = None
    max_zoom: int | None = None


@dataclass(slots=True)
class Catalogue:
    src_dir: Path
    title: str
    description: str
    publisher: Publisher
    id: str = "catalogue"
    base_url: str | None = None  # always ends with "/" when set
    language: str = "en"
    license: License | None = None
    keywords: tuple[str, ...] = ()
    datasets: list[Dataset] = field(default_factory=list)
    conformance: set[str] = field(default_factory=set)  # classes the data stages implement
    max_file_size: int | None = None  # bytes; larger published files are split or omitted (generator/data/limits.py)
    oversize_files: str = "split"  # "split" or "omit"
    basemap: Basemap | None = None  # none by default: the site calls no other host

    def dataset(self, dataset_id: str) -> Dataset:
        return next(d for d in self.datasets if d.id == dataset_id)
