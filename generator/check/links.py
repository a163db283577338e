"""Link integrity: every relative href in the JSON documents and HTML pages resolves to a file of the build."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.check.findings import Finding


def check_links(root: Path, base_url: str | None = None) -> list[Finding]:
    """Broken links in every .json and .html file under `root`; absolute URLs under `base_url` count as local."""
    findings: list[Finding] = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".json", ".html") or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        hrefs = _json_hrefs(path) if path.suffix == ".json" else _html_hrefs(path)
        for href in hrefs:
            target = resolve(rel, href, base_url)
            if target is not None and not _exists(root, target):
                findings.append(Finding(rel, f"link to {href} does not resolve (no {target})", "links"))
    return findings


def resolve(from_path: str, href: str, base_url: str | None) -> str | None:
    """Output-relative path an href points to, or None for an external URL (or a pure fragment)."""
    if base_url and href.startswith(base_url):
        href = "/" + href[len(base_url):]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(from_path), path)
    normal = posixpath.normpath(joined)
    if href.endswith("/") or normal == ".":
        normal = posixpath.join(normal, "index.html") if normal != "." else "index.html"
    return normal


def _exists(root: Path, target: str) -> bool:
    if target.startswith("../") or target == "..":
        return False
    candidate = root / target
    return candidate.is_file() or (candidate.is_dir() and (candidate / "index.html").is_file())


def _json_hrefs(path: Path) -> Iterator[str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return iter(())
    return _walk_hrefs(document)


def _walk_hrefs(node: Any) -> Iterator[str]:
    """hrefs of link objects and assets anywhere in a document (templated links excluded)."""
    if isinstance(node, dict):
        if isinstance(node.get("href"), str) and not node.get("templated"):
            yield node["href"]
        for value in node.values():
            yield from _walk_hrefs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_hrefs(value)


class _HrefCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and not value.startswith(("mailto:", "tel:", "#")):
                self.hrefs.append(value)


def _html_hrefs(path: Path) -> Iterator[str]:
    collector = _HrefCollector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return iter(collector.hrefs)
