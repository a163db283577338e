"""The site's own CSS/JS (from site_templates/assets) and the pinned map libraries (from node_modules).

MapLibre GL JS and the PMTiles protocol are installed by `npm ci` from package.json and copied into the site,
so a built site calls no third-party host. Without node_modules the site is built without maps, with a
warning: maps only enhance pages that carry all their content without JavaScript, and a catalogue of
metadata-only records should not need Node to publish.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from generator import layout
from generator.model import Catalogue
from generator.output import OutputTree

log = logging.getLogger("geosite")

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
OWN_ASSETS = REPO_ROOT / "site_templates" / "assets"
OWNER = "site_assets"

VENDOR_FILES = {
    "maplibre-gl/maplibre-gl.js": "maplibre-gl/dist/maplibre-gl.js",
    "maplibre-gl/maplibre-gl.css": "maplibre-gl/dist/maplibre-gl.css",
    "maplibre-gl/LICENSE.txt": "maplibre-gl/LICENSE.txt",
    "pmtiles/pmtiles.js": "pmtiles/dist/pmtiles.js",
}
"""Output name under assets/vendor -> file under node_modules."""


def vendor(name: str) -> str:
    """Output path of a vendored library file."""
    return f"{layout.VENDOR_DIR}/{name}"


def maps_available() -> bool:
    return all((NODE_MODULES / source).is_file() for source in VENDOR_FILES.values())


def write(catalogue: Catalogue, out: OutputTree) -> None:
    user_assets = catalogue.src_dir / "templates" / "assets"
    for path in sorted(OWN_ASSETS.iterdir()):
        override = user_assets / path.name
        out.write_bytes(layout.asset(path.name), (override if override.is_file() else path).read_bytes(), OWNER)
    if catalogue.basemap and catalogue.basemap.pmtiles:
        _link_or_copy(catalogue.basemap.pmtiles, out.claim(layout.BASEMAP_ARCHIVE, OWNER))
    if not maps_available():
        log.warning("maps left out of the pages: MapLibre GL JS is not installed; run `npm ci` in %s to add them", REPO_ROOT)
        return
    for name, source in VENDOR_FILES.items():
        out.write_bytes(vendor(name), (NODE_MODULES / source).read_bytes(), OWNER)


def _link_or_copy(source: Path, target: Path) -> None:
    """A basemap archive can be gigabytes: hard-link it when the filesystems allow, else copy it."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
