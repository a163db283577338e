"""Raster sources beyond GeoTIFF: a NetCDF variable with 0-360° longitudes, a zipped SRTM tile."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import rasterio
import rasterio.shutil
from PIL import Image
from pmtiles.reader import MmapSource, Reader
from rasterio.transform import from_origin
from rio_cogeo.cogeo import cog_validate

from generator import layout
from generator.build import build
from tests.conftest import write_source


def _geotiff(path, data, transform, nodata):
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype=data.dtype.name, crs="EPSG:4326", transform=transform, nodata=nodata) as dst:
        dst.write(data, 1)


def test_netcdf_variable_with_0_to_360_longitudes_covers_the_world(tmp_path):
    data = np.fromfunction(lambda row, col: np.cos(np.radians(col - 90)) * 10 + row / 10, (90, 180)).astype("float32")
    _geotiff(tmp_path / "grid.tif", data, from_origin(0, 90, 2, 2), -9999.0)
    src = write_source(tmp_path, {"sst": "title: Global grid\nsource:\n  path: grid.nc\n  variable: Band1\n"})
    rasterio.shutil.copy(tmp_path / "grid.tif", src / "datasets" / "sst" / "grid.nc", driver="netCDF")
    result = build(src, tmp_path / "out", check=False)
    assert result.catalogue.dataset("sst").bbox == (-180.0, -90.0, 180.0, 90.0)
    out = tmp_path / "out"
    assert cog_validate(str(out / layout.dataset_file("sst", "sst.tif")), strict=True, quiet=True)[0]
    with open(out / layout.pmtiles_archive("sst"), "rb") as handle:
        tile = Image.open(io.BytesIO(Reader(MmapSource(handle)).get(0, 0, 0))).convert("RGBA")
    assert tile.getpixel((32, 128))[3] == 255 and tile.getpixel((224, 128))[3] == 255  # both sides of Greenwich


def test_zipped_srtm_tile(tmp_path):
    size = 1201
    data = np.fromfunction(lambda row, col: 500 + row + col, (size, size)).astype("int16")
    _geotiff(tmp_path / "dem.tif", data, from_origin(6 - 0.5 / 1200, 46 + 0.5 / 1200, 1 / 1200, 1 / 1200), -32768)
    rasterio.shutil.copy(tmp_path / "dem.tif", tmp_path / "N45E006.hgt", driver="SRTMHGT")
    src = write_source(tmp_path, {"srtm": "title: SRTM tile\nsource: N45E006.hgt.zip\ntiles:\n  maxzoom: 9\n"})
    with zipfile.ZipFile(src / "datasets" / "srtm" / "N45E006.hgt.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(tmp_path / "N45E006.hgt", "N45E006.hgt")
    build(src, tmp_path / "out", check=False)
    cog = tmp_path / "out" / layout.dataset_file("srtm", "srtm.tif")
    assert cog_validate(str(cog), strict=True, quiet=True)[0]
    with rasterio.open(cog) as dataset:
        assert dataset.crs.to_epsg() == 4326 and dataset.nodata == -32768
        np.testing.assert_array_equal(dataset.read(1), data)
