"""How the site is served: content types, CORS, cache policy and the OGC API URL rules, for every host.

One table of API routes (`ROUTES`) and one content-type policy (`content_type`) drive the Netlify
`_headers`/`_redirects`, the nginx snippet, the S3 upload metadata and `geosite serve`, so a client
sees the same answers on each host.

Why redirects and not 200 rewrites: every JSON document links to the others with relative hrefs.
Served under another path (`/api/collections` showing `collections/index.json`) those hrefs would
resolve against the wrong folder; after a redirect the client's base URL is the file's own URL, so
`next` pages, items and collections resolve as they do on a host without rewrites.

Why a separate `{base}api` prefix: `{base}` is the HTML landing page (`index.html`), and static hosts
cannot choose index.json by the Accept header or by `?f=json` reliably; under `api/` every URL is JSON.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from generator import __version__, layout
from generator.model import Catalogue
from generator.writers import api
from generator.output import OutputTree

OWNER = "hosting"
API_PREFIX = "api"
"""OGC API clients (QGIS, GDAL OAPIF, OWSLib) are given `{base}api` as the API URL."""

REDIRECT_STATUS = 302


@dataclass(frozen=True)
class Route:
    """`{base}api{pattern}` redirects to `{base}{target}`; `:name` matches one path segment."""

    pattern: str
    target: str


def _collection_target(path: str) -> str:
    """A layout path for collection ':id' (and feature ':fid'), as a route target."""
    return path.replace("{id}", ":id").replace("{fid}", ":fid")


ROUTES: tuple[Route, ...] = (
    Route("", layout.LANDING_JSON),
    Route("/conformance", layout.CONFORMANCE),
    Route("/api", layout.OPENAPI),
    Route("/collections", layout.API_COLLECTIONS),
    Route("/collections/:id", _collection_target(layout.collection_json("{id}"))),
    Route("/collections/:id/queryables", _collection_target(layout.queryables_json("{id}"))),
    Route("/collections/:id/tiles", _collection_target(layout.tilesets_json("{id}"))),
    Route("/collections/:id/items", _collection_target(layout.features_page("{id}", 1))),
    Route("/collections/:id/items/:fid", _collection_target(layout.feature_json("{id}", "{fid}"))),
)
"""The OGC API paths clients construct themselves, mapped onto the files of generator/layout.py.
Query strings (`?f=json`, `?limit=…`) are ignored: `items` always starts at page 1 and clients follow `next`.
`/collections` is the one document written for the API (layout.API_COLLECTIONS): GDAL resolves a listed
collection's relative `items` href against `{api}/collections/{id}/items`, not against the list's URL,
so that copy of the list links with root-relative paths every client resolves alike."""

COG = "image/tiff; application=geotiff; profile=cloud-optimized"
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".geojson": "application/geo+json",
    ".pmtiles": "application/vnd.pmtiles",
    ".fgb": "application/vnd.flatgeobuf",
    ".parquet": "application/vnd.apache.parquet",
    ".gpkg": "application/geopackage+sqlite3",
    ".tif": COG,
    ".tiff": COG,
    ".mvt": "application/vnd.mapbox-vector-tile",
    ".pbf": "application/vnd.mapbox-vector-tile",
    ".csv": "text/csv; charset=utf-8",
    ".zip": "application/zip",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".yml": "text/yaml; charset=utf-8",
    ".yaml": "text/yaml; charset=utf-8",
}
"""Every kind of file the build writes. All GeoTIFFs the build writes are COGs."""

GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
GEOJSON_FOLDERS = ("collections", "stac")
"""Items pages, features, records (layout.features_page / feature_json / record_json) and STAC Items
(layout.stac_item) are GeoJSON: every `.json` in `{collections,stac}/{id}/items/`. Their HTML twins are not."""
GEOJSON_PATHS = re.compile(r"^(collections|stac)/[^/]+/items/[^/]+\.json$")
GEOJSON_GLOBS = tuple(f"/{folder}/:id/items/*.json" for folder in GEOJSON_FOLDERS)
GEOJSON_NGINX = r"^/(collections|stac)/[^/]+/items/[^/]+\.json$"

CACHE_REVALIDATE = "public, max-age=0, must-revalidate"
CACHE_DATA = "public, max-age=3600"
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_HASHED = re.compile(r"[.-][0-9a-f]{8,64}\.[A-Za-z0-9]+$")
"""A name like `tiles.3f9a2b1c.pmtiles`: its content never changes under that name."""

CORS_HEADERS: dict[str, str] = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Range, Content-Length, Content-Type, ETag, Accept-Ranges, Last-Modified",
}
"""Browsers (pmtiles.js, MapLibre, geotiff.js) may read ranges and ETags from any origin."""
CORS_PREFLIGHT: dict[str, str] = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Range, If-Match, If-None-Match, If-Modified-Since, If-Range, Accept",
    "Access-Control-Max-Age": "86400",
}


def content_type(rel: str) -> str:
    """Content-Type of an output path, '/'-separated and relative to the output root."""
    rel = rel.lstrip("/")
    if GEOJSON_PATHS.match(rel):
        return GEOJSON
    if rel == layout.OPENAPI:
        return OPENAPI
    return CONTENT_TYPES.get(posixpath.splitext(rel)[1].lower(), "application/octet-stream")


def is_data_file(rel: str) -> bool:
    """Downloads, archives and rasters, as opposed to the pages and JSON documents that describe them."""
    return not content_type(rel).startswith(("text/html", "application/json", GEOJSON, OPENAPI, "application/xml", "text/plain"))


def cache_control(rel: str) -> str:
    """Pages and JSON are revalidated (cheap with ETags); data files are cached for an hour, or for
    a year when their name carries a content hash, so a rebuild is never mixed with a stale copy."""
    if CONTENT_HASHED.search(posixpath.basename(rel)) and is_data_file(rel):
        return CACHE_IMMUTABLE
    return CACHE_DATA if is_data_file(rel) else CACHE_REVALIDATE


def resolve_route(path: str) -> str | None:
    """The output path an API URL path (root-relative, e.g. '/api/collections/x/items') redirects to."""
    prefix = "/" + API_PREFIX
    if path != prefix and not path.startswith(prefix + "/"):
        return None
    segments = [s for s in path[len(prefix):].split("/") if s]
    for route in ROUTES:
        pattern = [s for s in route.pattern.split("/") if s]
        if len(pattern) == len(segments) and all(p.startswith(":") or p == s for p, s in zip(pattern, segments)):
            values = {p: s for p, s in zip(pattern, segments) if p.startswith(":")}
            return _fill(route.target, values)
    return None


def api_objects(files: Iterable[str]) -> dict[str, str]:
    """For hosts without rewrites (object storage): each OGC API URL path under `api` (no extension, e.g.
    'api/collections/x/items') -> the output file that answers it, for every route a file of the build fills."""
    targets = [(route, re.compile(re.sub(r":([a-z]+)", r"(?P<\1>[^/]+)", re.escape(route.target).replace("\\:", ":")) + "$")) for route in ROUTES]
    objects: dict[str, str] = {}
    for rel in sorted(files):
        for route, pattern in targets:
            match = pattern.match(rel)
            if match and not _is_page_name(match.groupdict().get("fid")):
                objects[API_PREFIX + _fill(route.pattern, {f":{k}": v for k, v in match.groupdict().items()})] = rel
    return objects


def _is_page_name(fid: str | None) -> bool:
    """Items pages share the folder of single features: `index` and `page-N` are pages, not feature ids."""
    return fid is not None and (fid == "index" or re.fullmatch(r"page-\d+", fid) is not None)


def _fill(target: str, values: dict[str, str]) -> str:
    """Put the matched segments into a target such as 'collections/:id/items/:fid.json'."""
    return re.sub(r":[a-z]+", lambda m: values[m.group(0)], target)


def site_path(catalogue: Catalogue) -> str:
    """The URL path the site is served under ('/' or '/catalogue/'), from base_url."""
    if not catalogue.base_url:
        return "/"
    return urlsplit(catalogue.base_url).path or "/"


def write(catalogue: Catalogue, out: OutputTree) -> None:
    out.write_json(layout.API_COLLECTIONS, api_collections(catalogue), OWNER)
    out.write_text(layout.NETLIFY_REDIRECTS, netlify_redirects(catalogue), OWNER)
    out.write_text(layout.NETLIFY_HEADERS, netlify_headers(catalogue), OWNER)
    out.write_text(layout.NGINX_CONF, nginx_conf(catalogue), OWNER)
    out.write_text(layout.GITHUB_PAGES_WORKFLOW, github_pages_workflow(catalogue), OWNER)
    out.write_text(layout.NOJEKYLL, "", OWNER)


def api_collections(catalogue: Catalogue) -> dict:
    """The collections list with every href made root-relative (or absolute under a sub-path base_url).

    Only collections with items (features, records) are listed: OAPIF clients such as GDAL take every listed
    collection for a feature layer, and a coverage has no items to read.
    """
    document = api.collections(catalogue)
    document["collections"] = [c for c in document["collections"] if any(link["rel"] == "items" for link in c["links"])]
    prefix = site_path(catalogue)
    root = "/" if prefix == "/" else catalogue.base_url

    def rebase(node):
        if isinstance(node, dict):
            return {k: (_rooted(v, root) if k == "href" and isinstance(v, str) else rebase(v)) for k, v in node.items()}
        return [rebase(v) for v in node] if isinstance(node, list) else node

    return rebase(document)


def _rooted(href: str, root: str) -> str:
    """An href written relative to layout.COLLECTIONS, resolved to the site root `root`."""
    if urlsplit(href).scheme or href.startswith(("/", "#")):
        return href
    return root + posixpath.normpath(posixpath.join(posixpath.dirname(layout.COLLECTIONS), href))


def api_url(catalogue: Catalogue) -> str:
    """The documented OGC API URL: `{base}api` (relative to the site root without a base_url)."""
    return (catalogue.base_url or site_path(catalogue)) + API_PREFIX


def netlify_redirects(catalogue: Catalogue) -> str:
    """Netlify `_redirects`: one line per route; files win over rules, and none live under api/."""
    prefix = site_path(catalogue)
    lines = [f"# OGC API URL: {api_url(catalogue)} -> the static files (generated by geosite; see generator/writers/hosting.py)"]
    site = catalogue.base_url or prefix  # a full URL makes Netlify send an absolute Location, which QGIS 3.22 needs
    lines += [f"{prefix}{API_PREFIX}{r.pattern}  {site}{r.target}  {REDIRECT_STATUS}" for r in ROUTES]
    return "\n".join(lines) + "\n"


def netlify_headers(catalogue: Catalogue) -> str:
    """Netlify `_headers`: CORS everywhere, content types Netlify does not know, cache policy per data file."""
    prefix = site_path(catalogue)
    blocks = [(f"{prefix}*", CORS_HEADERS), *((prefix + glob.lstrip("/"), {"Content-Type": GEOJSON}) for glob in GEOJSON_GLOBS), (prefix + layout.OPENAPI, {"Content-Type": OPENAPI})]
    blocks += [(f"{prefix}*{ext}", {"Content-Type": CONTENT_TYPES[ext]}) for ext in NETLIFY_UNKNOWN_TYPES]
    blocks += [(prefix + href, {"Cache-Control": cache_control(href)}) for href in _data_files(catalogue)]
    return "".join(f"{path}\n" + "".join(f"  {name}: {value}\n" for name, value in headers.items()) for path, headers in blocks)


NETLIFY_UNKNOWN_TYPES = (".pmtiles", ".fgb", ".parquet", ".gpkg", ".tif", ".tiff", ".mvt", ".pbf", ".geojson")
"""Extensions Netlify would serve with a generic or different type."""


def _data_files(catalogue: Catalogue) -> list[str]:
    return sorted({asset.href for dataset in catalogue.datasets for asset in dataset.assets if is_data_file(asset.href)})


def nginx_conf(catalogue: Catalogue) -> str:
    """An nginx snippet for a `server {}` block whose `root` (or `alias`) maps the site path to the build."""
    prefix = site_path(catalogue)
    data_exts = "|".join(sorted(e.lstrip(".") for e in CONTENT_TYPES if is_data_file("x" + e)))
    parts = [
        "# geosite: include this file inside a server { } block; `root` must serve the build folder at " + prefix,
        "# Content types, CORS, cache policy and the OGC API URLs, the same as _headers/_redirects and `geosite serve`.",
        f"# OGC API URL for QGIS, GDAL (OAPIF:) and OWSLib: {api_url(catalogue)}",
        "absolute_redirect on;  # QGIS 3.22 follows no relative Location: every redirect names the host asked for",
        "server_name_in_redirect off;",
        "etag on;",
        "default_type application/octet-stream;",
        "types {\n" + "".join(f'    "{media}" {" ".join(e.lstrip(".") for e in exts)};\n' for media, exts in _types_by_media().items()) + "}",
    ]
    for route in ROUTES:
        pattern = re.sub(r":([a-z]+)", r"(?<\1>[^/]+)", f"{prefix}{API_PREFIX}{route.pattern}")
        target = re.sub(r":([a-z]+)", r"$\1", prefix + route.target)
        parts.append(_nginx_location(f"~ ^{pattern}/?$", f"return {REDIRECT_STATUS} $scheme://$http_host{target};"))
    parts += [
        _nginx_location(f"~ ^{prefix}{GEOJSON_NGINX.lstrip('^/')}", f"types {{ }} default_type {GEOJSON};", CACHE_REVALIDATE),
        _nginx_location(f"= {prefix}{layout.OPENAPI}", f'types {{ }} default_type "{OPENAPI}";', CACHE_REVALIDATE),
        _nginx_location(f"~* ^{prefix}.*[.-][0-9a-f]{{8,64}}\\.({data_exts})$", "", CACHE_IMMUTABLE),
        _nginx_location(f"~* ^{prefix}.*\\.({data_exts})$", "", CACHE_DATA),
        _nginx_location(prefix, "try_files $uri $uri/ =404;", CACHE_REVALIDATE),
    ]
    return "\n".join(parts) + "\n"


def _nginx_location(match: str, body: str, cache: str | None = None) -> str:
    """A location with CORS on every answer and the preflight answered (add_header is not inherited)."""
    headers = {**CORS_HEADERS, **({"Cache-Control": cache} if cache else {})}
    if match.startswith("~"):
        modifier, _, regex = match.partition(" ")
        match = f'{modifier} "{regex}"'
    preflight = f"if ($request_method = OPTIONS) {{ {_nginx_headers({**CORS_HEADERS, **CORS_PREFLIGHT})} return 204; }}"
    return f"location {match} {{\n    {preflight}\n    {_nginx_headers(headers)}\n    {body}\n}}".replace("\n    \n", "\n")


def _nginx_headers(headers: dict[str, str]) -> str:
    return " ".join(f'add_header {name} "{value}" always;' for name, value in headers.items())


def _types_by_media() -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for ext, media in CONTENT_TYPES.items():
        grouped.setdefault(media, []).append(ext)
    return grouped


def github_pages_workflow(catalogue: Catalogue) -> str:
    """A GitHub Actions workflow that builds this catalogue and deploys it to Pages; copy it to
    `.github/workflows/geosite.yml` in the repository holding the source folder."""
    return GITHUB_WORKFLOW.replace("{src}", catalogue.src_dir.name).replace("{version}", __version__)


GITHUB_WORKFLOW = """\
# Build the catalogue in ./{src} with geosite and publish it on GitHub Pages.
# Copy this file to .github/workflows/geosite.yml and set Settings > Pages > Source to "GitHub Actions".
# GitHub Pages sends no custom headers and applies no rewrites: the HTML, the crawlable JSON (follow links
# from index.json), STAC, downloads and HTTP range reads of COG/PMTiles work; the {base}api URLs for QGIS/GDAL do not.
name: geosite
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: true
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      # Install geosite the way you installed it locally (a pinned release, or pip install -e of a checkout).
      - run: pip install "geosite=={version}"
      - run: geosite build {src} -o _site
      - uses: actions/upload-pages-artifact@v3
        with:
          path: _site
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""
