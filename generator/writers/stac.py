"""A static, self-contained STAC 1.1 catalogue: a root Catalog and one Collection per dataset.

Links are relative and there are no `self` links (STAC best practice for self-contained catalogues), so
the tree can be moved or served from any prefix.
"""

from __future__ import annotations

import re
from typing import Any

from generator import layout
from generator.geo import bbox_geometry, rounded
from generator.model import Asset, Catalogue, Contact, Dataset, Item
from generator.output import OutputTree
from generator import parallel
from generator.writers.common import GEOJSON, HTML, JSON, datetime_bound, external_links, license_links, link

STAC_VERSION = "1.1.0"
PMTILES = "application/vnd.pmtiles"  # linked with rel "pmtiles" too, as the web-map-links extension does
FILE_EXTENSION = "https://stac-extensions.github.io/file/v2.1.0/schema.json"
STAC_LICENSE = re.compile(r"^[\w\-.+]+$")
WHOLE_WORLD = (-180.0, -90.0, 180.0, 90.0)
OWNER = "stac"

PROVIDER_ROLES = {
    "originator": "producer", "author": "producer", "owner": "producer", "producer": "producer", "resourceProvider": "producer",
    "licensor": "licensor", "processor": "processor",
    "distributor": "host", "publisher": "host", "host": "host",
}
"""ISO 19115 / Records contact roles mapped to the four STAC provider roles."""


def write(catalogue: Catalogue, out: OutputTree) -> None:
    out.write_json(layout.STAC_ROOT, root_catalog(catalogue), OWNER)
    parallel.for_each(catalogue, out, catalogue.datasets, _write_dataset)


def _write_dataset(catalogue: Catalogue, out: OutputTree, dataset: Dataset) -> None:
    out.write_json(layout.stac_collection(dataset.id), collection(catalogue, dataset), OWNER)
    for entry in dataset.items:
        out.write_json(layout.stac_item(dataset.id, entry.id), item(catalogue, dataset, entry), OWNER)


def root_catalog(catalogue: Catalogue) -> dict[str, Any]:
    path = layout.STAC_ROOT
    return {
        "type": "Catalog",
        "stac_version": STAC_VERSION,
        "id": catalogue.id,
        "title": catalogue.title,
        "description": catalogue.description,
        "links": [
            link("root", layout.href(path, path), JSON, catalogue.title),
            link("alternate", layout.href(path, layout.LANDING_HTML), HTML, "This catalogue as HTML"),
            link("alternate", layout.href(path, layout.RECORDS_CATALOGUE), JSON, "The same catalogue as OGC API Records"),
            *(link("child", layout.href(path, layout.stac_collection(d.id)), JSON, d.title) for d in catalogue.datasets),
        ],
    }


def collection(catalogue: Catalogue, dataset: Dataset) -> dict[str, Any]:
    path = layout.stac_collection(dataset.id)
    extensions = set(dataset.stac_extensions)
    if any(a.size is not None for a in dataset.assets):
        extensions.add(FILE_EXTENSION)
    doc: dict[str, Any] = {
        "type": "Collection",
        "stac_version": STAC_VERSION,
        "stac_extensions": sorted(extensions),
        "id": dataset.id,
        "title": dataset.title,
        "description": dataset.description or dataset.title,
        "keywords": list(dataset.keywords),
        "license": _stac_license(dataset),
        "providers": providers(catalogue, dataset),
        "extent": {
            "spatial": {"bbox": [rounded(dataset.bbox or WHOLE_WORLD)]},
            "temporal": {"interval": [_interval(dataset)]},
        },
        "links": _collection_links(catalogue, dataset, path),
    }
    if dataset.summaries:
        doc["summaries"] = dataset.summaries
    if dataset.assets:
        doc["assets"] = {a.key: asset(a, path) for a in dataset.assets}
    return doc


def _collection_links(catalogue: Catalogue, dataset: Dataset, path: str) -> list[dict[str, Any]]:
    return [
        link("root", layout.href(path, layout.STAC_ROOT), JSON, catalogue.title),
        link("parent", layout.href(path, layout.STAC_ROOT), JSON, catalogue.title),
        link("alternate", layout.href(path, layout.record_html(dataset.id)), HTML, "This dataset's page"),
        link("alternate", layout.href(path, layout.record_json(dataset.id)), GEOJSON, "This dataset's OGC API record"),
        *license_links(dataset.license),
        *((link("related", layout.href(path, layout.collection_json(dataset.id)), JSON, "OGC API collection"),) if dataset.collection else ()),
        *(link("pmtiles", layout.href(path, a.href), a.media_type, a.title) for a in dataset.assets if a.media_type == PMTILES),
        *external_links(dataset),
        *(link("item", layout.href(path, layout.stac_item(dataset.id, i.id)), GEOJSON, i.title) for i in dataset.items),
    ]


def item(catalogue: Catalogue, dataset: Dataset, entry: Item) -> dict[str, Any]:
    """A STAC Item for one file of a multi-file dataset; it shares the collection's extensions."""
    path = layout.stac_item(dataset.id, entry.id)
    extensions = set(dataset.stac_extensions) | ({FILE_EXTENSION} if any(a.size is not None for a in entry.assets) else set())
    collection_href = layout.href(path, layout.stac_collection(dataset.id))
    return {
        "type": "Feature",
        "stac_version": STAC_VERSION,
        "stac_extensions": sorted(extensions),
        "id": entry.id,
        "geometry": bbox_geometry(entry.bbox),
        "bbox": rounded(entry.bbox),
        "properties": {"title": entry.title, "datetime": entry.datetime},
        "links": [
            link("root", layout.href(path, layout.STAC_ROOT), JSON, catalogue.title),
            link("parent", collection_href, JSON, dataset.title),
            link("collection", collection_href, JSON, dataset.title),
        ],
        "assets": {a.key: asset(a, path) for a in entry.assets},
        "collection": dataset.id,
    }


def asset(item: Asset, path: str) -> dict[str, Any]:
    result: dict[str, Any] = {"href": layout.href(path, item.href), "type": item.media_type, "title": item.title, "roles": list(item.roles)}
    if item.size is not None:
        result["file:size"] = item.size
    if item.checksum:
        result["file:checksum"] = item.checksum
    result.update(item.stac_fields)
    return result


def providers(catalogue: Catalogue, dataset: Dataset) -> list[dict[str, Any]]:
    """Contacts whose roles map to STAC provider roles, then the publisher as host."""
    result = [p for p in (_provider(c) for c in dataset.contacts) if p]
    publisher = {"name": catalogue.publisher.name, "roles": ["host"]}
    if catalogue.publisher.url:
        publisher["url"] = catalogue.publisher.url
    if not any(p["name"] == publisher["name"] for p in result):
        result.append(publisher)
    return result


def _provider(contact: Contact) -> dict[str, Any] | None:
    roles = sorted({PROVIDER_ROLES[r] for r in contact.roles if r in PROVIDER_ROLES})
    name = contact.organization or contact.name
    if not roles or not name:
        return None
    provider: dict[str, Any] = {"name": name, "roles": roles}
    if contact.url:
        provider["url"] = contact.url
    return provider


def _stac_license(dataset: Dataset) -> str:
    """STAC takes a single SPDX id; expressions and custom licences become 'other' with a license link."""
    if dataset.license and STAC_LICENSE.match(dataset.license.spdx):
        return dataset.license.spdx
    return "other"


def _interval(dataset: Dataset) -> list[str | None]:
    if dataset.time is None:
        return [None, None]
    return [datetime_bound(dataset.time.start, end=False), datetime_bound(dataset.time.end, end=True)]
