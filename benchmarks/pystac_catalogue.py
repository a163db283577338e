"""The reference for the catalogue benchmark: pystac reads the same dataset.yaml files and saves a STAC catalogue.

`python -m benchmarks.pystac_catalogue SRC OUT`: one Item per record (title, description, keywords, themes,
providers, licence, time, bbox), in one Catalog, `normalize_hrefs` then `save(SELF_CONTAINED)`, as the issue
describes how publishers use pystac. It reads YAML with the same C loader geosite uses, so both pay alike.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import pystac
import yaml


def main(src: Path, out: Path) -> None:
    root = yaml.load((src / "catalogue.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    catalog = pystac.Catalog(id="catalogue", title=root["title"], description=root["description"])
    for path in sorted((src / "datasets").glob("*/dataset.yaml")):
        record = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        catalog.add_item(item(path.parent.name, record))
    catalog.normalize_hrefs(str(out))
    catalog.save(catalog_type=pystac.CatalogType.SELF_CONTAINED)


def item(item_id: str, record: dict) -> pystac.Item:
    west, south, east, north = record["bbox"]
    geometry = {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}
    properties = {
        "title": record["title"],
        "description": record["description"],
        "keywords": record["keywords"],
        "themes": record["themes"],
        "license": record["license"],
        "providers": [{"name": c.get("organization") or c["name"], "roles": ["producer"]} for c in record["contacts"]],
        "updated": _moment(record["updated"]),
    }
    start, end = _moment(record["time"]["start"]), _moment(record["time"]["end"])
    return pystac.Item(item_id, geometry, [west, south, east, north], None, properties, start_datetime=start, end_datetime=end)


def _moment(value: object) -> datetime:
    day = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return day.replace(tzinfo=timezone.utc)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
