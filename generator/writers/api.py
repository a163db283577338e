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
            out.write_json(path, collection(dataset, path), OWNER)


def landing_page(catalogue: Catalogue) -> dict[str, Any]:
    path = layout.LANDING_JSON
    return {
        "title": catalogue.title,
        "description": catalogue.description,
        "links": [
            link("self", layout.href(path, path), JSON, "This landing page"),
            link("alternate", layout.href(path, layout.LANDING_HTML), HTML, "This landing page as HTML"),
            link("service-desc", layout.href(path, layout.OPENAPI), OPENAPI_JSON, "The API definition (OpenAPI 3.0)"),
            link("conformance", layout.href(path, layout.CONFORMANCE), JSON, "Conformance classes implemented"),
            link("data", layout.href(path, layout.COLLECTIONS), JSON, "The collections"),
            link(REL_CATALOG, layout.href(path, layout.RECORDS_CATALOGUE), JSON, "The records catalogue (OGC API Records, crawlable)"),
            link("related", layout.href(path, layout.STAC_ROOT), JSON, "The STAC catalogue"),
        ],
    }


def collections(catalogue: Catalogue) -> dict[str, Any]:
    """The records catalogue first, then one collection per dataset that has an OGC API collection."""
    path = layout.COLLECTIONS
    catalogue_entry = records.catalogue_document(catalogue)
    catalogue_entry["links"] = [
        link("self", layout.href(path, layout.RECORDS_CATALOGUE), JSON, "The records catalogue"),
        link("items", layout.href(path, layout.records_items_page(1)), GEOJSON, "The records"),
    ]
    return {
        "links": [
            link("self", layout.href(path, path), JSON, "The collections"),
            link("alternate", layout.href(path, layout.COLLECTIONS_HTML), HTML, "The collections as HTML"),
            link("root", layout.href(path, layout.LANDING_JSON), JSON, "Landing page"),
        ],
        "collections": [catalogue_entry, *(collection(d, path) for d in catalogue.datasets if d.collection is not None)],
    }


def collection(dataset: Dataset, path: str) -> dict[str, Any]:
    """A dataset's OGC API collection document, with links relative to `path`."""
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
        link("self", layout.href(path, layout.collection_json(dataset.id)), JSON, "This collection"),
        link("alternate", layout.href(path, layout.collection_html(dataset.id)), HTML, "This collection as HTML"),
        link("describedby", layout.href(path, layout.record_json(dataset.id)), GEOJSON, "The dataset's record"),
        link("describedby", layout.href(path, layout.record_html(dataset.id)), HTML, "The dataset's page"),
        *(link(l.rel, layout.href(path, l.href), l.media_type, l.title) for l in ogc.links),
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
