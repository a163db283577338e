"""Checks of what crawlers read: the sitemap against the sitemaps.org schema, and JSON-LD on the pages."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import orjson

from generator.check.findings import Finding
from generator.check.links import SiteFiles

SITEMAP_XSD = Path(__file__).resolve().parents[1] / "official_schemas/www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd"
SITEMAP_INDEX_XSD = SITEMAP_XSD.with_name("siteindex.xsd")
RECORD_PAGE = re.compile(r"datasets/[^/]+/index\.html")
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def check_sitemaps(site: SiteFiles) -> list[Finding]:
    """The sitemap (or sitemap index and its parts) at the root, against the sitemaps.org schemas."""
    sitemaps = sorted(rel for rel in site.files if "/" not in rel and rel.startswith("sitemap") and rel.endswith(".xml"))
    return [Finding(rel, message, "sitemap") for rel in sitemaps for message in sitemap_problems(site.root / rel)]


def page_findings(rel: str, text: str) -> list[Finding]:
    """JSON-LD problems of a page crawlers must understand: the landing page (a DataCatalog) and record pages."""
    expected = "DataCatalog" if rel == "index.html" else "Dataset" if RECORD_PAGE.fullmatch(rel) else None
    return [Finding(rel, message, "json-ld") for message in json_ld_problems(text, expected)] if expected else []


def sitemap_problems(path: Path) -> list[str]:
    from lxml import etree

    try:
        document = etree.parse(str(path))
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    root = etree.QName(document.getroot()).localname
    schema = _sitemap_schema(SITEMAP_INDEX_XSD if root == "sitemapindex" else SITEMAP_XSD)  # an index's sitemaps are checked on their own
    return [] if schema.validate(document) else [f"invalid sitemap: {e.message} (line {e.line})" for e in list(schema.error_log)[:10]]


@cache
def _sitemap_schema(xsd: Path):
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(xsd)))


def json_ld_problems(text: str, expected_type: str) -> list[str]:
    """The page must carry JSON-LD that parses and describes a schema.org `expected_type`."""
    blocks = JSON_LD.findall(text)
    if not blocks:
        return [f"no JSON-LD (schema.org {expected_type}) on the page"]
    types = []
    for block in blocks:
        try:
            document = orjson.loads(block)
        except orjson.JSONDecodeError as exc:
            return [f"JSON-LD does not parse: {exc}"]
        nodes = document if isinstance(document, list) else document.get("@graph", [document]) if isinstance(document, dict) else []
        types += [node.get("@type") for node in nodes if isinstance(node, dict)]
    return [] if expected_type in types or any(isinstance(t, list) and expected_type in t for t in types) else [f"JSON-LD has no {expected_type} (found {types})"]
