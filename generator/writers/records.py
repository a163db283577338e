"""OGC API Records, as a crawlable catalogue: the catalogue object, one record per dataset, items pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from generator import layout
from generator.geo import bbox_geometry, rounded
from generator.model import Catalogue, Contact, Dataset, TimeExtent
from generator.output import OutputTree
from generator import parallel
from generator.writers.common import (
    GEOJSON,
    HTML,
    JSON,
    api_links,
    asset_links,
    datetime_bound,
    external_links,
    language,
    license_links,
    link,
)
from generator.writers.paging import page_links, pages

CONF = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/"
RECORD_CORE = CONF + "record-core"
RECORD_COLLECTION = CONF + "record-collection"
CRAWLABLE = CONF + "crawlable-catalog"
CONFORMANCE = (RECORD_CORE, RECORD_COLLECTION, CONF + "json", CONF + "html")
RECORDS_PAGE_SIZE = 100
OWNER = "records"


def write(catalogue: Catalogue, out: OutputTree) -> None:
    out.write_json(layout.RECORDS_CATALOGUE, catalogue_document(catalogue), OWNER)
    parallel.for_each(catalogue, out, list(pages(catalogue.datasets, RECORDS_PAGE_SIZE)), _write_items_page)


def _write_items_page(catalogue: Catalogue, out: OutputTree, page: tuple[int, Sequence[Dataset], int]) -> None:
    """An items page and the records on it: they share a folder, so each record is built once for both."""
    number, chunk, count = page
    path = layout.records_items_page(number)
    features = []
    for dataset in chunk:
        record_path = layout.record_json(dataset.id)
        features.append(record(catalogue, dataset, record_path))
        out.write_json(record_path, features[-1], OWNER)
    out.write_json(path, items_page(layout.json_linker(catalogue.base_url, path), features, number, count, len(catalogue.datasets)), OWNER, compact=True)


def catalogue_document(catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue object: a Collection of records that links to every record (crawlable)."""
    path = layout.RECORDS_CATALOGUE
    doc: dict[str, Any] = {
        "id": layout.RECORDS_ID,
        "type": "Collection",
        "itemType": "record",
        "title": catalogue.title,
        "description": catalogue.description,
        "conformsTo": [RECORD_CORE, RECORD_COLLECTION, CRAWLABLE],
        "language": {"code": catalogue.language},
        "contacts": [_publisher_contact(catalogue)],
    }
    if catalogue.keywords:
        doc["keywords"] = list(catalogue.keywords)
    extent = catalogue_extent(catalogue)
    if extent:
        doc["extent"] = extent
    to = layout.json_linker(catalogue.base_url, path)
    doc["links"] = [
        link("self", to(path), JSON, "This catalogue"),
        link("root", to(layout.LANDING_JSON), JSON, "Landing page"),
        link("alternate", to(layout.catalogue_html(1)), HTML, "This catalogue as HTML"),
        link("items", to(layout.records_items_page(1)), GEOJSON, "The records, page by page"),
        link("alternate", to(layout.STAC_ROOT), JSON, "The same catalogue as STAC"),
        *license_links(catalogue.license),
        *(link("item", to(layout.record_json(d.id)), GEOJSON, d.title) for d in catalogue.datasets),
    ]
    return doc


