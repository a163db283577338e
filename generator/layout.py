"""Where every resource lives in the output tree: the one place that knows the site's URL layout.

Every resource is a file with an explicit name, so links work on any static host and from file://,
with or without URL rewrites. Paths are relative to the output root and '/'-separated.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from functools import lru_cache

LANDING_JSON = "index.json"
LANDING_HTML = "index.html"
CONFORMANCE = "conformance.json"
OPENAPI = "openapi.json"
COLLECTIONS = "collections/index.json"
COLLECTIONS_HTML = "collections/index.html"
RECORDS_ID = "records"
RECORDS_CATALOGUE = f"collections/{RECORDS_ID}/index.json"
STAC_ROOT = "stac/catalog.json"


def record_json(dataset_id: str) -> str:
    return f"collections/{RECORDS_ID}/items/{dataset_id}.json"


def records_items_page(number: int) -> str:
    """Pages of the records as GeoJSON FeatureCollections, the Records API `items` resource."""
    return f"collections/{RECORDS_ID}/items/index.json" if number == 1 else f"collections/{RECORDS_ID}/items/page-{number}.json"


def record_html(dataset_id: str) -> str:
    return f"datasets/{dataset_id}/index.html"


def dataset_file(dataset_id: str, filename: str) -> str:
    """Where a dataset's published files (downloads, COG, PMTiles, thumbnail) go."""
    return f"datasets/{dataset_id}/{filename}"


def collection_json(dataset_id: str) -> str:
    """The OGC API collection of a dataset with data (features, tiles, coverage)."""
    return f"collections/{dataset_id}/index.json"


def stac_collection(dataset_id: str) -> str:
    return f"stac/{dataset_id}/collection.json"


def stac_item(dataset_id: str, item_id: str) -> str:
    return f"stac/{dataset_id}/items/{item_id}.json"


def href(from_path: str, to_path: str) -> str:
    """Relative href from the document at `from_path` to `to_path`, both output-root relative."""
    return _href(posixpath.dirname(from_path) or ".", to_path)


def json_linker(base_url: str | None, from_path: str) -> Callable[[str], str]:
    """hrefs of the OGC API documents (landing page, collections, records, features, tilesets): absolute under
    the site's URL when it is known, as the Records and Features link schemas ask (`format: uri`) and as QGIS,
    GDAL and OWSLib need (each resolves relative hrefs differently); relative otherwise, so a build without a
    base_url works from any path prefix. STAC keeps relative links (a self-contained catalogue)."""
    if base_url:
        return lambda to_path: base_url + to_path
    folder = posixpath.dirname(from_path) or "."
    return lambda to_path: _href(folder, to_path)


def linker(from_path: str) -> Callable[[str], str]:
    """`href` from one page, for its many links: a target outside the page's top folder is reached by climbing to
    the root (what `_relative` finds the long way), with no cache entry per page and target (a record page each)."""
    folder = posixpath.dirname(from_path) or "."
    if folder == "." or not _plain(folder):
        return lambda to_path: _href(folder, to_path)
    top, up = folder.split("/", 1)[0], "../" * (folder.count("/") + 1)

    def href_to(to_path: str) -> str:
        return up + to_path if to_path.split("/", 1)[0] != top and _plain(to_path) else _href(folder, to_path)

    return href_to


@lru_cache(maxsize=8192)
def _href(folder: str, to_path: str) -> str:
    """Cached: pages of one folder (thousands of feature pages) link to the same few targets."""
    plain = (folder == "." or _plain(folder)) and _plain(to_path)
    rel = _relative(to_path, folder) if plain else posixpath.relpath(to_path, folder)
    return rel if rel.startswith(".") else f"./{rel}"


def _relative(to_path: str, folder: str) -> str:
    """posixpath.relpath for plain paths without its getcwd() and abspath(): a big site makes millions of links."""
    start, target = ([] if folder == "." else folder.split("/")), to_path.split("/")
    common = 0
    for here, there in zip(start, target):
        if here != there:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:]) or "."


def _plain(path: str) -> bool:
    """A relative path without empty, '.' or '..' segments: the only kind `_relative` may handle."""
    wrapped = f"/{path}/"
    return bool(path) and path[0] != "/" and path[-1] != "/" and "//" not in path and "/./" not in wrapped and "/../" not in wrapped


