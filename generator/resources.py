"""geosite's own files that are not code: templates, the site's CSS/JS, the map libraries and the basemap.

They live in the installed package (generator/_bundle, laid out by buildtools when the wheel or the editable
install is built) and are found through importlib.resources. A missing one is a broken installation, and is
reported as such: never as a fault of the user's source folder.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from generator.errors import GeositeError

REINSTALL = "reinstall it (pip install --force-reinstall geosite, or pip install -e . in a checkout)"


class InstallationError(GeositeError):
    """geosite's own installation is incomplete; the user's files are not at fault."""


@cache
def bundle() -> Path:
    return Path(str(files("generator") / "_bundle"))


def templates_dir() -> Path:
    return require(bundle() / "site_templates")


def own_assets_dir() -> Path:
    return require(bundle() / "site_templates" / "assets")


def vendor_dir() -> Path:
    return bundle() / "vendor"


def basemap_archive() -> Path:
    return require(bundle() / "basemap" / "world.pmtiles")


def require(path: Path) -> Path:
    """`path` if it exists; otherwise the InstallationError that names it."""
    if not path.exists():
        raise missing(path)
    return path


def missing(path: Path | str) -> InstallationError:
    return InstallationError(f"geosite's installation is incomplete: its file {path} is missing; {REINSTALL}")
