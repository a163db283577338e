"""schema.org JSON-LD: Google's Dataset rich-result requirements, and safe embedding in <script>."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.writers import jsonld
from generator.writers.jsonld import script_json
from tests.test_html import CATALOGUE, build_site, write_source

LONG = "Daily river gauge readings of water level and discharge at forty stations, checked by hydrologists."
DATASETS = {
    "gauges": f"""\
        title: River gauges
        description: "{LONG}"
        keywords: [rivers, hydrology]
        license: CC-BY-4.0
        time: {{start: 2020-01-01}}
        bbox: [170, -45, -175, -40]
        created: 2020-01-01
        updated: 2024-03-05T10:00:00Z
        contacts:
          - {{name: Ana Smith, organization: River Office, roles: [author]}}
          - {{organization: Help desk, roles: [pointOfContact]}}
        externalIds: [{{scheme: "https://doi.org/", value: "10.1234/gauges"}}]
        """,
    "short": "title: Short one\ndescription: Tiny.\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("jsonld")
    return build_site(folder, write_source(folder / "src", CATALOGUE, DATASETS))


def blocks(page: Path) -> list[dict]:
    text = page.read_text(encoding="utf-8")
    return [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)]


def test_record_page_has_a_dataset_google_accepts(site):
    [doc] = blocks(site / "datasets/gauges/index.html")
    assert doc["@context"] == "https://schema.org/" and doc["@type"] == "Dataset"
    assert doc["name"] == "River gauges" and 50 <= len(doc["description"]) <= 5000
    assert doc["url"] == "https://data.example.org/cat/datasets/gauges/"
    assert doc["identifier"] == ["gauges", "10.1234/gauges"]
    assert doc["keywords"] == ["rivers", "hydrology"]
    assert doc["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert doc["creator"] == [{"@type": "Person", "name": "Ana Smith", "affiliation": {"@type": "Organization", "name": "River Office"}}]
    assert doc["publisher"]["name"] == "Test publisher"
    assert doc["spatialCoverage"]["geo"] == {"@type": "GeoShape", "box": "-45.0 170.0 -40.0 -175.0"}
    assert doc["temporalCoverage"] == "2020-01-01/.."
    assert doc["dateModified"] == "2024-03-05T10:00:00Z"
    assert doc["includedInDataCatalog"]["url"] == "https://data.example.org/cat/"


def test_distribution_members(tmp_path):
    built = build_site(tmp_path)
    [doc] = blocks(built / "datasets/tiny-raster/index.html")
    [download] = doc["distribution"]
    size = (built / "datasets/tiny-raster/tiny-raster.pmtiles").stat().st_size
    assert download == {"@type": "DataDownload", "name": "Map tiles (PMTiles)", "encodingFormat": "application/vnd.pmtiles",
                        "contentUrl": "https://data.example.org/cat/datasets/tiny-raster/tiny-raster.pmtiles", "contentSize": f"{size} B"}


def test_short_description_is_completed_with_the_title_not_invented(site):
    [doc] = blocks(site / "datasets/short/index.html")
    assert doc["description"] == "Short one. Tiny."


def test_landing_page_has_a_data_catalog(site):
    [doc] = blocks(site / "index.html")
    assert doc["@type"] == "DataCatalog" and doc["name"] == "Test catalogue"
    assert {d["url"] for d in doc["dataset"]} == {"https://data.example.org/cat/datasets/gauges/", "https://data.example.org/cat/datasets/short/"}


def test_landing_page_names_a_bounded_share_of_a_big_catalogue(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonld, "LANDING_DATASETS", 1)
    built = build_site(tmp_path, write_source(tmp_path / "src", CATALOGUE, DATASETS))
    [doc] = blocks(built / "index.html")
    assert [d["name"] for d in doc["dataset"]] == ["River gauges"]
    assert blocks(built / "datasets/short/index.html")[0]["includedInDataCatalog"]["url"] == "https://data.example.org/cat/"


def test_relative_urls_without_base_url(tmp_path):
    built = build_site(tmp_path, write_source(tmp_path / "src", CATALOGUE.replace("base_url: https://data.example.org/cat/\n", ""), DATASETS))
    [doc] = blocks(built / "datasets/gauges/index.html")
    assert doc["url"] == "./index.html" and doc["includedInDataCatalog"]["url"] == "../../index.html"


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "<!-- x", "a\u2028b\u2029c", "&amp; <b>", "</SCRIPT >"])
def test_script_json_cannot_end_the_script_element(text):
    embedded = str(script_json({"name": text}))
    assert "<" not in embedded and ">" not in embedded and "\u2028" not in embedded and "\u2029" not in embedded
    assert json.loads(embedded) == {"name": text}
