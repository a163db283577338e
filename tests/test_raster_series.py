"""A folder of rasters (tiles of a mosaic, a time series) is one STAC Collection with one Item per file."""

from __future__ import annotations

import io
import json

import mercantile
import numpy as np
import rasterio
from PIL import Image
from pmtiles.reader import MmapSource, Reader
from pyproj import Transformer
from rasterio.transform import from_origin
from rio_cogeo.cogeo import cog_validate

from generator import layout
from generator.build import build
from generator.check.schemas import validate_document
from generator.data.rendering import plan_style
from tests.conftest import write_source


def _tile(path, west: float, value: int) -> None:
    data = np.full((1, 100, 100), value, dtype="uint16")
    with rasterio.open(path, "w", driver="GTiff", width=100, height=100, count=1, dtype="uint16", crs="EPSG:32633", transform=from_origin(west, 5000000, 20, 20), nodata=0) as dst:
        dst.write(data)


def test_a_folder_of_tiles_is_a_collection_of_items_and_one_mosaic(tmp_path):
    src = write_source(tmp_path, {"mosaic": "title: Mosaic\nlicense: CC0-1.0\nsource: tiles\nraster:\n  range: [0, 255]\n"})
    folder = src / "datasets" / "mosaic" / "tiles"
    folder.mkdir()
    _tile(folder / "west_2021-06-01.tif", 500000, 100)
    _tile(folder / "east_2021-07-15.tif", 502000, 200)
    result = build(src, tmp_path / "out", check=False)
    out = tmp_path / "out"
    dataset = result.catalogue.dataset("mosaic")
    assert [i.id for i in dataset.items] == ["east_2021-07-15", "west_2021-06-01"]
    assert (dataset.time.start, dataset.time.end) == ("2021-06-01", "2021-07-15")
    collection = json.loads((out / layout.stac_collection("mosaic")).read_text())
    assert validate_document(collection) == []
    assert sorted(l["href"] for l in collection["links"] if l["rel"] == "item") == ["./items/east_2021-07-15.json", "./items/west_2021-06-01.json"]
    for entry in dataset.items:
        document = json.loads((out / layout.stac_item("mosaic", entry.id)).read_text())
        assert validate_document(document) == [], document
        assert document["properties"]["datetime"] == f"{entry.id[-10:]}T00:00:00Z"
        cog = out / layout.dataset_file("mosaic", f"{entry.id}.tif")
        assert cog_validate(str(cog), strict=True, quiet=True)[0]
        assert document["assets"]["cog"]["proj:code"] == "EPSG:32633"
    with open(out / layout.pmtiles_archive("mosaic"), "rb") as handle:
        reader = Reader(MmapSource(handle))
        zoom = reader.header()["max_zoom"]
        lon, lat = Transformer.from_crs("EPSG:32633", "OGC:CRS84", always_xy=True).transform(502000, 4999000)  # the seam
        colours = set()
        for offset in (-0.005, 0.005):
            tile = mercantile.tile(lon + offset, lat, zoom)
            image = Image.open(io.BytesIO(reader.get(tile.z, tile.x, tile.y))).convert("RGBA")
            colours |= {p for p in image.getdata() if p[3] == 255}
    assert {(100, 100, 100, 255), (200, 200, 200, 255)} <= colours


def test_a_mosaic_default_range_spans_all_its_files(tmp_path):
    _tile(tmp_path / "a.tif", 500000, 100)
    _tile(tmp_path / "b.tif", 502000, 200)
    with rasterio.open(tmp_path / "a.tif") as a, rasterio.open(tmp_path / "b.tif") as b:
        assert plan_style([a, b], {}, categorical=False).ranges == ((100.0, 200.0),)
        assert plan_style([a], {}, categorical=False).ranges == ((100.0, 101.0),)  # a constant raster still gets a range
