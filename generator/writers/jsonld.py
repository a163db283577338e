"""schema.org JSON-LD for search engines: a Dataset per record page, a DataCatalog on the landing page.

Google's Dataset rich results are the bar: name, description, url, identifier, keywords, license, creator,
spatialCoverage, temporalCoverage, distribution (DataDownload) and includedInDataCatalog.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from markupsafe import Markup

from generator import layout
from generator.model import Asset, Catalogue, Contact, Dataset, Publisher
from generator.writers.common import license_texts, plain_summary

CONTEXT = "https://schema.org/"

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(document: Any) -> Markup:
    """JSON safe inside a <script> element: no `</script>`, `<!--` or line separators can end or bend it."""
    return _script_safe(json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")))


def script_jsonld(document: dict[str, Any]) -> Markup:
    """`script_json` of this module's documents, the same bytes several times faster: they hold only text, lists
    and objects, and orjson writes those as json does (it writes some floats' exponents differently)."""
    return _script_safe(orjson.dumps(document).decode())


def _script_safe(text: str) -> Markup:
    for character, escaped in _SCRIPT_ESCAPES.items():  # str.replace: several times faster than str.translate
        text = text.replace(character, escaped)
    return Markup(text)


def dataset_jsonld(catalogue: Catalogue, dataset: Dataset) -> dict[str, Any]:
    page = layout.record_html(dataset.id)
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": _url(catalogue, page, page),
        "name": dataset.title,
        "description": _description(dataset),
        "url": _url(catalogue, page, page),
        "identifier": [dataset.id, *(value for _scheme, value in dataset.external_ids)],
    }
    doc.update(_optional_dataset_fields(catalogue, dataset, page))
    return doc


def _optional_dataset_fields(catalogue: Catalogue, dataset: Dataset, page: str) -> dict[str, Any]:
    """Members Google recommends, present only when the metadata has them."""
    fields: dict[str, Any] = {
        "keywords": list(dataset.keywords) + [c.title or c.id for t in dataset.themes for c in t.concepts],
        "license": _license(dataset),
        "creator": [_agent(c) for c in dataset.contacts if _is_creator(c)] or None,
        "publisher": _publisher(catalogue.publisher),
        "spatialCoverage": _place(dataset),
        "temporalCoverage": _temporal(dataset),
        "dateCreated": dataset.created,
        "dateModified": dataset.updated,
        "inLanguage": dataset.language or catalogue.language,
        "distribution": [_download(catalogue, page, a) for a in dataset.assets if not {"thumbnail", "overview"} & set(a.roles)] or None,
        "includedInDataCatalog": {"@type": "DataCatalog", "name": catalogue.title, "url": _url(catalogue, page, layout.LANDING_HTML)},
        "sameAs": [link.href for link in dataset.links if link.rel in ("describedby", "related", "alternate")] or None,
    }
    return {key: value for key, value in fields.items() if value not in (None, [], "")}


LANDING_DATASETS = 500
"""Datasets the landing page's DataCatalog names: all of a small catalogue, a bounded share of a big one (each
record page names its catalogue, and the sitemap lists every record), so that the page of a 100k catalogue
is not 13 MB of JSON-LD."""


def catalogue_jsonld(catalogue: Catalogue) -> dict[str, Any]:
    page = layout.LANDING_HTML
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "DataCatalog",
        "name": catalogue.title,
        "description": plain_summary(catalogue.description, 5000) or catalogue.title,
        "url": _url(catalogue, page, page),
        "publisher": _publisher(catalogue.publisher),
        "inLanguage": catalogue.language,
        "dataset": [{"@type": "Dataset", "name": d.title, "url": _url(catalogue, page, layout.record_html(d.id))} for d in catalogue.datasets[:LANDING_DATASETS]],
    }
    if catalogue.keywords:
        doc["keywords"] = list(catalogue.keywords)
    if catalogue.license and license_texts(catalogue.license):
        doc["license"] = license_texts(catalogue.license)[0][1]
    return doc


def _url(catalogue: Catalogue, page: str, target: str) -> str:
    """Absolute when the site has a base URL (what Google wants); relative to the page otherwise."""
    return layout.absolute(catalogue.base_url, target) or layout.href(page, target)


def _description(dataset: Dataset) -> str:
    """Google wants 50 to 5000 characters; a short description is completed with the title, never invented."""
    text = " ".join(dataset.description.split()) or dataset.title
    if len(text) < 50 and dataset.title not in text:
        text = f"{dataset.title}. {text}"
    return text[:5000]


def _license(dataset: Dataset) -> str | None:
    texts = license_texts(dataset.license) if dataset.license else []
    return texts[0][1] if texts else None


def _is_creator(contact: Contact) -> bool:
    return not contact.roles or bool({"originator", "author", "principalInvestigator", "owner", "creator"} & set(contact.roles))


def _agent(contact: Contact) -> dict[str, Any]:
    """A Person when the contact names one (affiliated with their organisation), else an Organization."""
    if contact.name:
        person: dict[str, Any] = {"@type": "Person", "name": contact.name}
        if contact.organization:
            person["affiliation"] = {"@type": "Organization", "name": contact.organization}
    else:
        person = {"@type": "Organization", "name": contact.organization or ""}
    person.update({k: v for k, v in (("email", contact.email), ("url", contact.url)) if v})
    return person


def _publisher(publisher: Publisher) -> dict[str, Any]:
    doc: dict[str, Any] = {"@type": "Organization", "name": publisher.name}
    doc.update({k: v for k, v in (("url", publisher.url), ("email", publisher.email)) if v})
    return doc


def _place(dataset: Dataset) -> dict[str, Any] | None:
    """GeoShape box as schema.org wants it: 'south west north east'."""
    if dataset.bbox is None:
        return None
    west, south, east, north = dataset.bbox
    return {"@type": "Place", "geo": {"@type": "GeoShape", "box": f"{south} {west} {north} {east}"}}


def _temporal(dataset: Dataset) -> str | None:
    """ISO 8601 interval; '..' marks an open end, as Google's Dataset guide shows."""
    time = dataset.time
    if time is None:
        return None
    if time.instant:
        return time.start
    return f"{time.start or '..'}/{time.end or '..'}"


def _download(catalogue: Catalogue, page: str, asset: Asset) -> dict[str, Any]:
    doc = {"@type": "DataDownload", "name": asset.title, "encodingFormat": asset.media_type, "contentUrl": _url(catalogue, page, asset.href)}
    if asset.size is not None:
        doc["contentSize"] = f"{asset.size} B"
    return doc
