"""`python -m benchmarks.reference geojson|pmtiles SOURCE OUT [MAXZOOM]`: GDAL alone, as a publisher would run it.

The source is streamed through pyogrio's Arrow interface straight into GDAL's writer (no geosite code), so the
reference pays only GDAL's own reading and writing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyogrio


def convert(source: Path, output: Path, driver: str, layer_options: dict[str, str], dataset_options: dict[str, str]) -> None:
    with pyogrio.open_arrow(source, use_pyarrow=True) as (meta, reader):
        pyogrio.write_arrow(reader, output, driver=driver, layer=output.stem, geometry_name=meta["geometry_name"] or "wkb_geometry",
                            geometry_type=meta["geometry_type"], crs=meta["crs"],
                            layer_options=layer_options, dataset_options=dataset_options)


def geojson(source: Path, output: Path) -> None:
    """One GeoJSON file, coordinates to 7 decimals like geosite's pages (RFC 7946: CRS84, right-hand rings)."""
    convert(source, output, "GeoJSON", {"RFC7946": "YES", "COORDINATE_PRECISION": "7"}, {})


def pmtiles(source: Path, output: Path, maxzoom: int) -> None:
    """GDAL's PMTiles driver (its MVT writer) over zooms 0..maxzoom, with its default 500 KB tile size cap."""
    convert(source, output, "PMTiles", {}, {"MINZOOM": "0", "MAXZOOM": str(maxzoom)})


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in ("geojson", "pmtiles"):
        print("usage: python -m benchmarks.reference geojson SOURCE OUT | pmtiles SOURCE OUT MAXZOOM", file=sys.stderr)
        return 2
    if argv[0] == "geojson":
        geojson(Path(argv[1]), Path(argv[2]))
    else:
        pmtiles(Path(argv[1]), Path(argv[2]), int(argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
