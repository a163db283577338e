"""What the HTML templates show, computed from the model: facets, pages, sizes, map settings, code snippets.

Kept apart from the templates so the sitemap and search writers list exactly the pages the HTML writer makes.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from types import SimpleNamespace

from generator import layout
from generator.clock import build_time
from generator.model import Asset, Catalogue, Dataset
from generator.writers.site_assets import vendor

PMTILES = "application/vnd.pmtiles"
HTML = "text/html"
PAGE_SIZE = 20
BROWSE_PAGE_SIZE = 100
"""Records per browse page: a licence or type may cover the whole catalogue, which on one page would be megabytes."""
SHOWN_VALUES = {"sidebar": 10, "landing": 24, "search": 50}
"""How many of a facet's most used values each place lists; every value has its browse page, linked from the facet's index."""
FACETS = {"keyword": "Keywords", "theme": "Themes", "type": "Types", "licence": "Licences"}
SITE_TARGETS = {
    "home": layout.LANDING_HTML, "api": layout.LANDING_JSON, "all_records": layout.catalogue_html(1), "search": layout.SEARCH_HTML,
    "collections": layout.COLLECTIONS_HTML, "records": layout.RECORDS_CATALOGUE, "stac": layout.STAC_ROOT, "sitemap": layout.SITEMAP,
    "favicon": layout.asset("favicon.svg"), "css": layout.asset("site.css"), "js": layout.asset("site.js"), "map_js": layout.asset("map.js"),
    "maplibre_css": vendor("maplibre-gl/maplibre-gl.css"), "maplibre_js": vendor("maplibre-gl/maplibre-gl.js"), "pmtiles_js": vendor("pmtiles/pmtiles.js"),
}
"""What pages link to whatever they show: `links.<name>` in the templates, worked out before rendering (a call
to `url()` from a template costs several times a lookup, and a page has dozens of these links)."""

FORMAT_NAMES = {
    PMTILES: "PMTiles",
    "application/geopackage+sqlite3": "GeoPackage",
    "application/geo+json": "GeoJSON",
    "application/vnd.apache.parquet": "GeoParquet",
    "application/flatgeobuf": "FlatGeobuf",
    "application/vnd.flatgeobuf": "FlatGeobuf",
    "application/json": "JSON",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/webp": "WebP image",
    "text/csv": "CSV",
    "application/zip": "ZIP archive",
}


def format_name(media_type: str) -> str:
    """A name people recognise for a media type; the media type itself when none is known."""
    if media_type.startswith("image/tiff"):
        return "Cloud Optimized GeoTIFF" if "cloud-optimized" in media_type else "GeoTIFF"
    return FORMAT_NAMES.get(media_type.split(";")[0].strip(), media_type)


def human_size(size: int | None) -> str:
    """1 decimal in the largest unit below 1024, as download pages show it."""
    if size is None:
        return "unknown"
    value, unit = float(size), "B"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            break
        value /= 1024
    return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"


def legend_number(value: float | None) -> str:
    """A legend's value as people read it: up to 6 significant digits, no trailing zeros."""
    return "" if value is None else f"{value:.6g}"


def degrees(value: float) -> str:
    """A coordinate to 4 decimals (about 10 m), without trailing zeros: what people read."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


_TARGET_PREFIXES = frozenset("/".join(target.split("/")[:depth]) for target in SITE_TARGETS.values() for depth in range(1, target.count("/") + 2))


SiteLinks = namedtuple("SiteLinks", SITE_TARGETS)  # type: ignore[misc]  # a field per target, named as in SITE_TARGETS


def site_links(page: str) -> SiteLinks:
    """The href from `page` to each of SITE_TARGETS, by name, worked out once per `_stand_in` page."""
    return _site_links(_stand_in(page))


@lru_cache(maxsize=64)
def _site_links(page: str) -> SiteLinks:
    return SiteLinks(*(layout.href(page, target) for target in SITE_TARGETS.values()))


def _stand_in(page: str) -> str:
    """A page with the same hrefs to SITE_TARGETS as `page`: its folders as far as they lead to targets, then '-'
    for each folder below (the hrefs only climb to where the paths part). Every record page has its own folder;
    they all share one stand-in."""
    folders = page.split("/")[:-1]
    if any(folder in ("", ".", "..") for folder in folders):
        return page  # not a plain path: href() normalises it
    shared = 0
    while shared < len(folders) and "/".join(folders[: shared + 1]) in _TARGET_PREFIXES:
        shared += 1
    return "/".join([*folders[:shared], *["-"] * (len(folders) - shared), "index.html"])


def dataset_links(page: str, dataset: Dataset) -> SimpleNamespace:
    """hrefs from `page` to the dataset's own pages and documents (the OGC API collection's when it has one)."""
    href, collection = layout.linker(page), dataset.collection is not None
    return SimpleNamespace(
        record_page=href(layout.record_html(dataset.id)),
        record=href(layout.record_json(dataset.id)),
        stac=href(layout.stac_collection(dataset.id)),
        collection=href(layout.collection_json(dataset.id)) if collection else None,
        collection_page=href(layout.collection_html(dataset.id)) if collection else None,
    )


def keyword_links(page: str, ranks: dict[str, tuple[int, FacetValue]], keywords: Iterable[str]) -> list[tuple[str, str]]:
    """(href, keyword) of each of the page's keywords that has a browse page, in the order the site lists them."""
    chosen = sorted(ranks[keyword] for keyword in dict.fromkeys(keywords) if keyword in ranks)
    href = layout.linker(page)
    return [(href(value.path), value.value) for _, value in chosen]


