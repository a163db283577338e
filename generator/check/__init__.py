"""The check stage: validate a finished build (schemas, links) and return findings rather than raise."""

from __future__ import annotations

from pathlib import Path

from generator.check.archives import check_archives
from generator.check.findings import Finding
from generator.check.links import SiteFiles, broken_links, html_hrefs, json_hrefs
from generator.check.pages import check_pages
from generator.check.schemas import load_json, schema_findings


def check_build(root: Path, base_url: str | None = None) -> list[Finding]:
    """Every finding about the build at `root`: JSON against official schemas, links, binary outputs, pages."""
    site = SiteFiles(root)
    return check_documents(site, base_url) + check_archives(root) + check_pages(root)


def check_documents(site: SiteFiles, base_url: str | None) -> list[Finding]:
    """Schemas and links of every JSON document (each read and parsed once), then the links of every page."""
    schema, links = [], []
    for rel in site.with_suffix(".json"):
        document, problem = load_json(site.root / rel)
        if problem:
            schema.append(Finding(rel, problem, "schema"))
            continue
        schema += schema_findings(rel, document)
        links += broken_links(site, rel, json_hrefs(document), base_url)
    for rel in site.with_suffix(".html"):
        links += broken_links(site, rel, html_hrefs((site.root / rel).read_text(encoding="utf-8", errors="replace")), base_url)
    return schema + links


__all__ = ["Finding", "check_build"]
