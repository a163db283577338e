"""The site's own CSS/JS and the pinned map libraries (MapLibre GL JS, the PMTiles protocol), from the package.

The libraries are package data taken from package-lock.json when geosite is built (buildtools), so a built site
calls no third-party host and an installed geosite needs no Node. A missing one is a broken installation.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator import layout, resources
from generator.model import Catalogue
from generator.output import OutputTree

OWNER = "site_assets"

VENDOR_FILES = {
    "maplibre-gl/maplibre-gl.js": "maplibre-gl.js",
    "maplibre-gl/maplibre-gl.css": "maplibre-gl.css",
    "maplibre-gl/LICENSE.txt": "maplibre-gl.LICENSE.txt",
    "pmtiles/pmtiles.js": "pmtiles.js",
}
"""Output name under assets/vendor -> file in the package's vendor folder."""


def vendor(name: str) -> str:
    """Output path of a vendored library file."""
    return f"{layout.VENDOR_DIR}/{name}"


def maps_available() -> bool:
    """Always, in a complete installation: the map libraries are part of the package."""
    for source in VENDOR_FILES.values():
        resources.require(resources.vendor_dir() / source)
    return True


def write(catalogue: Catalogue, out: OutputTree) -> None:
    user_assets = catalogue.src_dir / "templates" / "assets"
    for path in sorted(resources.own_assets_dir().iterdir()):
        override = user_assets / path.name
        out.write_bytes(layout.asset(path.name), (override if override.is_file() else path).read_bytes(), OWNER)
    if catalogue.basemap and catalogue.basemap.pmtiles:
        _link_or_copy(catalogue.basemap.pmtiles, out.claim(layout.BASEMAP_ARCHIVE, OWNER))
    maps_available()
    for name, source in VENDOR_FILES.items():
        out.write_bytes(vendor(name), (resources.vendor_dir() / source).read_bytes(), OWNER)


def _link_or_copy(source: Path, target: Path) -> None:
    """A basemap archive can be gigabytes: hard-link it when the filesystems allow, else copy it."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
