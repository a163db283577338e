"""Describe a dataset's PMTiles archive for every kind of map client: the asset, TileJSON and OGC API Tiles docs.

Shared by the vector and raster stages: each writes its archive, then calls `publish_tiles`, which reads the
archive's own header and metadata (so what we advertise is what the archive holds) and adds it to the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import TileType

from generator import layout
from generator.model import ApiLink, Asset, Catalogue, Dataset, OgcCollection
from generator.output import OutputTree, describe_file
from generator.writers.common import JSON, license_texts, link

PMTILES = "application/vnd.pmtiles"
TILEJSON = "application/vnd.mapbox.tilejson+json"
WEB_MERCATOR_QUAD = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
REL_TILESETS = {"vector": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "raster": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map"}
TILE_MEDIA_TYPES = {TileType.MVT: "application/vnd.mapbox-vector-tile", TileType.PNG: "image/png", TileType.JPEG: "image/jpeg", TileType.WEBP: "image/webp", TileType.AVIF: "image/avif"}
OWNER = "tilesets"


def publish_tiles(catalogue: Catalogue, dataset: Dataset, out: OutputTree, archive: Path, kind: str) -> None:
    """Add the archive at `layout.pmtiles_archive(dataset.id)` to the model and write its metadata documents."""
    header, metadata = read_archive(archive)
    size, checksum = describe_file(archive)
    archive_rel = layout.pmtiles_archive(dataset.id)
    dataset.assets.append(Asset("pmtiles", archive_rel, f"{dataset.title} ({'vector' if kind == 'vector' else 'map'} tiles, PMTiles)", PMTILES, ("tiles",), size, checksum, "EPSG:3857"))
    out.write_json(layout.tilejson(dataset.id), tilejson(catalogue, dataset, header, metadata), OWNER)
    out.write_json(layout.tileset_json(dataset.id), tileset(dataset, header, metadata, kind), OWNER)
    out.write_json(layout.tilesets_json(dataset.id), tilesets(dataset, header, kind), OWNER)
    rel = REL_TILESETS[kind]
    dataset.api_links.append(ApiLink(rel, layout.tilesets_json(dataset.id), JSON, "Tilesets (OGC API Tiles)"))
    if dataset.collection is None:
        dataset.collection = OgcCollection()
    dataset.collection.links.append(ApiLink(rel, layout.tilesets_json(dataset.id), JSON, "Tilesets (OGC API Tiles)"))


def read_archive(archive: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    with open(archive, "rb") as handle:
        reader = Reader(MmapSource(handle))
        return reader.header(), reader.metadata()


def archive_bounds(header: dict[str, Any]) -> list[float]:
    return [header["min_lon_e7"] / 1e7, header["min_lat_e7"] / 1e7, header["max_lon_e7"] / 1e7, header["max_lat_e7"] / 1e7]


def tilejson(catalogue: Catalogue, dataset: Dataset, header: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """TileJSON 3.0: tile URLs use the pmtiles:// protocol (the archive is one file read with Range requests)."""
    path = layout.tilejson(dataset.id)
    archive = layout.absolute(catalogue.base_url, layout.pmtiles_archive(dataset.id)) or layout.href(path, layout.pmtiles_archive(dataset.id))
    doc: dict[str, Any] = {
        "tilejson": "3.0.0",
        "name": dataset.title,
        "description": dataset.description or dataset.title,
        "attribution": metadata.get("attribution") or attribution(dataset),
        "scheme": "xyz",
        "tiles": [f"pmtiles://{archive}/{{z}}/{{x}}/{{y}}"],
        "minzoom": header["min_zoom"],
        "maxzoom": header["max_zoom"],
        "bounds": archive_bounds(header),
        "center": [header["center_lon_e7"] / 1e7, header["center_lat_e7"] / 1e7, header["center_zoom"]],
    }
    if "vector_layers" in metadata:
        doc["vector_layers"] = metadata["vector_layers"]
    return doc


def tileset(dataset: Dataset, header: dict[str, Any], metadata: dict[str, Any], kind: str) -> dict[str, Any]:
    """OGC Tile Set Metadata (TMS 2.0) for the WebMercatorQuad tileset of the archive."""
    path = layout.tileset_json(dataset.id)
    west, south, east, north = archive_bounds(header)
    doc: dict[str, Any] = {
        "title": dataset.title,
        "dataType": "vector" if kind == "vector" else "map",
        "crs": EPSG_3857,
        "tileMatrixSetURI": WEB_MERCATOR_QUAD,
        "boundingBox": {"lowerLeft": [west, south], "upperRight": [east, north], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
        "mediaTypes": [TILE_MEDIA_TYPES.get(header["tile_type"], "application/octet-stream")],
        "attribution": attribution(dataset),
        "links": [
            link("self", layout.href(path, path), JSON, "This tileset"),
            link("alternate", layout.href(path, layout.tilejson(dataset.id)), TILEJSON, "TileJSON"),
            link("http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", WEB_MERCATOR_QUAD, JSON, "WebMercatorQuad"),
            link("http://www.opengis.net/def/rel/ogc/1.0/geodata", layout.href(path, layout.collection_json(dataset.id)), JSON, dataset.title),
            link("enclosure", layout.href(path, layout.pmtiles_archive(dataset.id)), PMTILES, "All tiles in one PMTiles archive (read with HTTP Range requests)"),
        ],
    }
    if dataset.license:
        doc["license"] = dataset.license.spdx
    layers = [{"id": layer["id"], "dataType": "vector"} for layer in metadata.get("vector_layers", [])]
    if layers:
        doc["layers"] = layers
    return doc


def tilesets(dataset: Dataset, header: dict[str, Any], kind: str) -> dict[str, Any]:
    path = layout.tilesets_json(dataset.id)
    return {
        "links": [link("self", layout.href(path, path), JSON, "Tilesets"), link("collection", layout.href(path, layout.collection_json(dataset.id)), JSON, dataset.title)],
        "tilesets": [
            {
                "title": f"{dataset.title} (WebMercatorQuad)",
                "dataType": "vector" if kind == "vector" else "map",
                "crs": EPSG_3857,
                "tileMatrixSetURI": WEB_MERCATOR_QUAD,
                "links": [link("self", layout.href(path, layout.tileset_json(dataset.id)), JSON, "WebMercatorQuad tileset")],
            }
        ],
    }


def attribution(dataset: Dataset) -> str:
    """Who to credit on the map: the originators, else the rights statement, else the licence."""
    originators = [c.organization or c.name for c in dataset.contacts if "originator" in c.roles and (c.organization or c.name)]
    if originators:
        return "© " + ", ".join(originators)
    if dataset.rights:
        return dataset.rights
    return ", ".join(title for title, _ in license_texts(dataset.license)) if dataset.license else ""
