"""`geosite check` on binary outputs and crawler-facing pages: each check finds what it is for."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from hypothesis import given
from hypothesis import strategies as st
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write
from rasterio.transform import from_origin

from generator.check import check_build
from generator.check.archives import check_archives, pmtiles_problems
from generator.check.links import SiteFiles
from generator.check.pages import check_sitemaps, json_ld_problems

HEADER = {
    "tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
    "min_lon_e7": 0, "min_lat_e7": 0, "max_lon_e7": 10_000_000, "max_lat_e7": 10_000_000,
    "center_zoom": 0, "center_lon_e7": 0, "center_lat_e7": 0,
}


def archive(path: Path, tiles: dict[tuple[int, int, int], bytes], metadata: dict | None = None) -> Path:
    with write(path) as writer:
        for (z, x, y), data in sorted(tiles.items(), key=lambda kv: zxy_to_tileid(*kv[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        writer.finalize(dict(HEADER), metadata if metadata is not None else {"vector_layers": [{"id": "a", "fields": {}}]})
    return path


def test_sound_archive_passes(tmp_path):
    assert pmtiles_problems(archive(tmp_path / "ok.pmtiles", {(0, 0, 0): gzip.compress(b"x"), (1, 0, 0): gzip.compress(b"y")})) == []


def test_truncated_archive_is_found(tmp_path):
    path = archive(tmp_path / "t.pmtiles", {(0, 0, 0): np.random.default_rng(1).bytes(2000)})
    path.write_bytes(path.read_bytes()[:-200])
    assert any("outside the file" in p for p in pmtiles_problems(path))


def test_bad_magic_missing_layers_and_oversized_tiles(tmp_path):
    bad = tmp_path / "bad.pmtiles"
    bad.write_bytes(b"NOTPMTILES" + bytes(200))
    assert "not a PMTiles version 3" in pmtiles_problems(bad)[0]
    no_layers = archive(tmp_path / "nl.pmtiles", {(0, 0, 0): b"x"}, metadata={})
    assert any("vector_layers" in p for p in pmtiles_problems(no_layers))
    big = archive(tmp_path / "big.pmtiles", {(0, 0, 0): np.random.default_rng(0).bytes(600 * 1024)})
    assert any("exceed 500 KB" in p for p in pmtiles_problems(big))


def test_striped_geotiff_is_not_a_cog(tmp_path):
    path = tmp_path / "striped.tif"
    profile = {"driver": "GTiff", "width": 1024, "height": 1024, "count": 1, "dtype": "uint8", "crs": "EPSG:32618", "transform": from_origin(0, 0, 10, 10)}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.zeros((1, 1024, 1024), dtype="uint8"))
    findings = check_archives(SiteFiles(tmp_path))
    assert findings and findings[0].check == "cog" and "Cloud-Optimized" in findings[0].message


def test_invalid_sitemap_and_missing_json_ld(tmp_path):
    (tmp_path / "sitemap.xml").write_text('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><lastmod>2020</lastmod></url></urlset>')
    (tmp_path / "datasets/a").mkdir(parents=True)
    (tmp_path / "datasets/a/index.html").write_text("<html><body>no structured data</body></html>")
    (tmp_path / "index.html").write_text('<script type="application/ld+json">{"@type": "DataCatalog"}</script>')
    checks = {(f.check, f.path) for f in check_build(tmp_path)}
    assert checks == {("sitemap", "sitemap.xml"), ("json-ld", "datasets/a/index.html")}


@pytest.mark.parametrize(("block", "message"), [("{\"@type\": ", "does not parse"), ("\"Dataset\"", "has no Dataset"), ("[1, {\"@type\": \"Thing\"}]", "has no Dataset")])
def test_json_ld_that_does_not_parse_or_is_no_object(block, message):
    [problem] = json_ld_problems(f'<script type="application/ld+json">{block}</script>', "Dataset")
    assert message in problem


def test_example_build_passes_every_output_check(example_build):
    assert check_archives(SiteFiles(example_build)) == []
    assert check_sitemaps(SiteFiles(example_build)) == []
    assert check_build(example_build) == []


def test_schema_findings_name_the_file_and_the_json_path(tmp_path):
    (tmp_path / "collections").mkdir()
    record = {"type": "Feature", "id": "a", "geometry": None, "conformsTo": ["http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core"],
              "properties": {"type": "dataset", "title": "A", "keywords": "not a list"}, "links": [{"href": 5, "rel": "self"}]}
    (tmp_path / "collections/a.json").write_text(json.dumps(record))
    (tmp_path / "broken.json").write_text("{not json")
    findings = {(f.path, f.check, f.message.split(":")[0]) for f in check_build(tmp_path)}
    assert ("collections/a.json", "schema", "properties/keywords") in findings
    assert ("collections/a.json", "schema", "links/0/href") in findings
    assert ("broken.json", "schema", "not valid JSON") in findings


def test_a_schema_outside_the_mirror_is_a_finding_not_a_crash():
    from generator.check.schemas import validate_document

    collection = {"type": "Catalog", "stac_version": "1.1.0", "id": "c", "description": "d", "links": [], "stac_extensions": ["https://stac-extensions.github.io/none/v9.9.9/schema.json"]}
    [message] = validate_document(collection)
    assert "cannot validate against https://stac-extensions.github.io/none/v9.9.9/schema.json" in message


def test_html_links_are_found_in_tags_only(tmp_path):
    from generator.check.links import html_hrefs

    page = """<html><head><meta name="description" content="&lt;img src=x&gt; src=y"><link rel=stylesheet href=missing.css><script src='app.js'>var a = '<a href="in-script.html">';</script></head>
    <body><!-- <a href="in-comment.html"> --><a class="x" href="a&amp;b.html">x</a><p>write href=not-a-link here</p>
    <a href="mailto:x@y.z">m</a><a href="#top">t</a><img alt='a > b' src="img.png"><img data-src="no.png" SRC="up.png"></body></html>"""
    assert html_hrefs(page) == ["missing.css", "app.js", "a&b.html", "img.png", "up.png"]
    (tmp_path / "index.html").write_text(page)
    (tmp_path / "img.png").write_bytes(b"")
    assert {f.message.split()[2] for f in check_build(tmp_path) if f.check == "links"} == {"missing.css", "app.js", "a&b.html", "up.png"}


segment = st.sampled_from(["a", "b", "index.html", "..", ".", "x y", "%41", ""])


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3), st.lists(segment, max_size=5), st.sampled_from(["", "/", "?q", "#f"]))
def test_climbing_links_resolve_as_from_their_own_folder(folder, parts, tail):
    """The shortcut for '../' links gives what joining the href to the page's own folder gives."""
    from generator.check.links import _resolve_cached, _resolve_from

    folder_path, href = "/".join(folder), "/".join(parts) + tail
    assert _resolve_from(folder_path, href, None) == _resolve_cached(folder_path, href, None)
