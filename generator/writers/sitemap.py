"""sitemap.xml and robots.txt, so crawlers find every page the HTML writer makes.

The sitemaps protocol wants absolute URLs, so the sitemap needs the site's base URL; without one, robots.txt
still allows everything and says nothing about a sitemap.
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
"""The protocol's limit per sitemap file."""


def write(catalogue: Catalogue, out: OutputTree) -> None:
    if catalogue.base_url is None:
        log.info("no sitemap.xml: it needs absolute URLs; set base_url in catalogue.yaml or pass --base-url")
        out.write_text(layout.ROBOTS, "User-agent: *\nAllow: /\n", OWNER)
        return
    pages = site_pages(catalogue)
    if len(pages) > MAX_URLS:
        log.warning("sitemap.xml lists the first %d of %d pages (the protocol's limit)", MAX_URLS, len(pages))
    out.write_text(layout.SITEMAP, sitemap_xml(catalogue.base_url, pages[:MAX_URLS]), OWNER)
    out.write_text(layout.ROBOTS, f"User-agent: *\nAllow: /\n\nSitemap: {layout.absolute(catalogue.base_url, layout.SITEMAP)}\n", OWNER)


def sitemap_xml(base_url: str, pages: list[tuple[str, str]]) -> str:
    """One <url> per page with its canonical location and last modification date."""
    entries = "".join(
        f"<url><loc>{escape(layout.absolute(base_url, path) or '')}</loc><lastmod>{escape(lastmod)}</lastmod></url>\n" for path, lastmod in pages
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n{entries}</urlset>\n'
