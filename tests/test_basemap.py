"""The basemap: geosite's own world map by default, `none`, an XYZ template or a PMTiles archive from the source
folder, credited."""

from __future__ import annotations

import json
import re

import pytest

from generator import layout
from generator.errors import SourceError
from generator.source.loader import load_catalogue
from tests.test_html import CATALOGUE, build_site, red_png, write_source

OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
HOSTILE = "</script><img src=x onerror=alert(1)> © \"people\""


def one_tile_archive(path) -> None:
    """A raster PMTiles archive of one red tile covering the world: a stand-in basemap."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    with open(path, "wb") as handle:
        writer = Writer(handle)
        writer.write_tile(zxy_to_tileid(0, 0, 0), red_png())
        e7 = [int(v * 1e7) for v in (-180, -85, 180, 85)]
        writer.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE, "min_lon_e7": e7[0], "min_lat_e7": e7[1],
                         "max_lon_e7": e7[2], "max_lat_e7": e7[3], "center_zoom": 0, "center_lon_e7": 0, "center_lat_e7": 0}, {"name": "base"})


def map_config(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="map-config">(.*?)</script>', page, re.S).group(1))


def catalogue_with(basemap: str) -> str:
    return CATALOGUE + "basemap: " + basemap + "\n"


DATASET = {"area": "title: Area\nbbox: [10, 40, 20, 50]\n"}


def test_own_world_basemap_by_default(tmp_path):
    """Published with the site (no other host is called), credited, and a real vector archive of land and borders."""
    from pmtiles.reader import MmapSource, Reader

    site = build_site(tmp_path, write_source(tmp_path / "src", CATALOGUE, DATASET))
    config = map_config((site / layout.record_html("area")).read_text())["basemap"]
    assert config["pmtiles"] == "../../assets/basemap.pmtiles" and config["tiles"] is None
    assert config["attribution"] == "Natural Earth"
    with open(site / layout.BASEMAP_ARCHIVE, "rb") as handle:
        reader = Reader(MmapSource(handle))
        layers = {layer["id"] for layer in reader.metadata()["vector_layers"]}
        assert layers == {"land", "countries"} and reader.header()["max_zoom"] >= 5
        assert reader.get(0, 0, 0) and (site / layout.BASEMAP_ARCHIVE).stat().st_size < 5_000_000


def test_basemap_none_turns_it_off(tmp_path):
    site = build_site(tmp_path, write_source(tmp_path / "src", catalogue_with("none"), DATASET))
    assert map_config((site / layout.record_html("area")).read_text())["basemap"] is None
    assert not (site / layout.BASEMAP_ARCHIVE).exists()


def test_xyz_template_and_escaped_attribution_reach_the_map(tmp_path):
    basemap = json.dumps({"url": OSM, "attribution": HOSTILE, "attribution_url": "https://www.openstreetmap.org/copyright", "max_zoom": 18})
    site = build_site(tmp_path, write_source(tmp_path / "src", catalogue_with(basemap), DATASET))
    page = (site / layout.record_html("area")).read_text()
    assert map_config(page)["basemap"] == {"tiles": OSM, "pmtiles": None, "attribution": HOSTILE,
                                           "attribution_url": "https://www.openstreetmap.org/copyright", "max_zoom": 18}
    assert "<img src=x" not in page and "</script><img" not in page


def test_pmtiles_archive_is_copied_into_the_site(tmp_path):
    src = write_source(tmp_path / "src", catalogue_with("{pmtiles: maps/base.pmtiles, attribution: Own basemap}"), DATASET)
    (src / "maps").mkdir()
    one_tile_archive(src / "maps" / "base.pmtiles")
    site = build_site(tmp_path, src)
    assert (site / layout.BASEMAP_ARCHIVE).read_bytes() == (src / "maps" / "base.pmtiles").read_bytes()
    config = map_config((site / layout.record_html("area")).read_text())["basemap"]
    assert config["pmtiles"] == "../../assets/basemap.pmtiles" and config["tiles"] is None


@pytest.mark.parametrize("basemap, key", [
    ('{url: "https://tiles.example.org/{z}/{x}/{y}.png"}', "basemap"),
    ('{url: "https://tiles.example.org/tiles.png", attribution: x}', "basemap.url"),
    ('{url: "javascript:alert(1)//{z}/{x}/{y}", attribution: x}', "basemap.url"),
    ('{pmtiles: ../outside.pmtiles}', "basemap.pmtiles"),
    ('{pmtiles: missing.pmtiles}', "basemap.pmtiles"),
    ('{pmtiles: catalogue.yaml.pmtiles}', "basemap.pmtiles"),
    ('{url: "https://t.example.org/{z}/{x}/{y}.png", attribution: x, pmtiles: a.pmtiles}', "basemap"),
])
def test_wrong_basemaps_are_refused_naming_the_key(tmp_path, basemap, key):
    (tmp_path / "outside.pmtiles").write_bytes(b"x")
    src = write_source(tmp_path / "src", catalogue_with(basemap), DATASET)
    (src / "catalogue.yaml.pmtiles").write_text("not an archive")
    with pytest.raises(SourceError) as caught:
        load_catalogue(src)
    assert any(p.key == key for p in caught.value.problems), caught.value.problems
