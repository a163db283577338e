"""The check stage: validate a finished build (schemas, links) and return findings rather than raise."""

from __future__ import annotations

from pathlib import Path

from generator.check.archives import check_archives
from generator.check.findings import Finding
from generator.check.links import check_links
from generator.check.pages import check_pages
from generator.check.schemas import check_schemas


def check_build(root: Path, base_url: str | None = None) -> list[Finding]:
    """Every finding about the build at `root`: JSON against official schemas, links, binary outputs, pages."""
    return check_schemas(root) + check_links(root, base_url) + check_archives(root) + check_pages(root)


__all__ = ["Finding", "check_build"]
