"""Deterministic synthetic source folders: realistic metadata records, and small vector and raster datasets.

Record `i` is the same in every catalogue that holds it (its own seeded generator), so the 1k catalogue is the
first thousand records of the 10k one and scales compare like with like.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import yaml

from benchmarks.prepared import finish, fresh, prepared

SUBJECTS = ("river", "soil", "forest", "road", "building", "coastline", "wetland", "aquifer", "parcel", "railway",
            "glacier", "lake", "vineyard", "settlement", "watershed", "habitat", "quarry", "harbour", "airfield",
            "grassland", "peatland", "dune", "floodplain", "orchard", "reservoir", "bridge", "pipeline", "tunnel")
MEASURES = ("extent", "condition", "survey", "inventory", "change", "classification", "monitoring", "density",
            "elevation", "network", "boundaries", "risk", "occupancy", "temperature", "quality", "cover")
REGIONS = ("northern uplands", "central valley", "eastern plain", "western coast", "southern delta", "high plateau",
           "lake district", "river basin", "island group", "border hills", "capital region", "mining belt")
VERBS = ("maps", "records", "describes", "measures", "delineates", "tracks", "classifies", "summarises")
METHODS = ("aerial imagery", "field surveys", "satellite radar", "lidar flights", "administrative registers",
           "citizen reports", "automated sensors", "historic maps")
THEMES = ("Hydrography", "Land cover", "Transport networks", "Buildings", "Elevation", "Soil", "Geology",
          "Protected sites", "Land use", "Population distribution", "Natural risk zones", "Habitats and biotopes",
          "Energy resources", "Agricultural facilities", "Sea regions", "Utility services")
LICENCES = ("CC-BY-4.0", "CC0-1.0", "ODbL-1.0", "CC-BY-SA-4.0", "OGL-UK-3.0", "PDDL-1.0")
AGENCIES = ("National Mapping Agency", "Environment Office", "Water Board", "Forestry Service", "Statistics Bureau",
            "Geological Survey", "Transport Ministry", "Regional Planning Council", "Coastal Authority")

CATALOGUE = {
    "title": "Synthetic benchmark catalogue",
    "description": "Deterministic synthetic metadata records for measuring geosite at scale.",
    "base_url": "https://bench.example.org/",
    "publisher": {"name": "geosite benchmarks", "url": "https://example.org/", "email": "bench@example.org"},
    "license": "CC0-1.0",
}


def record(index: int) -> dict:
    """One dataset.yaml's content: title, a few sentences, keywords, a theme, contacts, licence, time, bbox."""
    rng = random.Random(index)
    subject, measure, region = rng.choice(SUBJECTS), rng.choice(MEASURES), rng.choice(REGIONS)
    agency = rng.choice(AGENCIES)
    start_year = rng.randint(1990, 2022)
    west, south = rng.uniform(-170, 160), rng.uniform(-80, 70)
    doc = {
        "title": f"{subject.capitalize()} {measure} of the {region} ({index})",
        "description": _description(rng, subject, measure, region, agency),
        "keywords": sorted({subject, measure, region, *rng.sample(SUBJECTS + MEASURES, 3)}),
        "themes": [{"scheme": "https://inspire.ec.europa.eu/theme",
                    "concepts": [{"id": t.lower().replace(" ", "-"), "title": t} for t in rng.sample(THEMES, rng.randint(1, 2))]}],
        "license": rng.choice(LICENCES),
        "rights": f"© {agency} {start_year}",
        "contacts": [{"organization": agency, "email": f"data@{agency.lower().replace(' ', '-')}.example.org",
                      "url": "https://example.org/", "roles": ["originator", "pointOfContact"]}],
        "time": {"start": f"{start_year}-01-01", "end": f"{start_year + rng.randint(0, 8)}-12-31"},
        "bbox": [round(west, 4), round(south, 4), round(west + rng.uniform(0.1, 10), 4), round(south + rng.uniform(0.1, 10), 4)],
        "updated": f"{rng.randint(2020, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }
    if rng.random() < 0.5:
        doc["contacts"].append({"name": f"Data steward {rng.randint(1, 500)}", "email": "steward@example.org", "roles": ["custodian"]})
    return doc


def _description(rng: random.Random, subject: str, measure: str, region: str, agency: str) -> str:
    sentences = [
        f"This dataset {rng.choice(VERBS)} the {measure} of every {subject} in the {region}.",
        f"It was compiled by the {agency} from {rng.choice(METHODS)} and checked against {rng.choice(METHODS)}.",
        f"Values are given per {rng.choice(SUBJECTS)} and updated every {rng.randint(1, 10)} years.",
        f"Use it together with the {rng.choice(MEASURES)} layers of the {rng.choice(REGIONS)} for regional planning.",
    ]
    return " ".join(sentences[: rng.randint(3, 4)]) + "\n"


def metadata_catalogue(root: Path, count: int) -> Path:
    """A source folder of `count` metadata-only records; reused when a complete one is already there."""
    if prepared(root):
        return root
    _write_yaml(fresh(root) / "catalogue.yaml", CATALOGUE)
    for index in range(count):
        _write_yaml(root / "datasets" / f"rec-{index:06d}" / "dataset.yaml", record(index))
    return finish(root)


def mixed_catalogue(root: Path, count: int, example_src: Path) -> Path:
    """`count` datasets: small generated vector files, a few rasters copied from the example, metadata records."""
    if prepared(root):
        return root
    _write_yaml(fresh(root) / "catalogue.yaml", CATALOGUE)
    raster = example_src / "datasets" / "landsat-rgb" / "rasterio_RGB.byte.tif"
    for index in range(count):
        folder = root / "datasets" / f"ds-{index:04d}"
        doc = record(index)
        folder.mkdir(parents=True)
        if index % 20 == 0:
            shutil.copy(raster, folder / "image.tif")
            del doc["bbox"]  # the raster's own extent
            doc["source"] = "image.tif"
        elif index % 5 < 3:
            _write_points(folder / "points.geojson", random.Random(-index), doc["bbox"], 200 + index * 10)
            doc["source"] = "points.geojson"
        _write_yaml(folder / "dataset.yaml", doc)
    return finish(root)


def _write_points(path: Path, rng: random.Random, bbox: list[float], count: int) -> None:
    """A GeoJSON of `count` points inside `bbox`, with a few typed attributes."""
    west, south, east, north = bbox
    features = [{"type": "Feature", "properties": {"site_id": i, "name": f"site {i}", "value": round(rng.uniform(0, 100), 2)},
                 "geometry": {"type": "Point", "coordinates": [round(rng.uniform(west, east), 5), round(rng.uniform(south, north), 5)]}}
                for i in range(count)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def _write_yaml(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
