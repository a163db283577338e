"""The built catalogue: entry points, OGC API Records + STAC structure, schema validity, links, pystac."""

from __future__ import annotations

import json
from pathlib import Path

import pystac
import pytest

from generator.build import build
from generator.check import check_build
from generator.check.schemas import document_kind, validate_document

REL_CATALOG = "http://www.opengis.net/def/rel/ogc/1.0/ogc-catalog"
CRAWLABLE = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/crawlable-catalog"


def load(root: Path, rel: str) -> dict:
    return json.loads((root / rel).read_text(encoding="utf-8"))


def rels(document: dict) -> dict[str, dict]:
    return {link["rel"]: link for link in document["links"]}


def test_every_json_document_is_valid_against_its_official_schema(example_build):
    kinds = {}
    for path in sorted(example_build.rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        kinds[path.relative_to(example_build).as_posix()] = document_kind(document)
        assert validate_document(document) == [], path
    assert {"landing-page", "conformance", "collections", "records-catalogue", "record", "feature-collection", "stac-catalog", "stac-collection"} <= set(kinds.values())


def test_every_relative_link_resolves(example_build):
    assert [f for f in check_build(example_build) if f.check == "links"] == []


def test_landing_page_entry_points(example_build):
    landing = rels(load(example_build, "index.json"))
    for rel in ("self", "service-desc", "conformance", "data", REL_CATALOG, "alternate"):
        assert rel in landing
    assert landing["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert load(example_build, "openapi.json")["openapi"].startswith("3.0")
    assert (example_build / "index.html").is_file()
    stac = [link for link in load(example_build, "index.json")["links"] if link["href"].endswith("stac/catalog.json")]
    assert stac


SITE = "https://geosite-example.netlify.app/"
"""The example's base_url: its API documents link absolutely under it."""


def site_path(href: str) -> str:
    assert href.startswith(SITE), href
    return href[len(SITE):]


def test_records_catalogue_is_crawlable(example_build):
    catalogue = load(example_build, "collections/records/index.json")
    assert catalogue["type"] == "Collection" and catalogue["itemType"] == "record"
    assert CRAWLABLE in catalogue["conformsTo"]
    items = [link for link in catalogue["links"] if link["rel"] == "item"]
    assert len(items) == 5
    for link in items:
        record = json.loads((example_build / site_path(link["href"])).read_text())
        assert record["type"] == "Feature" and record["properties"]["title"] == link["title"]


def test_metadata_only_record_and_antimeridian_free_geometry(example_build):
    record = load(example_build, "collections/records/items/nz-building-outlines.json")
    assert record["geometry"]["type"] == "Polygon"
    assert record["time"] == {"interval": ["2016-01-01", ".."]}
    links = rels(record)
    assert links["alternate"]["type"] in ("text/html", "application/json")
    assert any(link["rel"] == "license" and "CC-BY-4.0" in link["href"] for link in record["links"])


def test_record_and_stac_collection_link_to_each_other_and_to_html(example_build):
    record_path = example_build / "collections/records/items/nc-counties.json"
    record = json.loads(record_path.read_text())
    targets = {(link["rel"], (example_build / site_path(link["href"])).resolve()) for link in record["links"] if link["href"].startswith(SITE)}
    stac_path = (example_build / "stac/nc-counties/collection.json").resolve()
    html_path = (example_build / "datasets/nc-counties/index.html").resolve()
    assert ("alternate", stac_path) in targets and ("alternate", html_path) in targets
    stac = json.loads(stac_path.read_text())
    back = {(stac_path.parent / link["href"]).resolve() for link in stac["links"] if not link["href"].startswith("http")}
    assert record_path.resolve() in back and html_path in back


def test_pystac_walks_the_catalogue(example_build):
    root = pystac.Catalog.from_file(str(example_build / "stac/catalog.json"))
    collections = list(root.get_children())
    assert {c.id for c in collections} == {"earthquakes-2017", "landsat-rgb", "nc-counties", "nz-building-outlines", "world-countries"}
    nc = root.get_child("nc-counties")
    assert nc.extent.temporal.intervals[0][0].year == 1974
    assert nc.license == "other"  # an SPDX expression is not a STAC licence id
    assert any(link.rel == "license" for link in nc.links)
    earthquakes = root.get_child("earthquakes-2017")
    assert earthquakes.extent.spatial.bboxes[0][0] < -179


def test_stac_tree_is_self_contained(example_build, tmp_path):
    """Relative links only: the tree still works after it is moved elsewhere."""
    import shutil

    moved = tmp_path / "moved"
    shutil.copytree(example_build, moved)
    for path in (moved / "stac").rglob("*.json"):
        for link in json.loads(path.read_text())["links"]:
            assert link["rel"] != "self"
            assert not link["href"].startswith("/")
    assert len(list(pystac.Catalog.from_file(str(moved / "stac/catalog.json")).get_children())) == 5


def test_records_items_page_lists_every_record(example_build):
    page = load(example_build, "collections/records/items/index.json")
    assert page["numberMatched"] == page["numberReturned"] == 5
    assert {f["id"] for f in page["features"]} == {"earthquakes-2017", "landsat-rgb", "nc-counties", "nz-building-outlines", "world-countries"}
    for feature in page["features"]:  # the same document as the record's own file: their links resolve alike
        assert feature == load(example_build, f"collections/records/items/{feature['id']}.json")


def test_checks_can_fail(example_build, tmp_path):
    """A broken document and a dangling link are found (the checks are not vacuous)."""
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(example_build, broken)
    record = broken / "collections/records/items/nc-counties.json"
    doc = json.loads(record.read_text())
    doc["properties"]["keywords"] = "not a list"
    record.write_text(json.dumps(doc))
    (broken / "stac/world-countries/collection.json").unlink()
    findings = [str(f) for f in check_build(broken)]
    assert any("nc-counties.json" in f and "keywords" in f for f in findings)
    assert any("world-countries/collection.json" in f for f in findings)


def test_unicode_open_intervals_and_antimeridian(make_source, tmp_path):
    src = make_source({
        "maori": """\
            title: "Ngā pou whenua — Tōkyō 東京 ✓"
            description: "Ünïcode everywhere: ÆØÅ, 中文, عربى"
            time:
              end: 2020-12-31
            bbox: [170, -50, -170, -30]
            """,
        "ongoing": "title: Ongoing\ntime:\n  start: 2019-03-01T10:00:00+02:00\n  end: ..\n",
    })
    out = tmp_path / "out"
    build(src, out)
    record = load(out, "collections/records/items/maori.json")
    assert record["properties"]["title"] == "Ngā pou whenua — Tōkyō 東京 ✓"
    assert record["time"] == {"interval": ["..", "2020-12-31"]}
    assert record["geometry"]["type"] == "MultiPolygon"
    stac = load(out, "stac/maori/collection.json")
    assert stac["extent"]["spatial"]["bbox"][0][0] > stac["extent"]["spatial"]["bbox"][0][2]
    assert stac["extent"]["temporal"]["interval"] == [[None, "2020-12-31T23:59:59Z"]]
    ongoing = load(out, "collections/records/items/ongoing.json")
    assert ongoing["time"] == {"interval": ["2019-03-01T08:00:00Z", ".."]}
    assert "東京" in (out / "datasets/maori/index.html").read_text(encoding="utf-8")
    assert check_build(out) == []


def test_relative_only_build_has_no_absolute_self_links(make_source, tmp_path):
    src = make_source({"a": "title: A\n"})
    out = tmp_path / "out"
    build(src, out)
    html = (out / "index.html").read_text()
    assert 'rel="canonical"' not in html
    with_base = tmp_path / "out2"
    build(src, with_base, base_url="https://data.example.org/cat")
    assert '<link rel="canonical" href="https://data.example.org/cat/datasets/a/">' in (with_base / "datasets/a/index.html").read_text()


def test_failed_build_keeps_previous_output(make_source, tmp_path):
    src = make_source({"a": "title: A\n"})
    out = tmp_path / "out"
    build(src, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    (src / "datasets/a/dataset.yaml").write_text("title: A\nsource: missing.tif\n")
    with pytest.raises(Exception):
        build(src, out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert not [p for p in tmp_path.glob(".out.*") if ".staging-" in p.name or ".old-" in p.name]  # the build stamp may stay


def test_output_may_not_replace_the_source(make_source):
    src = make_source({"a": "title: A\n"})
    with pytest.raises(Exception, match="would replace the source folder"):
        build(src, src.parent)
