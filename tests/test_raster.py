"""Raster datasets: COG, web-map tiles, thumbnail, STAC and coverage metadata, on synthetic rasters of every kind."""

from __future__ import annotations

import functools
import http.server
import io
import json
import math
import re
import threading
from pathlib import Path

import mercantile
import numpy as np
import pytest
import rasterio
from PIL import Image
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import TileType
from pyproj import CRS
from rasterio.windows import Window
from rio_cogeo.cogeo import cog_validate

from generator import layout
from generator.build import build
from generator.check.schemas import validate_document
from generator.errors import GeositeError
from tests.conftest import write_source
from tests.raster_samples import CATEGORIES, SAMPLES, geostationary

DATASET_YAML = """\
title: {id} sample
description: A synthetic {id} raster.
license: CC0-1.0
source: {id}.tif
"""


@pytest.fixture(scope="module")
def raster_site(tmp_path_factory) -> tuple[Path, Path]:
    """One build of a catalogue holding every kind of sample raster: (source folder, output folder)."""
    root = tmp_path_factory.mktemp("raster")
    src = write_source(root, {name: DATASET_YAML.format(id=name) for name in SAMPLES})
    for name, make in SAMPLES.items():
        make(src / "datasets" / name / f"{name}.tif")
    out = root / "out"
    build(src, out, check=False)
    return src, out


def _paths(site: tuple[Path, Path], name: str) -> tuple[Path, Path]:
    src, out = site
    return src / "datasets" / name / f"{name}.tif", out / layout.dataset_file(name, f"{name}.tif")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_cog_is_strictly_valid_and_round_trips(raster_site, name):
    source_path, cog_path = _paths(raster_site, name)
    is_valid, errors, warnings = cog_validate(str(cog_path), strict=True, quiet=True)
    assert is_valid, (errors, warnings)
    with rasterio.open(source_path) as source, rasterio.open(cog_path) as cog:
        assert CRS.from_wkt(cog.crs.to_wkt()).equals(CRS.from_wkt(source.crs.to_wkt()))
        assert cog.transform == source.transform and cog.dtypes == source.dtypes
        valid = source.dataset_mask() > 0
        np.testing.assert_array_equal(cog.read()[:, valid], source.read()[:, valid])  # pixels under a mask band may be zeroed
        assert cog.nodata == source.nodata or (math.isnan(cog.nodata) and math.isnan(source.nodata))
        np.testing.assert_array_equal(cog.dataset_mask(), source.dataset_mask())
        if source.colorinterp[0].name == "palette":
            assert cog.colormap(1) == source.colormap(1)


def test_cog_has_overviews_down_to_about_256_pixels_and_reads_windows(raster_site):
    _, cog_path = _paths(raster_site, "dem")
    with rasterio.open(cog_path) as cog:
        assert cog.profile["tiled"] and cog.profile["compress"] == "deflate"
        assert cog.overviews(1) and max(cog.width, cog.height) / cog.overviews(1)[-1] <= 256
        window = cog.read(1, window=Window(300, 200, 64, 32))
    assert window.shape == (32, 64) and (window != -32768).all()


def test_category_names_travel_with_the_cog(raster_site):
    _, out = raster_site
    sidecar = out / layout.dataset_file("landcover", "landcover.tif.aux.xml")
    assert all(f"<Category>{name}</Category>" in sidecar.read_text() for name in CATEGORIES)
    coverage = json.loads((out / layout.collection_json("landcover")).read_text())
    [field] = coverage["rangeType"]["field"]
    assert field["type"] == "Category" and [c["label"] for c in field["categories"]] == CATEGORIES


def _tile_pixel(lon: float, lat: float, zoom: int) -> tuple[mercantile.Tile, int, int]:
    """The tile at `zoom` holding the point, and the point's pixel column/row in it."""
    tile = mercantile.tile(lon, lat, zoom)
    west, south, east, north = mercantile.xy_bounds(tile)
    x, y = mercantile.xy(lon, lat)
    return tile, int((x - west) / (east - west) * 256), int((north - y) / (north - south) * 256)


