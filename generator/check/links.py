"""Link integrity: every relative href in the JSON documents and HTML pages resolves to a file of the build."""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.check.findings import Finding
from generator.writers.hosting import API_PREFIX, resolve_route

UNCHECKED = re.compile(r"<(?:!--.*?-->|(script\b[^>]*>).*?</script\s*>|(style\b[^>]*>).*?</style\s*>)", re.S | re.I)
"""Comments and script/style bodies hold no links (as for an HTML parser); the opening tags are kept for src."""
TAG = re.compile(r"""<[a-zA-Z][^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
"""A start tag; quoted attribute values may hold '>'."""
LINK_ATTRIBUTE = re.compile(r"""(?<![^\s"'/])(?i:(href|src))\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))|"[^"]*"|'[^']*'""")
"""An href or src attribute (not data-src) with its value, or any other quoted value, consumed whole so that a
value reading like 'src=x' is not taken for an attribute."""


class SiteFiles:
    """Every file of a build, listed once: link targets are looked up in a set instead of stat'ed one by one.

    A build passes the list of files it wrote, which spares walking its tens of thousands of folders; a finished
    site (`geosite check`) is walked."""

    def __init__(self, root: Path, files: Iterable[str] | None = None):
        self.root = Path(root)
        self.files: set[str] = set(files) if files is not None else self._walk()

    def _walk(self) -> set[str]:
        files: set[str] = set()
        for folder, _, names in os.walk(self.root):
            prefix = Path(folder).relative_to(self.root).as_posix()
            files.update(name if prefix == "." else f"{prefix}/{name}" for name in names)
        return files

    def with_suffix(self, *suffixes: str) -> list[str]:
        return sorted(rel for rel in self.files if rel.endswith(suffixes))

    def exists(self, target: str) -> bool:
        return target in self.files or f"{target}/index.html" in self.files


def broken_links(site: SiteFiles, rel: str, hrefs: Iterable[str], base_url: str | None) -> list[Finding]:
    findings = []
    folder = posixpath.dirname(rel)
    for href in dict.fromkeys(hrefs):  # a page's menu and a record's links repeat: each href is checked once
        target = _resolve_from(folder, href, base_url)
        if target is not None and (target.startswith("../") or target == ".." or not site.exists(target)):
            findings.append(Finding(rel, f"link to {href} does not resolve (no {target})", "links"))
    return findings


def _resolve_from(folder: str, href: str, base_url: str | None) -> str | None:
    """A link that climbs out of its page's folder is worked out from the folder it climbs to: the record pages
    of 100k folders all link '../../assets/site.css', which is then resolved once."""
    climbs = 0
    while href.startswith("../", climbs * 3):
        climbs += 1
    rest = href[climbs * 3:]
    if climbs and rest and rest[0] not in "/?#":
        parts = folder.split("/") if folder else []
        if climbs <= len(parts):
            return _resolve_cached("/".join(parts[: len(parts) - climbs]), rest, base_url)
    return _resolve_cached(folder, href, base_url)


@lru_cache(maxsize=65536)
def _resolve_cached(folder: str, href: str, base_url: str | None) -> str | None:
    """Pages in one folder share most of their links (assets, parents): each is worked out once."""
    if base_url and href.startswith(base_url):
        href = "/" + href[len(base_url):]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(folder, path)
    normal = posixpath.normpath(joined)
    if base_url and (normal == API_PREFIX or normal.startswith(API_PREFIX + "/")):
        return resolve_route("/" + normal) or normal  # an OGC API URL: the file every host serves for it
    if href.endswith("/") or normal == ".":
        normal = posixpath.join(normal, "index.html") if normal != "." else "index.html"
    return normal


def json_hrefs(document: Any) -> list[str]:
    """hrefs of link objects and assets anywhere in a document (templated links excluded), in document order."""
    found, stack = [], [document]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            href = node.get("href")
            if type(href) is str and not node.get("templated"):
                found.append(href)
            values = node.values()
        else:
            values = node
        stack.extend(reversed([value for value in values if type(value) in (dict, list)]))
    return found


def html_hrefs(text: str) -> list[str]:
    """href and src values of the page's tags, entities decoded; mailto:, tel: and fragments are not files."""
    tags = "".join(TAG.findall(UNCHECKED.sub(_opening_tag_only, text)))
    values = [quoted or single or bare for name, quoted, single, bare in LINK_ATTRIBUTE.findall(tags) if name]
    return [html.unescape(v) if "&" in v else v for v in values if v and not v.startswith(("mailto:", "tel:", "#"))]


def _opening_tag_only(match: re.Match) -> str:
    opening = match.group(1) or match.group(2)
    return "<" + opening if opening else ""
