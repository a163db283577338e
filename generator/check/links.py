"""Link integrity: every relative href in the JSON documents and HTML pages resolves to a file of the build."""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.check.findings import Finding
from generator.check.schemas import load_json

UNCHECKED = re.compile(r"<(?:!--.*?-->|(script\b[^>]*>).*?</script\s*>|(style\b[^>]*>).*?</style\s*>)", re.S | re.I)
"""Comments and script/style bodies hold no links (as for an HTML parser); the opening tags are kept for src."""
TAG = re.compile(r"""<[a-zA-Z][^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
"""A start tag; quoted attribute values may hold '>'."""
LINK_NAME = re.compile("href|src", re.I)
ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
"""One attribute of a tag, its quoted value consumed whole (a value may itself read like 'src=x')."""


class SiteFiles:
    """Every file of a build, listed once: link targets are looked up in a set instead of stat'ed one by one."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.files: set[str] = set()
        for folder, _, names in os.walk(self.root):
            prefix = Path(folder).relative_to(self.root).as_posix()
            self.files.update(name if prefix == "." else f"{prefix}/{name}" for name in names)

    def with_suffix(self, *suffixes: str) -> list[str]:
        return sorted(rel for rel in self.files if rel.endswith(suffixes))

    def exists(self, target: str) -> bool:
        return target in self.files or f"{target}/index.html" in self.files


def check_links(root: Path, base_url: str | None = None) -> list[Finding]:
    """Broken links in every .json and .html file under `root`; absolute URLs under `base_url` count as local."""
    site = SiteFiles(root)
    findings: list[Finding] = []
    for rel in site.with_suffix(".json", ".html"):
        path = root / rel
        hrefs = json_hrefs(load_json(path)[0]) if rel.endswith(".json") else html_hrefs(path.read_text(encoding="utf-8", errors="replace"))
        findings += broken_links(site, rel, hrefs, base_url)
    return findings


def broken_links(site: SiteFiles, rel: str, hrefs: Iterator[str], base_url: str | None) -> list[Finding]:
    findings = []
    folder = posixpath.dirname(rel)
    for href in hrefs:
        target = _resolve_from(folder, href, base_url)
        if target is not None and (target.startswith("../") or target == ".." or not site.exists(target)):
            findings.append(Finding(rel, f"link to {href} does not resolve (no {target})", "links"))
    return findings


def resolve(from_path: str, href: str, base_url: str | None) -> str | None:
    """Output-relative path an href points to, or None for an external URL (or a pure fragment)."""
    return _resolve_from(posixpath.dirname(from_path), href, base_url)


@lru_cache(maxsize=65536)
def _resolve_from(folder: str, href: str, base_url: str | None) -> str | None:
    """Pages in one folder share most of their links (assets, parents): each is worked out once."""
    if base_url and href.startswith(base_url):
        href = "/" + href[len(base_url):]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(folder, path)
    normal = posixpath.normpath(joined)
    if href.endswith("/") or normal == ".":
        normal = posixpath.join(normal, "index.html") if normal != "." else "index.html"
    return normal


def json_hrefs(node: Any) -> Iterator[str]:
    """hrefs of link objects and assets anywhere in a document (templated links excluded)."""
    if isinstance(node, dict):
        if isinstance(node.get("href"), str) and not node.get("templated"):
            yield node["href"]
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from json_hrefs(value)
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, (dict, list)):
                yield from json_hrefs(value)


def html_hrefs(text: str) -> Iterator[str]:
    """href and src values of the page's tags, entities decoded; mailto:, tel: and fragments are not files."""
    for found in TAG.finditer(UNCHECKED.sub(_opening_tag_only, text)):
        tag = found.group()
        if "href" not in tag and "src" not in tag and not LINK_NAME.search(tag):
            continue
        for match in ATTRIBUTE.finditer(tag, 1, len(tag) - 1):  # the tag name reads as a first, valueless attribute
            if match.group(1).lower() not in ("href", "src") or match.start() == 1:
                continue
            value = match.group(2) or match.group(3) or match.group(4) or ""
            if value and not value.startswith(("mailto:", "tel:", "#")):
                yield html.unescape(value) if "&" in value else value


def _opening_tag_only(match: re.Match) -> str:
    opening = match.group(1) or match.group(2)
    return "<" + opening if opening else ""
