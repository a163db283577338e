"""Lay out what the `generator` package carries besides its code, under generator/_bundle:

    _bundle/site_templates/   the page templates and the site's own CSS/JS (from the checkout's site_templates/)
    _bundle/vendor/           MapLibre GL JS and the PMTiles protocol, as package-lock.json pins them
    _bundle/basemap/          the default basemap archive (buildtools.basemap)

A wheel gets copies; an editable install gets a link to site_templates/ (edits show at once) and the rest
written into the checkout's generator/_bundle, which git ignores.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from buildtools import basemap, npm

BUNDLE = "_bundle"
VENDOR = {
    "maplibre-gl": {"dist/maplibre-gl.js": "maplibre-gl.js", "dist/maplibre-gl.css": "maplibre-gl.css", "LICENSE.txt": "maplibre-gl.LICENSE.txt"},
    "pmtiles": {"dist/pmtiles.js": "pmtiles.js", "package.json": "pmtiles.package.json"},  # no LICENSE file; its manifest names BSD-3-Clause
}
"""npm package -> {file in the package: name under _bundle/vendor}."""


def write(root: Path, package_dir: Path, editable: bool) -> None:
    """Write (or refresh) the bundle of the checkout at `root` into the package folder `package_dir`."""
    bundle = package_dir / BUNDLE
    bundle.mkdir(parents=True, exist_ok=True)
    _templates(root / "site_templates", bundle / "site_templates", editable)
    _vendor(root, bundle / "vendor")
    _basemap(root, bundle / "basemap")


def _templates(source: Path, target: Path, editable: bool) -> None:
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.is_dir():
        shutil.rmtree(target)
    if editable:
        target.symlink_to(os.path.relpath(source, target.parent), target_is_directory=True)
    else:
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def _vendor(root: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    pins = {}
    for package, files in VENDOR.items():
        contents = npm.package_files(root, package, list(files))
        for member, name in files.items():
            (target / name).write_bytes(contents[member])
        pins[package] = npm.locked(root, package)[0]
    (target / "versions.json").write_text(json.dumps(pins, indent=1, sort_keys=True) + "\n")


def _basemap(root: Path, target: Path) -> None:
    """Tiled again only when the pinned world-atlas version changed (it takes a few seconds)."""
    version = npm.locked(root, "world-atlas")
    stamp = target / "source.json"
    archive = target / "world.pmtiles"
    if archive.is_file() and stamp.is_file() and json.loads(stamp.read_text()) == [*version, basemap.MAX_ZOOM]:
        return
    basemap.build(root, archive)
    stamp.write_text(json.dumps([*version, basemap.MAX_ZOOM]) + "\n")