def ranks(values: list[FacetValue]) -> dict[str, tuple[int, FacetValue]]:
    """Each of a facet's values with its place in the facet's order."""
    return {value.value: (place, value) for place, value in enumerate(values)}


def facet_values(dataset: Dataset) -> dict[str, list[str]]:
    """The values a dataset is filed under, per facet."""
    return {
        "keyword": list(dict.fromkeys(dataset.keywords)),
        "theme": list(dict.fromkeys(concept.title or concept.id for theme in dataset.themes for concept in theme.concepts)),
        "type": [dataset.type],
        "licence": [licence_label(dataset)] if dataset.license else [],
    }


def licence_label(dataset: Dataset) -> str:
    licence = dataset.license
    if licence is None:
        return ""
    return licence.title if licence.spdx.lower() == "other" and licence.title else licence.spdx


@dataclass(frozen=True)
class FacetValue:
    facet: str
    value: str
    slug: str
    count: int

    @property
    def path(self) -> str:
        return self.page(1)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.count // BROWSE_PAGE_SIZE))

    def page(self, number: int) -> str:
        return layout.browse_html(self.facet, self.slug, number)


def facets(datasets: Iterable[Dataset]) -> dict[str, list[FacetValue]]:
    """Every facet value with its record count and the file name of its browse page, most used first."""
    counters: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    for dataset in datasets:
        for facet, values in facet_values(dataset).items():
            counters[facet].update(values)
    result = {}
    for facet, counter in counters.items():
        names = slugs(counter)
        result[facet] = [FacetValue(facet, value, names[value], count) for value, count in sorted(counter.items(), key=lambda vc: (-vc[1], vc[0].lower()))]
    return result


def facet_members(datasets: Iterable[Dataset]) -> dict[tuple[str, str], list[Dataset]]:
    """The datasets filed under each (facet, value), by title: one pass, however many values there are."""
    members: dict[tuple[str, str], list[Dataset]] = {}
    for dataset in sorted_by_title(datasets):
        for facet, values in facet_values(dataset).items():
            for value in values:
                members.setdefault((facet, value), []).append(dataset)
    return members


def slugs(values: Iterable[str]) -> dict[str, str]:
    """File-name-safe, stable names; values that would share one get a short hash to stay distinct."""
    plain = {value: re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:60] for value in values}
    taken = Counter(plain.values())
    return {value: slug if slug and slug != "index" and taken[slug] == 1 else f"{slug}-{hashlib.sha256(value.encode()).hexdigest()[:8]}".lstrip("-") for value, slug in plain.items()}


def page_numbers(number: int, count: int, around: int = 3) -> list[int | None]:
    """The pages a pager links to: all of a few; else the first, the last and those around `number`, with None
    for each gap. Linking every page from every page grows with the square of the pages (25M links at 100k records)."""
    if count <= 2 * around + 4:
        return list(range(1, count + 1))
    result: list[int | None] = []
    previous = 0
    for n in sorted({1, count, *range(max(1, number - around), min(count, number + around) + 1)}):
        result += [None, n] if n - previous > 1 else [n]
        previous = n
    return result


