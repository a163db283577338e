"""The OGC API entry points: landing page, conformance, OpenAPI definition and the collections."""

from __future__ import annotations

from typing import Any

from generator import __version__, layout
from generator.model import Catalogue, Dataset
from generator.output import OutputTree
from generator.writers import records
from generator.writers.common import GEOJSON, HTML, JSON, OPENAPI_JSON, REL_CATALOG, datetime_bound, link
from generator.geo import rounded

OWNER = "api"
COMMON_CORE = "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core"


def write(catalogue: Catalogue, out: OutputTree) -> None:
    out.write_json(layout.LANDING_JSON, landing_page(catalogue), OWNER)
    out.write_json(layout.CONFORMANCE, {"conformsTo": sorted({COMMON_CORE, *records.CONFORMANCE, *catalogue.conformance})}, OWNER)
    out.write_json(layout.OPENAPI, openapi(catalogue), OWNER)
    out.write_json(layout.COLLECTIONS, collections(catalogue), OWNER)
    for dataset in catalogue.datasets:
        if dataset.collection is not None:
            path = layout.collection_json(dataset.id)
            out.write_json(path, collection(catalogue, dataset, path), OWNER)


API_COLLECTIONS_URL = "api/collections"
"""Where the landing page's `data` link points when the site's URL is known: QGIS appends `/{collectionId}` to it,
which only an API path can answer (`collections/index.json/{id}` cannot exist); every host geosite configures
serves it (redirects, or objects laid out by `geosite publish`)."""


def landing_page(catalogue: Catalogue) -> dict[str, Any]:
    path = layout.LANDING_JSON
    to = layout.json_linker(catalogue.base_url, path)
    return {
        "title": catalogue.title,
        "description": catalogue.description,
        "links": [
            link("self", to(path), JSON, "This landing page"),
            link("alternate", to(layout.LANDING_HTML), HTML, "This landing page as HTML"),
            link("service-desc", to(layout.OPENAPI), OPENAPI_JSON, "The API definition (OpenAPI 3.0)"),
            link("conformance", to(layout.CONFORMANCE), JSON, "Conformance classes implemented"),
            link("data", to(API_COLLECTIONS_URL if catalogue.base_url else layout.COLLECTIONS), JSON, "The collections"),
            link(REL_CATALOG, to(layout.RECORDS_CATALOGUE), JSON, "The records catalogue (OGC API Records, crawlable)"),
            link("related", to(layout.STAC_ROOT), JSON, "The STAC catalogue"),
        ],
    }


def collections(catalogue: Catalogue) -> dict[str, Any]:
    """The records catalogue first, then one collection per dataset that has an OGC API collection."""
    path = layout.COLLECTIONS
    to = layout.json_linker(catalogue.base_url, path)
    catalogue_entry = records.catalogue_document(catalogue)
    catalogue_entry["links"] = [
        link("self", to(layout.RECORDS_CATALOGUE), JSON, "The records catalogue"),
        link("items", to(layout.records_items_page(1)), GEOJSON, "The records"),
    ]
    return {
        "links": [
            link("self", to(path), JSON, "The collections"),
            link("alternate", to(layout.COLLECTIONS_HTML), HTML, "The collections as HTML"),
            link("root", to(layout.LANDING_JSON), JSON, "Landing page"),
        ],
        "collections": [catalogue_entry, *(collection(catalogue, d, path) for d in catalogue.datasets if d.collection is not None)],
    }


