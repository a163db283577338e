"""TileJSON and OGC API Tiles documents for every dataset with a PMTiles archive, from `Dataset.tile_archive`.

Written from the model rather than by the tiling stage, so a description or title edit shows up in them even
when the archive is reused from the cache.
"""

from __future__ import annotations

import html
from typing import Any

from generator import layout
from generator.data.tilesets import PMTILES, attribution
from generator.model import Catalogue, Dataset, TileArchive
from generator.output import OutputTree
from generator.writers.common import JSON, link

TILEJSON = "application/vnd.mapbox.tilejson+json"
WEB_MERCATOR_QUAD = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
OWNER = "tilesets"


def write(catalogue: Catalogue, out: OutputTree) -> None:
    for dataset in catalogue.datasets:
        if dataset.tile_archive is not None:
            out.write_json(layout.tilejson(dataset.id), tilejson(catalogue, dataset, dataset.tile_archive), OWNER)
            out.write_json(layout.tileset_json(dataset.id), tileset(catalogue, dataset, dataset.tile_archive), OWNER)
            out.write_json(layout.tilesets_json(dataset.id), tilesets(catalogue, dataset, dataset.tile_archive), OWNER)


def tilejson(catalogue: Catalogue, dataset: Dataset, archive: TileArchive) -> dict[str, Any]:
    """TileJSON 3.0: tile URLs use the pmtiles:// protocol (the archive is one file read with Range requests).

    Map clients show `attribution` as HTML, so the text is escaped."""
    path = layout.tilejson(dataset.id)
    url = layout.absolute(catalogue.base_url, archive.href) or layout.href(path, archive.href)
    doc: dict[str, Any] = {
        "tilejson": "3.0.0",
        "name": dataset.title,
        "description": dataset.description or dataset.title,
        "attribution": html.escape(attribution(dataset), quote=False),
        "scheme": "xyz",
        "tiles": [f"pmtiles://{url}/{{z}}/{{x}}/{{y}}"],
        "minzoom": archive.min_zoom,
        "maxzoom": archive.max_zoom,
        "bounds": list(archive.bounds),
        "center": list(archive.center),
    }
    if archive.vector_layers:
        doc["vector_layers"] = list(archive.vector_layers)
    return doc


def tileset(catalogue: Catalogue, dataset: Dataset, archive: TileArchive) -> dict[str, Any]:
    """OGC Tile Set Metadata (TMS 2.0) for the WebMercatorQuad tileset of the archive."""
    path = layout.tileset_json(dataset.id)
    to = layout.json_linker(catalogue.base_url, path)
    west, south, east, north = archive.bounds
    doc: dict[str, Any] = {
        "title": dataset.title,
        "description": dataset.description or dataset.title,
        "dataType": _data_type(archive),
        "crs": EPSG_3857,
        "tileMatrixSetURI": WEB_MERCATOR_QUAD,
        "boundingBox": {"lowerLeft": [west, south], "upperRight": [east, north], "crs": CRS84},
        "centerPoint": {"coordinates": list(archive.center[:2]), "crs": CRS84, "tileMatrix": str(archive.center[2])},
        "mediaTypes": [archive.tile_media_type],
        "attribution": attribution(dataset),
        "links": [
            link("self", to(path), JSON, "This tileset"),
            link("alternate", to(layout.tilejson(dataset.id)), TILEJSON, "TileJSON"),
            link("http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", WEB_MERCATOR_QUAD, JSON, "WebMercatorQuad"),
            link("http://www.opengis.net/def/rel/ogc/1.0/geodata", to(layout.collection_json(dataset.id)), JSON, dataset.title),
            link("enclosure", to(archive.href), PMTILES, "All tiles in one PMTiles archive (read with HTTP Range requests)"),
        ],
    }
    if dataset.license:
        doc["license"] = dataset.license.spdx
    if archive.vector_layers:
        doc["layers"] = [{"id": layer["id"], "dataType": "vector"} for layer in archive.vector_layers]
    return doc


def tilesets(catalogue: Catalogue, dataset: Dataset, archive: TileArchive) -> dict[str, Any]:
    path = layout.tilesets_json(dataset.id)
    to = layout.json_linker(catalogue.base_url, path)
    return {
        "links": [link("self", to(path), JSON, "Tilesets"), link("collection", to(layout.collection_json(dataset.id)), JSON, dataset.title)],
        "tilesets": [
            {
                "title": f"{dataset.title} (WebMercatorQuad)",
                "dataType": _data_type(archive),
                "crs": EPSG_3857,
                "tileMatrixSetURI": WEB_MERCATOR_QUAD,
                "links": [link("self", to(layout.tileset_json(dataset.id)), JSON, "WebMercatorQuad tileset")],
            }
        ],
    }


def _data_type(archive: TileArchive) -> str:
    return "vector" if archive.kind == "vector" else "map"