def _lonlat(cog_path: Path, col: float, row: float) -> tuple[float, float]:
    from pyproj import Transformer

    with rasterio.open(cog_path) as cog:
        x, y = cog.transform @ (col, row)
        return Transformer.from_crs(cog.crs.to_wkt(), "OGC:CRS84", always_xy=True).transform(x, y)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_pmtiles_archive_is_valid_and_nodata_is_transparent(raster_site, name):
    _, out = raster_site
    _, cog_path = _paths(raster_site, name)
    with open(out / layout.pmtiles_archive(name), "rb") as handle:
        reader = Reader(MmapSource(handle))
        header = reader.header()
        assert header["tile_type"] == TileType.WEBP and header["min_zoom"] <= header["max_zoom"]
        assert reader.metadata()["name"] == f"{name} sample"
        with rasterio.open(cog_path) as cog:
            width, height = cog.width, cog.height
        checks = {"valid": (width * 0.7, height / 2), "nodata": (width * 0.2, height / 2)}
        for what, (col, row) in checks.items():
            if what == "nodata" and name == "rgb":
                continue  # this sample has no nodata
            tile, px, py = _tile_pixel(*_lonlat(cog_path, col, row), header["max_zoom"])
            data = reader.get(tile.z, tile.x, tile.y)
            assert data or what == "nodata", "only fully transparent tiles may be left out"
            alpha = Image.open(io.BytesIO(data)).convert("RGBA").getpixel((px, py))[3] if data else 0
            assert alpha == (255 if what == "valid" else 0), (what, tile)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_stac_and_coverage_documents_validate(raster_site, name):
    _, out = raster_site
    stac = json.loads((out / layout.stac_collection(name)).read_text())
    assert validate_document(stac) == []
    assert any("projection/v2.0.0" in e for e in stac["stac_extensions"]) and any("raster/v1.1.0" in e for e in stac["stac_extensions"])
    cog = stac["assets"]["cog"]
    assert cog["type"] == "image/tiff; application=geotiff; profile=cloud-optimized" and cog["file:size"] > 0
    assert cog["proj:code"] or cog["proj:wkt2"]
    assert len(cog["raster:bands"]) >= 1 and "statistics" in cog["raster:bands"][0]
    thumbnail = out / layout.dataset_file(name, "thumbnail.png")
    assert stac["assets"]["thumbnail"]["type"] == "image/png" and Image.open(thumbnail).format == "PNG"
    coverage = json.loads((out / layout.collection_json(name)).read_text())
    assert validate_document(coverage) == []
    [link] = [l for l in coverage["links"] if l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/coverage"]
    assert (out / layout.collection_json(name)).parent.joinpath(link["href"]).resolve() == (out / layout.dataset_file(name, f"{name}.tif")).resolve()
    assert len(coverage["rangeType"]["field"]) == len(cog["raster:bands"]) and coverage["extent"]["spatial"]["grid"]


def test_custom_crs_without_code_is_described_in_wkt2(raster_site):
    _, out = raster_site
    cog = json.loads((out / layout.stac_collection("float-min-custom-crs")).read_text())["assets"]["cog"]
    assert cog["proj:code"] is None and CRS.from_wkt(cog["proj:wkt2"]).coordinate_operation.method_name.startswith("Lambert Conic Conformal")
    assert cog["raster:bands"][0]["nodata"] == float(np.finfo("float32").min)


def test_geostationary_rasters_are_refused_in_one_line(tmp_path):
    src = write_source(tmp_path, {"disk": DATASET_YAML.format(id="disk")})
    geostationary(src / "datasets" / "disk" / "disk.tif")
    with pytest.raises(GeositeError) as error:
        build(src, tmp_path / "out", check=False)
    message = str(error.value)
    assert "\n" not in message and "disk" in message and "Geostationary" in message


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single byte ranges, as any static host serves them (http.server alone has no Range)."""

    def send_head(self):
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start, end = int(match[1]), min(int(match[2] or size - 1), size - 1)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        handle = open(path, "rb")
        handle.seek(start)
        return io.BytesIO(handle.read(end - start + 1))

    def log_message(self, *args):
        pass


def test_cog_reads_a_window_over_http_range_requests(raster_site):
    _, out = raster_site
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_RangeHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{layout.dataset_file('dem', 'dem.tif')}"
        with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR"), rasterio.open(url) as remote, rasterio.open(_paths(raster_site, "dem")[1]) as local:
            window = Window(400, 300, 100, 80)
            np.testing.assert_array_equal(remote.read(1, window=window), local.read(1, window=window))
            assert remote.overviews(1) == local.overviews(1)
    finally:
        server.shutdown()