def absolute(base_url: str | None, path: str) -> str | None:
    """Canonical URL of `path` when the site has a base URL; index.html maps to its folder."""
    if base_url is None:
        return None
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url + path


def features_page(dataset_id: str, number: int) -> str:
    """Pre-paginated OGC API Features items: page 1 is what `{api}/collections/{id}/items` maps to."""
    return f"collections/{dataset_id}/items/index.json" if number == 1 else f"collections/{dataset_id}/items/page-{number}.json"


def feature_json(dataset_id: str, feature_id: str) -> str:
    return f"collections/{dataset_id}/items/{feature_id}.json"


def queryables_json(dataset_id: str) -> str:
    return f"collections/{dataset_id}/queryables.json"


def tilesets_json(dataset_id: str) -> str:
    """OGC API Tiles: the list of a collection's tilesets (`{api}/collections/{id}/tiles`)."""
    return f"collections/{dataset_id}/tiles/index.json"


def tileset_json(dataset_id: str, tms: str = "WebMercatorQuad") -> str:
    return f"collections/{dataset_id}/tiles/{tms}.json"


def tilejson(dataset_id: str) -> str:
    return f"datasets/{dataset_id}/tiles.json"


def pmtiles_archive(dataset_id: str) -> str:
    return f"datasets/{dataset_id}/{dataset_id}.pmtiles"


SEARCH_HTML = "search/index.html"
SEARCH_INDEX = "search/records.json"
"""The small spatial/temporal/facet index the search page's own script reads (Pagefind does the full text)."""
PAGEFIND_DIR = "search/pagefind"
PAGEFIND_PART_RECORDS = 10_000
"""Records per Pagefind bundle. Pagefind holds a whole index in memory while building it (3.6 GB for 100k
records), so a big catalogue is indexed in parts of bounded size, which the search page merges."""


def pagefind_dirs(records: int) -> list[str]:
    """The Pagefind bundle folders of a catalogue of `records` records: the first is the one the page loads."""
    return [PAGEFIND_DIR if part == 0 else f"{PAGEFIND_DIR}-{part + 1}" for part in range(max(1, -(-records // PAGEFIND_PART_RECORDS)))]
SITEMAP = "sitemap.xml"


def sitemap_part(number: int) -> str:
    """One of several sitemap files, when the site has more pages than one sitemap may list; sitemap.xml is their index."""
    return f"sitemap-{number}.xml"


ROBOTS = "robots.txt"
ASSETS_DIR = "assets"
VENDOR_DIR = "assets/vendor"


def catalogue_html(number: int) -> str:
    """Pages of the HTML listing of every record."""
    return "catalogue/index.html" if number == 1 else f"catalogue/page-{number}.html"


def browse_html(facet: str, slug: str, number: int = 1) -> str:
    """Pages of the records sharing one keyword, theme, type or licence (a folder per value holds pages 2 on)."""
    return f"browse/{facet}/{slug}.html" if number == 1 else f"browse/{facet}/{slug}/page-{number}.html"


def browse_index_html(facet: str) -> str:
    """Every value of one facet, with its record count."""
    return f"browse/{facet}/index.html"


def collection_html(dataset_id: str) -> str:
    """The HTML page of a dataset's OGC API collection, beside its JSON."""
    return f"collections/{dataset_id}/index.html"


def asset(name: str) -> str:
    return f"{ASSETS_DIR}/{name}"


BASEMAP_ARCHIVE = f"{ASSETS_DIR}/basemap.pmtiles"
"""The catalogue's `basemap: {pmtiles: ...}` archive, copied from the source folder."""


HOSTING_DIR = "hosting"
"""Host configurations and the API's collections list; see generator/writers/hosting.py."""
API_COLLECTIONS = f"{HOSTING_DIR}/api-collections.json"
NGINX_CONF = f"{HOSTING_DIR}/nginx.conf"
GITHUB_PAGES_WORKFLOW = f"{HOSTING_DIR}/github-pages.yml"
NETLIFY_HEADERS = "_headers"
NETLIFY_REDIRECTS = "_redirects"
NOJEKYLL = ".nojekyll"


def features_page_html(dataset_id: str, number: int) -> str:
    """The HTML twin of an items page, beside its JSON."""
    return f"collections/{dataset_id}/items/index.html" if number == 1 else f"collections/{dataset_id}/items/page-{number}.html"


def feature_html(dataset_id: str, feature_id: str) -> str:
    return f"collections/{dataset_id}/items/{feature_id}.html"
