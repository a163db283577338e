"""Describe a dataset's PMTiles archive in the model: its asset, its API links and a `TileArchive` summary.

Shared by the vector and raster stages: each writes its archive, then calls `describe_archive`, which reads the
archive's own header and metadata (so what we advertise is what the archive holds). The TileJSON and OGC API
Tiles documents are written from that summary by `generator.writers.tilesets`, so they follow the YAML's current
title and description even when the archive itself is reused from the cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import TileType, deserialize_header, serialize_header

from generator import layout
from generator.model import ApiLink, Asset, BBox, Dataset, OgcCollection, TileArchive
from generator.output import describe_file
from generator.writers.common import JSON, license_texts

PMTILES = "application/vnd.pmtiles"
REL_TILESETS = {"vector": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "raster": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map"}
TILE_MEDIA_TYPES = {TileType.MVT: "application/vnd.mapbox-vector-tile", TileType.PNG: "image/png", TileType.JPEG: "image/jpeg", TileType.WEBP: "image/webp", TileType.AVIF: "image/avif"}
HEADER_BYTES = 127


def describe_archive(dataset: Dataset, archive: Path, kind: str) -> None:
    """Add the archive at `layout.pmtiles_archive(dataset.id)` to the model: asset, tileset links, summary."""
    extent = dataset.bbox or (dataset.source.bbox if dataset.source else None)
    if extent and extent[0] > extent[2]:
        centre_header_on(archive, extent)
    header, metadata = read_archive(archive)
    size, checksum = describe_file(archive)
    archive_rel = layout.pmtiles_archive(dataset.id)
    dataset.assets.append(Asset("pmtiles", archive_rel, f"{dataset.title} ({'vector' if kind == 'vector' else 'map'} tiles, PMTiles)", PMTILES, ("tiles",), size, checksum, "EPSG:3857"))
    dataset.tile_archive = tile_archive(header, metadata, kind, archive_rel)
    link = ApiLink(REL_TILESETS[kind], layout.tilesets_json(dataset.id), JSON, "Tilesets (OGC API Tiles)")
    dataset.api_links.append(link)
    if dataset.collection is None:
        dataset.collection = OgcCollection()
    dataset.collection.links.append(link)


def tile_archive(header: dict[str, Any], metadata: dict[str, Any], kind: str, href: str) -> TileArchive:
    return TileArchive(
        kind=kind,
        href=href,
        tile_media_type=TILE_MEDIA_TYPES.get(header["tile_type"], "application/octet-stream"),
        min_zoom=header["min_zoom"],
        max_zoom=header["max_zoom"],
        bounds=(header["min_lon_e7"] / 1e7, header["min_lat_e7"] / 1e7, header["max_lon_e7"] / 1e7, header["max_lat_e7"] / 1e7),
        center=(header["center_lon_e7"] / 1e7, header["center_lat_e7"] / 1e7, header["center_zoom"]),
        vector_layers=tuple(metadata.get("vector_layers", ())),
        all_features_from_zoom=all_features_from_zoom(header, metadata) if kind == "vector" else None,
    )


THINNING = ("dropped", "coalesced")
"""tippecanoe's per-zoom strategies that leave features out (by rate, gamma, size or count); its 'tiny_polygons'
only draws slivers of a feature as dust, and keeps the feature."""


def all_features_from_zoom(header: dict[str, Any], metadata: dict[str, Any]) -> int:
    """The lowest zoom from which every zoom holds every feature (max zoom + 1 when even the deepest thins)."""
    strategies = metadata.get("strategies") or []
    thinned = [zoom for zoom, counts in enumerate(strategies) if any(key.startswith(THINNING) and value for key, value in counts.items())]
    return max(thinned) + 1 if thinned else header["min_zoom"]


def read_archive(archive: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    with open(archive, "rb") as handle:
        reader = Reader(MmapSource(handle))
        return reader.header(), reader.metadata()


def centre(bbox: BBox) -> tuple[float, float]:
    """Middle of a CRS84 box, across the antimeridian when west > east, longitude kept in -180..180."""
    west, south, east, north = bbox
    if west > east:
        east += 360.0
    longitude = (west + east) / 2
    return (longitude - 360.0 if longitude > 180.0 else longitude), (south + north) / 2


def centre_header_on(archive: Path, bbox: BBox) -> None:
    """Tilers centre an antimeridian-crossing archive on its all-longitudes bounds (lon 0, outside the data):
    rewrite the fixed-size header's centre so viewers open on the data."""
    with open(archive, "r+b") as handle:
        header = deserialize_header(handle.read(HEADER_BYTES))
        longitude, latitude = centre(bbox)
        header["center_lon_e7"], header["center_lat_e7"] = round(longitude * 1e7), round(latitude * 1e7)
        handle.seek(0)
        handle.write(serialize_header(header))


def attribution(dataset: Dataset) -> str:
    """Who to credit on the map: the originators, else the rights statement, else the licence."""
    originators = [c.organization or c.name for c in dataset.contacts if "originator" in c.roles and (c.organization or c.name)]
    if originators:
        return "© " + ", ".join(originators)
    if dataset.rights:
        return dataset.rights
    return ", ".join(title for title, _ in license_texts(dataset.license)) if dataset.license else ""