def pages_of(items: list, size: int = PAGE_SIZE) -> list[list]:
    """Items cut into pages; one empty page when there are none, so the listing always exists."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def sorted_by_title(datasets: Iterable[Dataset]) -> list[Dataset]:
    return sorted(datasets, key=lambda d: (d.title.lower(), d.id))


def newest(datasets: Iterable[Dataset], count: int = 5) -> list[Dataset]:
    """Most recently updated (or created) first; records without dates are not 'new'."""
    dated = [d for d in datasets if d.updated or d.created]
    return sorted(dated, key=lambda d: (d.updated or d.created or "", d.id), reverse=True)[:count]


def tiles_asset(dataset: Dataset) -> Asset | None:
    """The dataset's PMTiles archive, which the map draws."""
    return next((a for a in dataset.assets if a.media_type == PMTILES and "tiles" in a.roles), None)


def thumbnail(dataset: Dataset) -> Asset | None:
    return next((a for a in dataset.assets if "thumbnail" in a.roles and a.media_type.startswith("image/")), None)


def map_config(catalogue: Catalogue, dataset: Dataset, page: str) -> dict | None:
    """Settings the map script reads; None when there is nothing to draw."""
    archive = tiles_asset(dataset)
    if dataset.bbox is None and archive is None:
        return None
    return {
        "bbox": list(dataset.bbox) if dataset.bbox else None,
        "pmtiles": layout.href(page, archive.href) if archive else None,
        "basemap": basemap_config(catalogue, page),
    }


def geojson_map_config(catalogue: Catalogue, dataset: Dataset, page: str, geojson: str) -> dict:
    """Settings for a map of the features in the GeoJSON document `geojson` (an items page, a feature)."""
    bbox = list(dataset.bbox) if dataset.bbox else None
    return {"bbox": bbox, "pmtiles": None, "geojson": layout.href(page, geojson), "basemap": basemap_config(catalogue, page)}


def basemap_config(catalogue: Catalogue, page: str) -> dict | None:
    """The background map, if the publisher chose one; its attribution is text the script shows as text."""
    basemap = catalogue.basemap
    if basemap is None:
        return None
    return {
        "tiles": basemap.url,
        "pmtiles": layout.href(page, layout.BASEMAP_ARCHIVE) if basemap.pmtiles else None,
        "attribution": basemap.attribution,
        "attribution_url": basemap.attribution_url,
        "max_zoom": basemap.max_zoom,
    }


def lastmod(dataset: Dataset) -> str:
    """When a record last changed: its `updated` date, else the deterministic build time of its inputs."""
    if dataset.updated:
        return dataset.updated
    inputs = [p for p in (dataset.yaml_path, dataset.source_path) if p is not None]
    return _date(build_time(inputs))


def catalogue_lastmod(catalogue: Catalogue) -> str:
    dates = [lastmod(d) for d in catalogue.datasets]
    return max(dates, key=_sortable) if dates else _date(build_time([catalogue.src_dir / "catalogue.yaml"]))


def _sortable(value: str) -> str:
    return value if "T" in value else f"{value}T00:00:00Z"


def _date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def site_pages(catalogue: Catalogue) -> list[tuple[str, str]]:
    """(path, lastmod) of every HTML page a crawler should index, in a stable order.

    Of a features collection's HTML tables only the first page is listed, as the entry point: the other pages and
    the single-feature pages are reached through its links. Listing them would swamp the sitemap with thin pages
    that repeat the downloads (a dataset of a million features has a thousand table pages).
    """
    everything = catalogue_lastmod(catalogue)
    pages = [(layout.LANDING_HTML, everything)]
    pages += [(layout.catalogue_html(n), everything) for n in range(1, len(pages_of(catalogue.datasets)) + 1)]
    pages.append((layout.COLLECTIONS_HTML, everything))
    for facet, values in facets(catalogue.datasets).items():
        pages += [(layout.browse_index_html(facet), everything)] if values else []
        pages += [(value.page(n), everything) for value in values for n in range(1, value.page_count + 1)]
    for dataset in sorted(catalogue.datasets, key=lambda d: d.id):
        pages.append((layout.record_html(dataset.id), lastmod(dataset)))
        if dataset.collection is not None:
            pages.append((layout.collection_html(dataset.id), lastmod(dataset)))
            pages += [(link.href, lastmod(dataset)) for link in dataset.collection.links if link.media_type == HTML]
    return pages
