"""The check stage: validate a finished build (schemas, links) and return findings rather than raise."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from generator import parallel
from generator.check.archives import check_archives
from generator.check.findings import Finding
from generator.check.links import SiteFiles, broken_links, html_hrefs, json_hrefs
from generator.check.pages import check_sitemaps, page_findings
from generator.check.schemas import load_json, schema_findings
from generator.output import read_file


def check_build(root: Path, base_url: str | None = None, files: Iterable[str] | None = None) -> list[Finding]:
    """Every finding about the build at `root`: JSON against official schemas, links, binary outputs, pages.
    `files` lists what the build wrote there (it is walked when not given)."""
    site = SiteFiles(root, files)
    return check_documents(site, base_url) + check_archives(site) + check_sitemaps(site)


def check_documents(site: SiteFiles, base_url: str | None) -> list[Finding]:
    """Schemas of every JSON document and JSON-LD of the pages, then the links of both: each file is read and
    parsed once, by one of the cores when the site is big."""
    rels = site.with_suffix(".json") + site.with_suffix(".html")
    slices = parallel.map_slices(lambda part: _slice_findings(site, part, base_url), rels)
    return [f for content, _ in slices for f in content] + [f for _, links in slices for f in links]


def _slice_findings(site: SiteFiles, rels: Sequence[str], base_url: str | None) -> tuple[list[Finding], list[Finding]]:
    """(findings about the files' content, about their links), of all the files of a slice together: a pair of
    lists kept per file was a million long-lived objects at 100k records, and set the collector walking them."""
    content: list[Finding] = []
    links: list[Finding] = []
    for rel in rels:
        about_content, about_links = _file_findings(site, rel, base_url)
        content += about_content
        links += about_links
    return content, links


def _file_findings(site: SiteFiles, rel: str, base_url: str | None) -> tuple[list[Finding], list[Finding]]:
    """(findings about its content, findings about its links) for one JSON document or HTML page."""
    if rel.endswith(".json"):
        document, problem = load_json(site.root / rel)
        if problem:
            return [Finding(rel, problem, "schema")], []
        return schema_findings(rel, document), broken_links(site, rel, json_hrefs(document), base_url)
    text = read_file(site.root / rel).decode("utf-8", errors="replace")
    return page_findings(rel, text), broken_links(site, rel, html_hrefs(text), base_url)


__all__ = ["Finding", "check_build"]
