"""Link and text helpers shared by the JSON writers (records, STAC, features)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator import layout
from generator.model import Asset, Catalogue, Dataset, License

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
REL_CATALOG = "http://www.opengis.net/def/rel/ogc/1.0/ogc-catalog"


def link(rel: str, href: str, media_type: str | None = None, title: str | None = None, **extra: Any) -> dict[str, Any]:
    """A link object with only the members that have values, in a stable order."""
    result: dict[str, Any] = {"rel": rel, "href": href}
    if media_type:
        result["type"] = media_type
    if title:
        result["title"] = title
    result.update({k: v for k, v in extra.items() if v is not None})
    return result


SPDX_OPERATORS = frozenset({"AND", "OR", "WITH"})


def license_texts(licence: License) -> list[tuple[str, str]]:
    """(title, URL) of each licence text: the given one for a custom licence, SPDX's page for each id."""
    if licence.url:
        return [(licence.title or licence.spdx, licence.url)]
    ids = [t for t in licence.spdx.replace("(", " ").replace(")", " ").split() if t.upper() not in SPDX_OPERATORS]
    return [(i, f"https://spdx.org/licenses/{i.rstrip('+')}.html") for i in ids if i.lower() not in ("other", "proprietary", "various")]


def license_links(licence: License | None) -> list[dict[str, Any]]:
    if licence is None:
        return []
    return [link("license", url, HTML, title) for title, url in license_texts(licence)]


def asset_links(to: Callable[[str], str], dataset: Dataset) -> list[dict[str, Any]]:
    """The dataset's published files as links (hrefs made by `to`, a layout linker): downloads are enclosures,
    quicklooks previews."""
    return [link(_asset_rel(asset), to(asset.href), asset.media_type, asset.title, length=asset.size) for asset in dataset.assets]


def _asset_rel(asset: Asset) -> str:
    if "thumbnail" in asset.roles or "overview" in asset.roles:
        return "preview"
    return "enclosure"


def api_links(to: Callable[[str], str], dataset: Dataset) -> list[dict[str, Any]]:
    return [link(api.rel, to(api.href), api.media_type, api.title) for api in dataset.api_links]


def external_links(dataset: Dataset) -> list[dict[str, Any]]:
    return [link(ext.rel, ext.href, ext.media_type, ext.title) for ext in dataset.links]


def language(catalogue: Catalogue, dataset: Dataset | None = None) -> str:
    return (dataset.language if dataset and dataset.language else None) or catalogue.language


def datetime_bound(value: str | None, end: bool) -> str | None:
    """RFC 3339 date-time for an interval bound; a date covers its whole day."""
    if value is None or "T" in value:
        return value
    return f"{value}T23:59:59Z" if end else f"{value}T00:00:00Z"


def plain_summary(markdown: str, limit: int = 300) -> str:
    """First paragraph of a Markdown description, without markup, for one-line summaries."""
    first = markdown.strip().split("\n\n", 1)[0].replace("\n", " ")
    for mark in ("**", "__", "`", "#"):
        first = first.replace(mark, "")
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"