def collection(catalogue: Catalogue, dataset: Dataset, path: str) -> dict[str, Any]:
    """A dataset's OGC API collection document, with links for a document at `path`."""
    to = layout.json_linker(catalogue.base_url, path)
    ogc = dataset.collection
    doc: dict[str, Any] = {"id": dataset.id, "title": dataset.title}
    if dataset.description:
        doc["description"] = dataset.description
    extent: dict[str, Any] = {}
    if dataset.bbox:
        extent["spatial"] = {"bbox": [rounded(dataset.bbox)], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
    if dataset.time:
        extent["temporal"] = {"interval": [[datetime_bound(dataset.time.start, False), datetime_bound(dataset.time.end, True)]]}
    if extent:
        doc["extent"] = extent
    if ogc.item_type:
        doc["itemType"] = ogc.item_type
    doc["crs"] = list(ogc.crs)
    doc.update(ogc.extra)
    doc["links"] = [
        link("self", to(layout.collection_json(dataset.id)), JSON, "This collection"),
        link("alternate", to(layout.collection_html(dataset.id)), HTML, "This collection as HTML"),
        link("describedby", to(layout.record_json(dataset.id)), GEOJSON, "The dataset's record"),
        link("describedby", to(layout.record_html(dataset.id)), HTML, "The dataset's page"),
        *(link(l.rel, to(l.href), l.media_type, l.title) for l in ogc.links),
    ]
    return doc


def openapi(catalogue: Catalogue) -> dict[str, Any]:
    """An honest OpenAPI 3.0 description: static JSON files, GET only, no query parameters honoured."""
    paths = {
        "/" + layout.LANDING_JSON: _get("Landing page", "landingPage"),
        "/" + layout.CONFORMANCE: _get("Conformance classes", "conformance"),
        "/" + layout.COLLECTIONS: _get("The collections", "collections"),
        "/" + layout.RECORDS_CATALOGUE: _get("The records catalogue (a crawlable OGC API Records catalogue)", "recordsCatalogue"),
        "/" + layout.records_items_page(1): _get("First page of records; follow the `next` links", "records", GEOJSON),
        "/" + layout.record_json("{recordId}"): _get("One record", "record", GEOJSON, ["recordId"]),
    }
    if any(d.collection for d in catalogue.datasets):
        paths["/" + layout.collection_json("{collectionId}")] = _get("A dataset's collection", "collection", JSON, ["collectionId"])
    if any(d.collection and d.collection.item_type == "feature" for d in catalogue.datasets):
        paths.update(_features_paths())
    return {
        "openapi": "3.0.3",
        "info": {
            "title": catalogue.title,
            "description": "Static files generated by geosite: every resource is a file at a fixed path, read with GET. "
            "Query parameters (bbox, datetime, limit, q) are not evaluated; pages are pre-computed and linked with next/prev.",
            "version": __version__,
        },
        "servers": [{"url": catalogue.base_url.rstrip("/") if catalogue.base_url else "."}],
        "paths": paths,
    }


def _features_paths() -> dict[str, Any]:
    """OGC API Features items as static files: page 1, then page-N.json reached through `next` links."""
    return {
        "/" + layout.features_page("{collectionId}", 1): _get("First page of a collection's features; follow the `next` links", "getFeatures", GEOJSON, ["collectionId"]),
        "/" + layout.features_page("{collectionId}", 2).replace("page-2", "page-{page}"): _get("A further page of features", "getFeaturesPage", GEOJSON, ["collectionId", "page"]),
        "/" + layout.feature_json("{collectionId}", "{featureId}"): _get("One feature (published for collections of at most 10,000 features)", "getFeature", GEOJSON, ["collectionId", "featureId"]),
        "/" + layout.queryables_json("{collectionId}"): _get("The properties of a collection's features, as JSON Schema", "getQueryables", "application/schema+json", ["collectionId"]),
    }


def _get(summary: str, operation: str, media_type: str = JSON, parameters: list[str] | None = None) -> dict[str, Any]:
    operation_doc: dict[str, Any] = {
        "summary": summary,
        "operationId": operation,
        "responses": {"200": {"description": summary, "content": {media_type: {"schema": {"type": "object"}}}}, "404": {"description": "Not found"}},
    }
    if parameters:
        operation_doc["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in parameters]
    return {"get": operation_doc}
