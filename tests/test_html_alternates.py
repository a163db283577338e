"""Every JSON resource with an HTML page links to it (`alternate`), and the page links back, on a built site
with a vector dataset (items pages, feature pages), a metadata-only record, the catalogue and the STAC tree."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import pytest

from generator import layout
from generator.build import build
from tests.test_html import CATALOGUE, Structure, write_source

FEATURES = 25
PAGE_SIZE = 10
JSON_TYPES = ("application/json", "application/geo+json")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("alternates")
    points = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [170 + i / 10, -40 - i / 10]},
               "properties": {"name": f"Point <{i}>", "note": "x" * (300 if i == 3 else 3)}} for i in range(FEATURES)]
    datasets = {"points": f"title: Points\nsource: points.geojson\nfeatures: {{page_size: {PAGE_SIZE}}}\n", "meta": "title: Metadata only\n"}
    src = write_source(folder / "src", CATALOGUE, datasets)
    (src / "datasets" / "points" / "points.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": points}))
    build(src, folder / "site", cache=False)
    return folder / "site"


SITE = "https://data.example.org/cat/"
"""The test catalogue's base_url (tests/test_html.py)."""


def resolve(document: str, href: str) -> str:
    """An output path: API documents link absolutely under the site URL (served at '/' here), pages relatively."""
    if href.startswith(SITE):
        return href[len(SITE):]
    return posixpath.normpath(posixpath.join(posixpath.dirname(document), href))


def json_documents(site: Path) -> dict[str, dict]:
    skip = (layout.HOSTING_DIR + "/", "search/", layout.ASSETS_DIR + "/")
    documents = {p.relative_to(site).as_posix(): p for p in site.rglob("*.json")}
    return {rel: json.loads(p.read_text()) for rel, p in sorted(documents.items()) if not rel.startswith(skip)}


def html_links(site: Path, page: str) -> tuple[list[dict], list[str]]:
    """The page's <link rel=alternate> JSON targets (in order) and its visible <a> targets, resolved."""
    parser = Structure()
    parser.feed((site / page).read_text())
    alternates = [dict(a, href=resolve(page, a["href"])) for tag, a in parser.tags if tag == "link" and a.get("rel") == "alternate" and a.get("type") in JSON_TYPES]
    anchors = [resolve(page, a["href"]) for tag, a in parser.tags if tag == "a" and "href" in a and "://" not in a["href"]]
    return alternates, anchors


def html_twin(path: str, document: dict) -> str | None:
    links = [l for l in document.get("links", []) if l.get("rel") == "alternate" and l.get("type") == "text/html"]
    assert len(links) <= 1, path
    return resolve(path, links[0]["href"]) if links else None


def test_json_resources_link_to_their_html_page_which_links_back(site):
    twins = {}
    for path, document in json_documents(site).items():
        page = html_twin(path, document)
        if page is None:
            continue
        assert (site / page).is_file(), f"{path} -> {page}"
        alternates, anchors = html_links(site, page)
        assert path in [a["href"] for a in alternates], f"{page} does not link back to {path}"
        twins[path] = page
    expected = {layout.LANDING_JSON, layout.COLLECTIONS, layout.RECORDS_CATALOGUE, layout.STAC_ROOT, layout.collection_json("points"),
                layout.record_json("points"), layout.record_json("meta"), layout.stac_collection("points"), layout.stac_collection("meta"),
                layout.features_page("points", 1), layout.features_page("points", 3), layout.feature_json("points", "0")}
    assert expected <= set(twins)
    assert twins[layout.collection_json("points")] == layout.collection_html("points")
    assert twins[layout.COLLECTIONS] == layout.COLLECTIONS_HTML
    assert twins[layout.features_page("points", 2)] == layout.features_page_html("points", 2)


def test_html_pages_name_their_json_in_the_head_and_visibly(site):
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert layout.feature_html("points", str(FEATURES - 1)) in pages and layout.features_page_html("points", 3) in pages
    for page in pages:
        alternates, anchors = html_links(site, page)
        this = alternates[0]
        assert this["title"] == "This page as JSON" and (site / this["href"]).is_file(), page
        assert this["href"] in anchors, f"{page} has no visible link to {this['href']}"
        document = json.loads((site / this["href"]).read_text())
        assert html_twin(this["href"], document) is not None, f"{this['href']} has no HTML alternate"


def test_items_pages_have_tables_pagination_and_a_map_of_their_own_features(site):
    page = (site / layout.features_page_html("points", 2)).read_text()
    assert "Features 11–20 of 25 (page 2 of 3)" in page and "Point &lt;10&gt;" in page
    assert 'rel="prev" href="./index.html"' in page and 'rel="next" href="./page-3.html"' in page
    config = json.loads(page.split('id="map-config">')[1].split("</script>")[0])
    assert config["geojson"] == "./page-2.json" and config["pmtiles"] is None
    first = (site / layout.features_page_html("points", 1)).read_text()
    assert "x" * 300 not in first and "x" * 199 + "…" in first
    assert "x" * 300 in (site / layout.feature_html("points", "3")).read_text()


def test_the_collection_lists_its_html_items_and_the_sitemap_only_their_first_page(site):
    collection = json.loads((site / layout.collection_json("points")).read_text())
    html_items = [l for l in collection["links"] if l["rel"] == "items" and l["type"] == "text/html"]
    assert [resolve(layout.collection_json("points"), l["href"]) for l in html_items] == [layout.features_page_html("points", 1)]
    sitemap = (site / layout.SITEMAP).read_text()
    base = "https://data.example.org/cat/"
    assert f"<loc>{base}collections/points/items/</loc>" in sitemap and f"<loc>{base}collections/</loc>" in sitemap
    assert "page-2.html" not in sitemap and "items/0.html" not in sitemap
