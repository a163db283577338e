"""The HTML site: pages, escaping, links, search index, map settings (browser checks are in test_browser.py)."""

from __future__ import annotations

import io
import json
import os
import shutil
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from PIL import Image
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from generator import build as build_module
from generator import layout, resources
from generator.build import build
from generator.model import ApiLink, Asset, Catalogue, Legend, OgcCollection
from generator.output import OutputTree, describe_file
from generator.writers import html, html_features, site_assets

CATALOGUE = """\
title: Test catalogue
description: A catalogue for the **HTML** tests.
base_url: https://data.example.org/cat/
publisher: {name: Test publisher, url: "https://example.org/"}
license: CC-BY-4.0
"""

DATASETS = {
    "tiny-raster": """\
        title: Tiny raster
        description: |
          A red square. The mineral zanzibarite appears only in this description.
        keywords: [grid, colour]
        license: CC0-1.0
        time: {start: 2019-01-01, end: 2019-12-31}
        bbox: [10, 40, 20, 50]
        contacts: [{organization: Raster people, roles: [originator]}]
        """,
    "sumatra-points": """\
        title: Points in Sumatra
        description: Points of interest.
        keywords: [points, colour]
        themes: [{scheme: "https://example.org/themes", concepts: [{id: pts, title: Places}]}]
        license: CC-BY-4.0
        time: {start: 2001-05-01, end: 2001-06-01}
        bbox: [95, -6, 106, 6]
        """,
    "no-extent": """\
        title: A record without extent
        description: Nothing to map.
        type: service
        """,
}


def write_source(folder: Path, catalogue: str = CATALOGUE, datasets: dict[str, str] = DATASETS) -> Path:
    (folder / "datasets").mkdir(parents=True)
    (folder / "catalogue.yaml").write_text(catalogue, encoding="utf-8")
    for dataset_id, text in datasets.items():
        (folder / "datasets" / dataset_id).mkdir()
        (folder / "datasets" / dataset_id / "dataset.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def red_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (255, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def publish_test_tiles(catalogue: Catalogue, out: OutputTree) -> None:
    """A stand-in data stage: a one-tile red raster PMTiles archive and an OGC API collection for tiny-raster."""
    dataset = catalogue.dataset("tiny-raster")
    path = out.claim(layout.pmtiles_archive(dataset.id), "test")
    with open(path, "wb") as handle:
        writer = Writer(handle)
        writer.write_tile(zxy_to_tileid(0, 0, 0), red_png())
        e7 = [int(v * 1e7) for v in (-180, -85, 180, 85)]
        writer.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE, "min_lon_e7": e7[0], "min_lat_e7": e7[1],
                         "max_lon_e7": e7[2], "max_lat_e7": e7[3], "center_zoom": 0, "center_lon_e7": 0, "center_lat_e7": 0},
                        {"name": "tiny", "legend": {"title": "Redness", "colors": ["#000000", "#ff0000"], "min": 0, "max": 255}})
    dataset.legend = Legend("Redness", ("#000000", "#ff0000"), 0.0, 255.0)
    size, checksum = describe_file(path)
    dataset.assets.append(Asset("tiles", layout.pmtiles_archive(dataset.id), "Map tiles (PMTiles)", "application/vnd.pmtiles", ("tiles",), size, checksum, "EPSG:3857"))
    tiles = ApiLink("http://www.opengis.net/def/rel/ogc/1.0/tilesets-map", layout.pmtiles_archive(dataset.id), "application/vnd.pmtiles", "Tiles")
    dataset.collection = OgcCollection(item_type=None, links=[tiles])


def build_site(folder: Path, source: Path | None = None) -> Path:
    """Build the test catalogue with the stand-in data stage only, so the test depends on no data pipeline."""
    source = source or write_source(folder / "src")
    stand_in = (publish_test_tiles,) if source.joinpath("datasets/tiny-raster").exists() else ()
    with mock.patch.object(build_module, "POST_DATA", (*stand_in, *build_module.POST_DATA)):
        build_module.build(source, folder / "site", cache=False)
    return folder / "site"


HOSTILE = "</script><script>window.__pwned=1</script><!-- \u2028 \u2029 <img src=x onerror=window.__pwned=1>"


def hostile_catalogue(folder: Path) -> Path:
    """A catalogue whose every text field tries to break out of HTML, JSON-LD and links."""
    catalogue = f"title: {json.dumps('Cat ' + HOSTILE)}\ndescription: {json.dumps('[x](javascript:window.__pwned=1) ' + HOSTILE)}\npublisher: {{name: {json.dumps(HOSTILE)}}}\n"
    dataset = f"""\
        title: {json.dumps('Evil ' + HOSTILE)}
        description: {json.dumps('<script>window.__pwned=1</script> [click](javascript:window.__pwned=1) ![i](javascript:x) ' + HOSTILE)}
        keywords: [{json.dumps(HOSTILE)}, "javascript:window.__pwned=1"]
        rights: {json.dumps(HOSTILE)}
        contacts: [{{name: {json.dumps(HOSTILE)}, organization: {json.dumps('<b>org</b>')}}}]
        bbox: [-10, -10, 10, 10]
        """
    source = write_source(folder / "src", catalogue, {"evil": dataset})
    return build_site(folder, source)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("html"))


