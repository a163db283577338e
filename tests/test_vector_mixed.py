"""Layers of mixed geometry types go through every output, and tiles keep every feature while tiles fit."""

from __future__ import annotations

import gzip
import json
import random
import string

import mapbox_vector_tile
import pyarrow.parquet as pq
import pyogrio
import pytest
from pmtiles.reader import MmapSource, Reader

from generator import layout
from generator.build import build
from generator.check import check_build
from tests.conftest import write_source
from tests.test_vector import all_features, feature, polygon, tiles_of, write_geojson

SQUARE = polygon([0, 0], [1, 0], [1, 1], [0, 1], [0, 0])
MIXED = [
    feature({"type": "Point", "coordinates": [2, 2]}, name="point"),
    feature({"type": "LineString", "coordinates": [[3, 3], [4, 4]]}, name="line"),
    feature(SQUARE, name="polygon"),
    feature({"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], [[[5, 5], [6, 5], [6, 6], [5, 5]]]]}, name="multipolygon"),
    feature({"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [7, 7]},
        {"type": "GeometryCollection", "geometries": [{"type": "LineString", "coordinates": [[8, 8], [9, 9]]}]},
        polygon([10, 10], [11, 10], [11, 11], [10, 10]),
    ]}, name="nested collection"),
    feature({"type": "MultiPoint", "coordinates": [[12, 1], [13, 1]]}, name="multipoint"),
]


@pytest.fixture(scope="module")
def mixed_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    data = write_geojson(root / "mixed.geojson", MIXED)
    src = write_source(root, {"mixed": "title: Mixed\nsource: mixed.geojson\n"}, files={"datasets/mixed/mixed.geojson": data})
    build(src, root / "site", jobs=1, cache=False)
    return root / "site"


def tile_geometry_kinds(site, dataset_id: str) -> dict[str, set[str]]:
    """Feature names per geometry kind drawn in the tiles, over every tile."""
    kinds: dict[str, set[str]] = {}
    for _, data in tiles_of(site, dataset_id)[1]:
        for layer in mapbox_vector_tile.decode(gzip.decompress(data)).values():
            for item in layer["features"]:
                kinds.setdefault(item["geometry"]["type"].removeprefix("Multi"), set()).add(item["properties"]["name"])
    return kinds


def test_every_kind_of_a_mixed_layer_is_tiled_into_one_layer(mixed_site):
    kinds = tile_geometry_kinds(mixed_site, "mixed")
    assert kinds == {"Point": {"point", "nested collection", "multipoint"}, "LineString": {"line", "nested collection"},
                     "Polygon": {"polygon", "multipolygon", "nested collection"}}
    for _, data in tiles_of(mixed_site, "mixed")[1]:
        assert set(mapbox_vector_tile.decode(gzip.decompress(data))) == {"mixed"}


@pytest.mark.parametrize("suffix", ["parquet", "gpkg", "fgb"])
def test_downloads_of_a_mixed_layer_hold_every_feature(mixed_site, suffix):
    path = mixed_site / layout.dataset_file("mixed", f"mixed.{suffix}")
    if suffix == "parquet":
        rows = pq.read_table(path).num_rows
    else:
        rows = pyogrio.read_info(path)["features"]
    assert rows == len(MIXED)
    if suffix != "parquet":
        assert pyogrio.read_info(path)["geometry_type"] == "Unknown"  # each format's own word for mixed


def test_features_pages_of_a_mixed_layer_keep_collections_whole(mixed_site):
    features = all_features(mixed_site, "mixed")
    assert [f["geometry"]["type"] for f in features if f["properties"]["name"] == "nested collection"] == ["GeometryCollection"]
    assert len(features) == len(MIXED)
    assert check_build(mixed_site) == []


def z0_features(site, dataset_id: str) -> int:
    with open(site / layout.pmtiles_archive(dataset_id), "rb") as handle:
        reader = Reader(MmapSource(handle))
        layers = mapbox_vector_tile.decode(gzip.decompress(reader.get(0, 0, 0)))
    return sum(len(layer["features"]) for layer in layers.values())


def record_page(site, dataset_id: str) -> str:
    return (site / layout.record_html(dataset_id)).read_text()


def test_every_point_is_drawn_at_zoom_0_while_the_tile_fits(tmp_path):
    """The example's 6,107 earthquakes: all in the zoom-0 tile, and the page says nothing of thinning."""
    from tests.conftest import REPO

    quakes = REPO / "catalogue_src/datasets/earthquakes-2017/opengeos_earthquakes.geojson"
    src = write_source(tmp_path, {"quakes": "title: Quakes\nsource: quakes.geojson\n"}, files={"datasets/quakes/quakes.geojson": quakes})
    build(src, tmp_path / "site", jobs=1, cache=False)
    assert z0_features(tmp_path / "site", "quakes") == pyogrio.read_info(quakes)["features"] == 6107
    assert "leaves out some features" not in record_page(tmp_path / "site", "quakes")


def test_thinning_happens_only_past_the_tile_budget_and_the_page_says_from_which_zoom(tmp_path):
    """Points with incompressible text overflow the 500 KB zoom-0 tile: tippecanoe drops some there, and the
    record page names the zoom from which the archive's own strategies show that none is dropped."""
    rng = random.Random(7)
    points = [feature({"type": "Point", "coordinates": [rng.uniform(-170, 170), rng.uniform(-80, 80)]},
                      name=f"p{i}", text="".join(rng.choices(string.ascii_letters, k=400))) for i in range(6000)]
    data = write_geojson(tmp_path / "dense.geojson", points)
    src = write_source(tmp_path, {"dense": "title: Dense\nsource: dense.geojson\n"}, files={"datasets/dense/dense.geojson": data})
    build(src, tmp_path / "site", jobs=1, cache=False)
    with open(tmp_path / "site" / layout.pmtiles_archive("dense"), "rb") as handle:
        strategies = Reader(MmapSource(handle)).metadata()["strategies"]
    thinned = [zoom for zoom, counts in enumerate(strategies) if any(k.startswith(("dropped", "coalesced")) for k in counts)]
    assert thinned and 0 in thinned and z0_features(tmp_path / "site", "dense") < len(points)
    assert f"Zoomed out below level {max(thinned) + 1}" in record_page(tmp_path / "site", "dense")
    tilejson = json.loads((tmp_path / "site" / layout.tilejson("dense")).read_text())
    assert tilejson["maxzoom"] >= max(thinned) + 1
