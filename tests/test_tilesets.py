"""Tiles metadata: the data stage describes a PMTiles archive in the model, the tilesets writer writes its documents."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

from generator import layout
from generator.check.schemas import validate_document
from generator.data.tilesets import centre, describe_archive, read_archive
from generator.model import Catalogue, Contact, Dataset, License, Publisher
from generator.output import OutputTree, describe_file
from generator.writers import tilesets


def make_archive(path: Path, west=-10.0, east=-60.0, centre_lon=-80.0) -> None:
    with write(path) as writer:
        for z, x, y in ((0, 0, 0), (1, 1, 0), (2, 2, 1)):
            writer.write_tile(zxy_to_tileid(z, x, y), gzip.compress(b"tile", mtime=0))
        writer.finalize(
            {
                "tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
                "min_lon_e7": round(west * 1e7), "min_lat_e7": 300_000_000, "max_lon_e7": round(east * 1e7), "max_lat_e7": 400_000_000,
                "center_zoom": 1, "center_lon_e7": round(centre_lon * 1e7), "center_lat_e7": 350_000_000,
            },
            {"vector_layers": [{"id": "roads", "fields": {"name": "String"}}], "attribution": "© Roads Agency"},
        )


def roads(tmp_path: Path, **fields) -> tuple[Catalogue, Dataset, OutputTree]:
    catalogue = Catalogue(tmp_path, "T", "D", Publisher("P"), base_url="https://x.org/site/")
    dataset = Dataset("roads", tmp_path / "dataset.yaml", "Roads", license=License("CC-BY-4.0"), contacts=(Contact(organization="Agency <&>", roles=("originator",)),), **fields)
    catalogue.datasets.append(dataset)
    return catalogue, dataset, OutputTree(tmp_path / "out")


def test_the_data_stage_describes_the_archive_and_writes_no_documents(tmp_path):
    catalogue, dataset, out = roads(tmp_path)
    archive = out.claim(layout.pmtiles_archive("roads"), "test")
    make_archive(archive)
    describe_archive(dataset, archive, "vector")

    [asset] = dataset.assets
    assert (asset.size, asset.checksum) == describe_file(archive)
    assert asset.media_type == "application/vnd.pmtiles" and "tiles" in asset.roles
    assert (dataset.tile_archive.min_zoom, dataset.tile_archive.max_zoom, dataset.tile_archive.kind) == (0, 2, "vector")
    assert dataset.tile_archive.vector_layers[0]["id"] == "roads"
    assert dataset.collection.links[0].href == layout.tilesets_json("roads")
    assert dataset.api_links[0].rel.endswith("tilesets-vector")
    assert sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file()) == ["roads.pmtiles"]


def test_the_writer_describes_the_archive_for_every_client(tmp_path):
    catalogue, dataset, out = roads(tmp_path, description="Roads, as of **now**.")
    archive = out.claim(layout.pmtiles_archive("roads"), "test")
    make_archive(archive)
    describe_archive(dataset, archive, "vector")
    tilesets.write(catalogue, out)

    tilejson = json.loads((tmp_path / "out" / layout.tilejson("roads")).read_text())
    assert tilejson["tiles"] == ["pmtiles://https://x.org/site/datasets/roads/roads.pmtiles/{z}/{x}/{y}"]
    assert (tilejson["minzoom"], tilejson["maxzoom"]) == (0, 2)
    assert tilejson["description"] == "Roads, as of **now**."
    assert tilejson["vector_layers"][0]["id"] == "roads" and tilejson["attribution"] == "© Agency &lt;&amp;&gt;"  # shown as HTML by map clients
    tileset = json.loads((tmp_path / "out" / layout.tileset_json("roads")).read_text())
    assert validate_document(tileset) == []
    assert tileset["layers"] == [{"id": "roads", "dataType": "vector"}] and tileset["attribution"] == "© Agency <&>"
    listing = json.loads((tmp_path / "out" / layout.tilesets_json("roads")).read_text())
    assert listing["tilesets"][0]["dataType"] == "vector"


def test_description_changes_reach_the_documents_without_touching_the_archive(tmp_path):
    catalogue, dataset, out = roads(tmp_path, description="old")
    archive = out.claim(layout.pmtiles_archive("roads"), "test")
    make_archive(archive)
    describe_archive(dataset, archive, "vector")
    dataset.description = "new words"
    tilesets.write(catalogue, out)
    assert json.loads((tmp_path / "out" / layout.tilejson("roads")).read_text())["description"] == "new words"


@pytest.mark.parametrize(("bbox", "expected"), [((170.0, -20.0, -170.0, -10.0), 180.0), ((160.0, 0.0, -140.0, 10.0), -170.0), ((175.0, 0.0, -179.0, 1.0), 178.0), ((-10.0, 0.0, 10.0, 2.0), 0.0)])
def test_centre_across_the_antimeridian_is_inside_the_data(bbox, expected):
    longitude, latitude = centre(bbox)
    assert longitude == pytest.approx(expected) and -180 <= longitude <= 180
    assert latitude == pytest.approx((bbox[1] + bbox[3]) / 2)


def test_an_antimeridian_archive_is_centred_on_its_data(tmp_path):
    catalogue, dataset, out = roads(tmp_path, bbox=(170.0, 30.0, -160.0, 40.0))
    archive = out.claim(layout.pmtiles_archive("roads"), "test")
    make_archive(archive, west=-180.0, east=180.0, centre_lon=0.0)  # what tilers write for data across 180°
    describe_archive(dataset, archive, "vector")
    header, _ = read_archive(archive)
    assert header["center_lon_e7"] == round(-175.0 * 1e7)
    assert dataset.tile_archive.center[:2] == pytest.approx((-175.0, 35.0))
    assert dataset.assets[0].checksum == describe_file(archive)[1]  # described after the header was rewritten
    tilesets.write(catalogue, out)
    tilejson = json.loads((tmp_path / "out" / layout.tilejson("roads")).read_text())
    assert tilejson["center"][0] == pytest.approx(-175.0)