def catalogue_extent(catalogue: Catalogue) -> dict[str, Any] | None:
    """Overall extent: the union of the datasets' boxes (whole globe if they span it)."""
    boxes = [d.bbox for d in catalogue.datasets if d.bbox]
    if not boxes:
        return None
    if any(b[0] > b[2] for b in boxes):
        west, east = -180.0, 180.0
    else:
        west, east = min(b[0] for b in boxes), max(b[2] for b in boxes)
    bbox = (west, min(b[1] for b in boxes), east, max(b[3] for b in boxes))
    return {"spatial": {"bbox": [rounded(bbox)], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}


def record(catalogue: Catalogue, dataset: Dataset, path: str) -> dict[str, Any]:
    """One record as a GeoJSON Feature; `path` is where it is written, for relative links."""
    return {
        "id": dataset.id,
        "type": "Feature",
        "conformsTo": [RECORD_CORE],
        "time": record_time(dataset.time),
        "geometry": bbox_geometry(tuple(rounded(dataset.bbox))) if dataset.bbox else None,
        "properties": _properties(catalogue, dataset),
        "links": _record_links(catalogue, dataset, path),
    }


def _properties(catalogue: Catalogue, dataset: Dataset) -> dict[str, Any]:
    props: dict[str, Any] = {"type": dataset.type, "title": dataset.title}
    if dataset.description:
        props["description"] = dataset.description
    if dataset.keywords:
        props["keywords"] = list(dataset.keywords)
    if dataset.themes:
        props["themes"] = [{"concepts": [_concept(c) for c in t.concepts], "scheme": t.scheme} for t in dataset.themes]
    props["language"] = {"code": language(catalogue, dataset)}
    if dataset.external_ids:
        props["externalIds"] = [{"scheme": s, "value": v} if s else {"value": v} for s, v in dataset.external_ids]
    formats = list(dict.fromkeys(a.media_type for a in dataset.assets if "data" in a.roles))
    if formats:
        props["formats"] = [{"mediaType": m} for m in formats]
    props["contacts"] = [_contact(c) for c in dataset.contacts] + [_publisher_contact(catalogue)]
    if dataset.license:
        props["license"] = dataset.license.spdx
    if dataset.rights:
        props["rights"] = dataset.rights
    if dataset.created:
        props["created"] = datetime_bound(dataset.created, end=False)
    if dataset.updated:
        props["updated"] = datetime_bound(dataset.updated, end=False)
    return props


def _record_links(catalogue: Catalogue, dataset: Dataset, path: str) -> list[dict[str, Any]]:
    to = layout.json_linker(catalogue.base_url, path)
    return [
        link("self", to(layout.record_json(dataset.id)), GEOJSON, "This record"),
        link("alternate", to(layout.record_html(dataset.id)), HTML, "This record as HTML"),
        link("alternate", to(layout.stac_collection(dataset.id)), JSON, "This dataset as a STAC Collection"),
        link("collection", to(layout.RECORDS_CATALOGUE), JSON, catalogue.title),
        link("root", to(layout.LANDING_JSON), JSON, "Landing page"),
        *license_links(dataset.license),
        *api_links(to, dataset),
        *asset_links(to, dataset),
        *external_links(dataset),
    ]


def record_time(time: TimeExtent | None) -> dict[str, Any] | None:
    """Records `time`: a date or timestamp for an instant, an interval with '..' for open ends."""
    if time is None:
        return None
    result: dict[str, Any]
    if time.instant:
        result = {"timestamp": time.start} if "T" in time.start else {"date": time.start}
    else:
        result = {"interval": [time.start or "..", time.end or ".."]}
    if time.resolution:
        result["resolution"] = time.resolution
    return result


def items_page(to: Callable[[str], str], features: list[dict], number: int, count: int, matched: int) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": matched,
        "numberReturned": len(features),
        "links": [
            *page_links(to, layout.records_items_page, number, count, GEOJSON),
            link("collection", to(layout.RECORDS_CATALOGUE), JSON, "The catalogue"),
        ],
    }


def _publisher_contact(catalogue: Catalogue) -> dict[str, Any]:
    publisher = catalogue.publisher
    return _contact(Contact(organization=publisher.name, email=publisher.email, url=publisher.url, roles=("publisher",)))


def _concept(concept) -> dict[str, Any]:
    return {k: v for k, v in (("id", concept.id), ("title", concept.title), ("url", concept.url)) if v}


def _contact(contact: Contact) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in ("name", "organization", "position"):
        if getattr(contact, key):
            result[key] = getattr(contact, key)
    if contact.email:
        result["emails"] = [{"value": contact.email}]
    if contact.phone:
        result["phones"] = [{"value": contact.phone}]
    if contact.url:
        result["links"] = [link("about", contact.url, HTML)]
    if contact.roles:
        result["roles"] = list(contact.roles)
    return result
