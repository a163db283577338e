"""sitemap.xml and robots.txt, so crawlers find every page the HTML writer makes.

The sitemaps protocol wants absolute URLs, so the sitemap needs the site's base URL; without one, robots.txt
still allows everything and says nothing about a sitemap. A sitemap file holds at most 50,000 URLs and 50 MB:
a bigger site gets numbered sitemap files and `sitemap.xml` becomes their index, so robots.txt never changes.
"""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from generator import layout
from generator.model import Catalogue
from generator.output import OutputTree
from generator.writers.html_context import site_pages

log = logging.getLogger("geosite")

OWNER = "sitemap"
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
"""The protocol's limits per sitemap file (URLs, uncompressed bytes)."""
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n'
TAIL = "</urlset>\n"


def write(catalogue: Catalogue, out: OutputTree, max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES) -> None:
    if catalogue.base_url is None:
        log.info("no sitemap.xml: it needs absolute URLs; set base_url in catalogue.yaml or pass --base-url")
        out.write_text(layout.ROBOTS, "User-agent: *\nAllow: /\n", OWNER)
        return
    parts = split(url_entries(catalogue.base_url, site_pages(catalogue)), max_urls, max_bytes)
    if len(parts) == 1:
        out.write_text(layout.SITEMAP, sitemap_xml(parts[0]), OWNER)
    else:
        for number, part in enumerate(parts, start=1):
            out.write_text(layout.sitemap_part(number), sitemap_xml(part), OWNER)
        out.write_text(layout.SITEMAP, sitemap_index(catalogue.base_url, parts), OWNER)
    out.write_text(layout.ROBOTS, f"User-agent: *\nAllow: /\n\nSitemap: {layout.absolute(catalogue.base_url, layout.SITEMAP)}\n", OWNER)


Entry = tuple[str, str]
"""A <url> element's text and its lastmod."""


def url_entries(base_url: str, pages: list[tuple[str, str]]) -> list[Entry]:
    """One <url> per page with its canonical location and last modification date."""
    return [
        (f"<url><loc>{escape(layout.absolute(base_url, path) or '')}</loc><lastmod>{escape(lastmod)}</lastmod></url>\n", lastmod)
        for path, lastmod in pages
    ]


def split(entries: list[Entry], max_urls: int, max_bytes: int) -> list[list[Entry]]:
    """Consecutive runs of entries, each fitting one sitemap file; always at least one (the landing page is listed)."""
    parts: list[list[Entry]] = [[]]
    size = len(HEAD) + len(TAIL)
    for entry in entries:
        length = len(entry[0].encode("utf-8"))
        if parts[-1] and (len(parts[-1]) >= max_urls or size + length > max_bytes):
            parts.append([])
            size = len(HEAD) + len(TAIL)
        parts[-1].append(entry)
        size += length
    return parts


def sitemap_xml(entries: list[Entry]) -> str:
    return HEAD + "".join(text for text, _lastmod in entries) + TAIL


def sitemap_index(base_url: str, parts: list[list[Entry]]) -> str:
    """The index of the numbered sitemap files; each one's lastmod is its newest page's."""
    items = "".join(
        f"<sitemap><loc>{escape(layout.absolute(base_url, layout.sitemap_part(number)) or '')}</loc>"
        f"<lastmod>{escape(newest(part))}</lastmod></sitemap>\n"
        for number, part in enumerate(parts, start=1)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">\n{items}</sitemapindex>\n'


def newest(entries: list[Entry]) -> str:
    """Dates and date-times compare as the start of the day for a date."""
    return max((lastmod for _text, lastmod in entries), key=lambda value: value if "T" in value else f"{value}T00:00:00Z")
