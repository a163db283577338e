"""Raster YAML options (bands, range, ramp, zooms, extra CRS), the tile maths and the parallel tile renderer."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import rasterio
from PIL import Image
from pmtiles.reader import MmapSource, Reader, all_tiles
from rasterio.warp import transform_bounds
from rio_cogeo.cogeo import cog_validate

from generator import layout
from generator.build import build
from generator.data import cog as cogs
from generator.data import rastertiles
from generator.data.rendering import Style, plan_style, ramp_lut, to_rgba
from generator.errors import GeositeError
from tests.conftest import write_source
from tests.raster_samples import dem_int16, naip_like

OPTIONS_YAML = """\
title: DEM with options
license: CC0-1.0
source: dem.tif
raster:
  bands: [1]
  range: [0, 3000]
  ramp: viridis
tiles:
  minzoom: 9
  maxzoom: 10
downloads:
  extra_crs: [source, EPSG:4326]
"""


def test_options_set_zooms_style_and_extra_crs(tmp_path):
    src = write_source(tmp_path, {"dem": OPTIONS_YAML})
    dem_int16(src / "datasets" / "dem" / "dem.tif")
    out = tmp_path / "out"
    build(src, out, check=False)
    with open(out / layout.pmtiles_archive("dem"), "rb") as handle:
        header = Reader(MmapSource(handle)).header()
    assert (header["min_zoom"], header["max_zoom"]) == (9, 10)
    copy = out / layout.dataset_file("dem", "dem.epsg-4326.tif")
    assert cog_validate(str(copy), strict=True, quiet=True)[0]
    with rasterio.open(copy) as cog:
        assert cog.crs.to_epsg() == 4326 and cog.nodata == -32768
    stac = json.loads((out / layout.stac_collection("dem")).read_text())
    assert set(stac["assets"]) >= {"cog", "cog-epsg-4326", "thumbnail", "pmtiles"}
    assert stac["assets"]["cog-epsg-4326"]["proj:code"] == "EPSG:4326"
    viridis = ramp_lut("viridis")[:, :3].astype(int)
    thumbnail = np.array(Image.open(out / layout.dataset_file("dem", "thumbnail.png")).convert("RGBA")).reshape(-1, 4)
    opaque = thumbnail[thumbnail[:, 3] == 255][:, :3].astype(int)
    distances = np.abs(opaque[:, None, :] - viridis[None, :, :]).sum(axis=2).min(axis=1)  # to the nearest ramp colour
    assert opaque.size and np.percentile(distances, 95) <= 12  # the thumbnail is quantised to 256 colours


def test_a_band_that_does_not_exist_is_a_one_line_error(tmp_path):
    src = write_source(tmp_path, {"naip": "title: NAIP\nsource: naip.tif\nraster:\n  bands: [4, 3, 9]\n"})
    naip_like(src / "datasets" / "naip" / "naip.tif")
    with pytest.raises(GeositeError) as error:
        build(src, tmp_path / "out", check=False)
    assert "band 9 does not exist" in str(error.value) and "\n" not in str(error.value)


def test_zoom_range_follows_the_resolution():
    bbox = (8.98, 44.0, 9.02, 44.03)  # 0.04 degrees wide
    pixel = rastertiles.pixel_size(bbox, 400, 300)  # ~11 web-mercator metres: zoom 14 (9.55 m) is the closest
    assert 10 < pixel < 12
    assert rastertiles.zoom_range(bbox, pixel, {}) == (13, 14)  # ~420 pixels across: two zooms to fit in a tile
    assert rastertiles.zoom_range(bbox, pixel, {"minzoom": 3, "maxzoom": 5}) == (3, 5)


def test_styles_render_palette_ramp_and_stretch():
    valid = np.array([[True, False]])
    palette = Style((1,), None, np.array([[0, 0, 0, 255], [10, 20, 30, 255]], dtype="uint8"), True)
    assert to_rgba(np.array([[[1, 1]]]), valid, palette).tolist() == [[[10, 20, 30, 255], [10, 20, 30, 0]]]
    ramp = Style((1,), ((0.0, 10.0),), ramp_lut("greys"), False)
    assert to_rgba(np.array([[[10.0, np.nan]]]), np.array([[True, True]]), ramp).tolist() == [[[255, 255, 255, 255], [0, 0, 0, 0]]]
    stretch = Style((1, 2, 3), ((-10.0, 500.0),) * 3, None, False)
    assert to_rgba(np.array([[[-20.0]], [[90.0]], [[600.0]]]), np.array([[True]]), stretch).tolist() == [[[0, 50, 255, 255]]]


def test_four_band_imagery_defaults_to_the_first_three_bands(tmp_path):
    naip_like(tmp_path / "naip.tif")
    with rasterio.open(tmp_path / "naip.tif") as src:
        style = plan_style([src], {}, categorical=False)
    assert style.bands == (1, 2, 3) and style.ranges is None and style.lut is None


def test_the_process_pool_renders_the_same_tiles(tmp_path, monkeypatch):
    naip_like(tmp_path / "naip.tif")
    with rasterio.open(tmp_path / "naip.tif") as src:
        cogs.write_cog(src, tmp_path / "cog.tif", categorical=False)
        bbox = transform_bounds(src.crs, "OGC:CRS84", *src.bounds)
        style = plan_style([src], {}, categorical=False)
    monkeypatch.setattr(rastertiles, "BATCH", 2)  # several batches in flight on both workers
    archives = {}
    for threshold in (10**9, 0):
        monkeypatch.setattr(rastertiles, "POOL_THRESHOLD", threshold)
        archives[threshold] = tmp_path / f"{threshold}.pmtiles"
        layers = [rastertiles.layer(tmp_path / "cog.tif", bbox)]
        rastertiles.write_archive(layers, archives[threshold], bbox, (14, 17), style, {"name": "t"})
    tiles = {}
    for threshold, path in archives.items():
        with open(path, "rb") as handle:
            tiles[threshold] = dict(all_tiles(Reader(MmapSource(handle)).get_bytes))
    assert tiles[0] == tiles[10**9] and len(tiles[0]) > 4 * rastertiles.BATCH
    Image.open(io.BytesIO(next(iter(tiles[0].values())))).verify()


def test_many_band_rasters_are_band_interleaved_and_valid(tmp_path):
    data = np.random.default_rng(1).integers(0, 1000, (6, 300, 320)).astype("uint16")
    profile = {"driver": "GTiff", "width": 320, "height": 300, "count": 6, "dtype": "uint16", "crs": "EPSG:32610", "transform": rasterio.transform.from_origin(500000, 4000000, 30, 30)}
    with rasterio.open(tmp_path / "bands.tif", "w", **profile) as dst:
        dst.write(data)
    with rasterio.open(tmp_path / "bands.tif") as src:
        cogs.write_cog(src, tmp_path / "cog.tif", categorical=False)
    assert cog_validate(str(tmp_path / "cog.tif"), strict=True, quiet=True)[0]
    with rasterio.open(tmp_path / "cog.tif") as cog:
        assert cog.tags(ns="IMAGE_STRUCTURE")["INTERLEAVE"] == "BAND" and np.array_equal(cog.read(), data)
