"""Tiles metadata derived from a PMTiles archive: asset, TileJSON, OGC tileset, links."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

from generator import layout
from generator.check.schemas import validate_document
from generator.data.tilesets import publish_tiles
from generator.model import Catalogue, Contact, Dataset, License, Publisher
from generator.output import OutputTree, describe_file


def make_archive(path: Path) -> None:
    with write(path) as writer:
        for z, x, y in ((0, 0, 0), (1, 1, 0), (2, 2, 1)):
            writer.write_tile(zxy_to_tileid(z, x, y), gzip.compress(b"tile", mtime=0))
        writer.finalize(
            {
                "tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
                "min_lon_e7": -100_000_000, "min_lat_e7": 300_000_000, "max_lon_e7": -700_000_000 + 100_000_000, "max_lat_e7": 400_000_000,
                "center_zoom": 1, "center_lon_e7": -800_000_000, "center_lat_e7": 350_000_000,
            },
            {"vector_layers": [{"id": "roads", "fields": {"name": "String"}}], "attribution": "© Roads Agency"},
        )


def test_publish_tiles_describes_the_archive(tmp_path):
    catalogue = Catalogue(tmp_path, "T", "D", Publisher("P"), base_url="https://x.org/site/")
    dataset = Dataset("roads", tmp_path / "dataset.yaml", "Roads", license=License("CC-BY-4.0"), contacts=(Contact(organization="Agency", roles=("originator",)),))
    out = OutputTree(tmp_path / "out")
    archive = out.claim(layout.pmtiles_archive("roads"), "test")
    make_archive(archive)
    publish_tiles(catalogue, dataset, out, archive, "vector")

    [asset] = dataset.assets
    assert (asset.size, asset.checksum) == describe_file(archive)
    assert asset.media_type == "application/vnd.pmtiles" and "tiles" in asset.roles
    tilejson = json.loads((tmp_path / "out" / layout.tilejson("roads")).read_text())
    assert tilejson["tiles"] == ["pmtiles://https://x.org/site/datasets/roads/roads.pmtiles/{z}/{x}/{y}"]
    assert (tilejson["minzoom"], tilejson["maxzoom"]) == (0, 2)
    assert tilejson["vector_layers"][0]["id"] == "roads" and tilejson["attribution"] == "© Roads Agency"
    tileset = json.loads((tmp_path / "out" / layout.tileset_json("roads")).read_text())
    assert validate_document(tileset) == []
    assert tileset["layers"] == [{"id": "roads", "dataType": "vector"}] and tileset["attribution"] == "© Agency"
    assert dataset.collection.links[0].href == layout.tilesets_json("roads")
    assert dataset.api_links[0].rel.endswith("tilesets-vector")