class Structure(HTMLParser):
    """Tags, links and JSON-LD blocks of a page, with an error on mismatched tags."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "script":
            self.scripts.append((self.tags[-1][1], data))


def parse(path: Path) -> Structure:
    parser = Structure()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def test_every_page_is_well_formed_and_has_landmarks(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 8
    for page in pages:
        doc = parse(page)
        assert doc.problems == [] and doc.stack == [], page
        tags = [tag for tag, _ in doc.tags]
        assert {"main", "header", "footer", "nav", "h1"} <= set(tags), page
        ids = [attrs["id"] for _, attrs in doc.tags if "id" in attrs]
        assert len(ids) == len(set(ids)), page
        assert all("alt" in attrs for tag, attrs in doc.tags if tag == "img"), page


def test_form_controls_have_labels(site):
    for page in ("search/index.html", "index.html", "datasets/tiny-raster/index.html"):
        doc = parse(site / page)
        labelled = {attrs.get("for") for tag, attrs in doc.tags if tag == "label"}
        text = (site / page).read_text()
        for tag, attrs in doc.tags:
            if tag == "input" and attrs.get("type") != "checkbox" and "id" in attrs:
                assert attrs["id"] in labelled or re.search(r"<label>[^<]*<input[^>]*name=\"%s\"" % attrs.get("name"), text), (page, attrs)


def test_record_page_shows_the_metadata_and_distribution_sizes(site):
    text = (site / "datasets/tiny-raster/index.html").read_text()
    assert "Tiny raster" in text and "zanzibarite" in text
    assert 'rel="canonical" href="https://data.example.org/cat/datasets/tiny-raster/"' in text
    size = (site / "datasets/tiny-raster/tiny-raster.pmtiles").stat().st_size
    assert f'<data value="{size}">' in text
    assert "https://data.example.org/cat/datasets/tiny-raster/tiny-raster.pmtiles" in text  # the copyable URL and QGIS snippet
    assert "pystac.Collection.from_file" in text and "https://data.example.org/cat/stac/tiny-raster/collection.json" in text
    assert 'type="application/geo+json"' in text and "../../collections/records/items/tiny-raster.json" in text
    assert "2019-01-01" in text and "Raster people" in text and 'rel="license"' in text


def test_map_settings_point_at_the_archive(site):
    doc = parse(site / "datasets/tiny-raster/index.html")
    config = json.loads(next(data for attrs, data in doc.scripts if attrs.get("id") == "map-config"))
    assert config["pmtiles"] == "./tiny-raster.pmtiles" and config["bbox"] == [10, 40, 20, 50]
    srcs = [attrs["src"] for tag, attrs in doc.tags if tag == "script" and "src" in attrs]
    assert "../../assets/vendor/maplibre-gl/maplibre-gl.js" in srcs and "../../assets/vendor/pmtiles/pmtiles.js" in srcs
    assert (site / "assets/vendor/maplibre-gl/maplibre-gl.js").is_file()


def test_pages_call_no_third_party_host(site):
    for page in [*site.rglob("*.html"), *site.joinpath("assets").glob("*.js")]:
        doc_text = page.read_text(encoding="utf-8")
        for match in re.finditer(r'(?:src|href)="(https?://[^"]+)"', doc_text):
            tag_start = doc_text.rfind("<", 0, match.start())
            assert not doc_text.startswith(("<script", "<img", "<link rel=\"stylesheet\""), tag_start), (page, match.group(1))


def test_record_without_extent_has_no_map(site):
    text = (site / "datasets/no-extent/index.html").read_text()
    assert 'id="map"' not in text and "maplibre-gl.js" not in text


def test_catalogue_listing_and_browse_pages(site):
    listing = (site / "catalogue/index.html").read_text()
    for title in ("Tiny raster", "Points in Sumatra", "A record without extent"):
        assert title in listing
    colour = (site / "browse/keyword/colour.html").read_text()
    assert "Tiny raster" in colour and "Points in Sumatra" in colour and "A record without extent" not in colour
    assert (site / "browse/theme/places.html").is_file() and (site / "browse/type/service.html").is_file()
    assert (site / "browse/licence/cc0-1-0.html").is_file()


def test_listing_is_paginated(tmp_path):
    datasets = {f"d{i:02d}": f"title: Dataset {i:02d}\n" for i in range(45)}
    built = build_site(tmp_path, write_source(tmp_path / "src", CATALOGUE, datasets))
    assert [p.name for p in sorted((built / "catalogue").iterdir())] == ["index.html", "page-2.html", "page-3.html"]
    page2 = (built / "catalogue/page-2.html").read_text()
    assert "Dataset 20" in page2 and "Dataset 39" in page2 and "Dataset 40" not in page2
    assert 'rel="prev" href="./index.html"' in page2 and 'rel="next" href="./page-3.html"' in page2


def test_browse_pages_are_paginated(tmp_path, monkeypatch):
    from generator.writers import html_context

    monkeypatch.setattr(html_context, "BROWSE_PAGE_SIZE", 10)
    datasets = {f"d{i:02d}": f"title: Dataset {i:02d}\nkeywords: [shared]\n" for i in range(25)}
    built = build_site(tmp_path, write_source(tmp_path / "src", CATALOGUE, datasets))
    assert sorted(p.name for p in (built / "browse/keyword/shared").iterdir()) == ["page-2.html", "page-3.html"]
    first, second = (built / "browse/keyword/shared.html").read_text(), (built / "browse/keyword/shared/page-2.html").read_text()
    assert "Dataset 09" in first and "Dataset 10" not in first and "Dataset 10" in second and "Dataset 19" in second
    assert 'rel="next" href="./shared/page-2.html"' in first
    assert 'rel="prev" href="../shared.html"' in second and 'rel="next" href="./page-3.html"' in second
    assert "https://data.example.org/cat/browse/keyword/shared/page-3.html" in (built / "sitemap.xml").read_text()


def test_collection_page_links_both_ways(site):
    text = (site / "collections/tiny-raster/index.html").read_text()
    assert "../../datasets/tiny-raster/tiny-raster.pmtiles" in text and 'href="./index.json"' in text
    assert "../../collections/tiny-raster/index.html" in (site / "datasets/tiny-raster/index.html").read_text()


def test_search_index_has_area_time_and_facets(site):
    records = {r["id"]: r for r in json.loads((site / layout.SEARCH_INDEX).read_text())["records"]}
    assert records["tiny-raster"]["bbox"] == [10, 40, 20, 50]
    assert records["tiny-raster"]["start"] == "2019-01-01" and records["sumatra-points"]["theme"] == ["Places"]
    assert (site / layout.PAGEFIND_DIR / "pagefind.js").is_file()
    assert not list((site / layout.PAGEFIND_DIR).glob("pagefind-ui*"))


def test_hostile_text_is_escaped_everywhere(tmp_path):
    built = hostile_catalogue(tmp_path)
    for page in built.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>window" not in text and "<img src=x" not in text and "<b>org</b>" not in text, page
        assert 'href="javascript:' not in text and "src=\"javascript:" not in text, page
        doc = parse(page)
        for attrs, data in doc.scripts:
            if attrs.get("type") in ("application/ld+json", "application/json"):
                json.loads(data)
                assert "</" not in data and "<!--" not in data and "\u2028" not in data


def test_unsafe_hrefs_are_refused():
    assert html.safe_href("https://example.org/a") == "https://example.org/a"
    assert html.safe_href("../x.json") == "../x.json"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x"):
        assert html.safe_href(bad) is None


def test_user_templates_override_the_defaults(tmp_path):
    source = write_source(tmp_path / "src", CATALOGUE, {"one": "title: One\n"})
    (source / "templates").mkdir()
    (source / "templates/index.html").write_text('{% extends "base.html" %}{% block main %}<h1>Custom landing</h1>{% endblock %}')
    html.environment.cache_clear()
    built = build_site(tmp_path, source)
    assert "Custom landing" in (built / "index.html").read_text()


@pytest.mark.parametrize("remove", ["vendor/maplibre-gl.js", "site_templates/collections/items.html", "basemap/world.pmtiles", "."])
def test_an_incomplete_installation_is_named_as_such(tmp_path, remove):
    """A file of geosite's own missing from the package is reported as a broken installation, naming the file and
    how to reinstall; never as 'processing failed' on the user's dataset.yaml. Nothing is written."""
    bundle = tmp_path / "bundle"
    shutil.copytree(resources.bundle(), bundle, symlinks=False)
    (shutil.rmtree if (bundle / remove).is_dir() else os.remove)(bundle / remove)
    source = write_source(tmp_path / "src", CATALOGUE, {"points": "title: Points\nsource: points.geojson\n"})
    (source / "datasets/points/points.geojson").write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"a": 1}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}')
    html.environment.cache_clear()
    html_features._setup.cache_clear()
    with mock.patch.object(resources, "bundle", lambda: bundle), pytest.raises(resources.InstallationError) as caught:
        build(source, tmp_path / "site", jobs=1, cache=False)
    html.environment.cache_clear()
    html_features._setup.cache_clear()
    message = str(caught.value)
    assert "installation is incomplete" in message and "reinstall" in message and "dataset.yaml" not in message
    assert str(bundle) in message and not (tmp_path / "site").exists()


def test_many_facet_values_keep_pages_small(tmp_path):
    datasets = {f"d{i:02d}": f"title: Dataset {i}\nkeywords: [kw{i:02d}, index]\n" for i in range(30)}
    built = build_site(tmp_path, write_source(tmp_path / "src", CATALOGUE, datasets))
    listing = (built / "catalogue/index.html").read_text()
    assert listing.count('href="../browse/keyword/') == 10 + 1 and "All 31 keywords" in listing  # 10 values and the index
    every = (built / "browse/keyword/index.html").read_text()
    assert every.count('href="./') == 31 and "kw29" in every
    assert [p.name for p in (built / "browse/keyword").glob("index-*.html")], "a keyword named 'index' must not replace the facet's index page"
