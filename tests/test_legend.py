"""Raster colour legends: decided where the style is, carried in the model and the PMTiles metadata, shown on the page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from pmtiles.reader import MmapSource, Reader
from rasterio.transform import from_origin

from generator import layout
from generator.build import build
from generator.data.rendering import RAMPS, legend, plan_style, ramp_lut
from tests.conftest import write_source
from tests.raster_samples import CATEGORIES, dem_int16, paletted, rgb_no_nodata


def legend_of(path: Path, options: dict, categorical: bool = False, names: list[str] = (), units: tuple = ()):
    with rasterio.open(path) as src:
        return legend(plan_style([src], options, categorical), src, options, list(names), units)


def classes(path: Path) -> None:
    """Three class codes (1, 2, 3) without a palette or names, 0 as nodata."""
    data = np.repeat(np.arange(60)[None, :] // 20 + 1, 40, axis=0).astype("uint8")
    data[:5] = 0
    with rasterio.open(path, "w", driver="GTiff", width=60, height=40, count=1, dtype="uint8", crs="EPSG:4326",
                       transform=from_origin(0, 10, 0.1, 0.1), nodata=0) as dst:
        dst.write(data[None])


def test_a_ramp_legend_has_the_ramp_colours_and_the_range(tmp_path):
    dem_int16(tmp_path / "dem.tif")
    found = legend_of(tmp_path / "dem.tif", {"ramp": "viridis", "range": [100, 2500]}, units=("metre",))
    assert found.colors == RAMPS["viridis"] and (found.minimum, found.maximum) == (100, 2500) and not found.categories
    assert found.title == "Band 1 (metre)"


def test_the_default_grey_ramp_spans_the_percentile_range(tmp_path):
    dem_int16(tmp_path / "dem.tif")
    found = legend_of(tmp_path / "dem.tif", {})
    assert found.colors == ("#000000", "#ffffff") and 100 <= found.minimum < found.maximum <= 2600


def test_a_palette_legend_lists_named_classes_in_their_colours(tmp_path):
    paletted(tmp_path / "landcover.tif")
    found = legend_of(tmp_path / "landcover.tif", {}, categorical=True, names=CATEGORIES)
    assert [(c.value, c.label, c.color) for c in found.categories] == [
        (0, "water", "#005ac8"), (1, "forest", "#147828"), (2, "grassland", "#b4d25a"), (3, "urban", "#c81e1e")]


def test_class_codes_without_names_are_listed_with_the_ramp_colour_that_draws_them(tmp_path):
    classes(tmp_path / "classes.tif")
    found = legend_of(tmp_path / "classes.tif", {"ramp": "viridis", "range": [1, 3]}, categorical=True)
    lut = ramp_lut("viridis")
    expected = ["#%02x%02x%02x" % tuple(lut[i][:3]) for i in (0, 128, 255)]
    assert [c.label for c in found.categories] == ["1", "2", "3"] and [c.color for c in found.categories] == expected


def test_rgb_imagery_has_no_legend(tmp_path):
    rgb_no_nodata(tmp_path / "rgb.tif")
    assert legend_of(tmp_path / "rgb.tif", {}) is None


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("legend")
    yaml = "title: Elevation\nlicense: CC0-1.0\nsource: dem.tif\nraster: {ramp: terrain, range: [0, 3000]}\ntiles: {minzoom: 8, maxzoom: 8}\n"
    src = write_source(folder / "src", {"dem": yaml, "landcover": "title: Land cover\nlicense: CC0-1.0\nsource: landcover.tif\ntiles: {minzoom: 8, maxzoom: 8}\n"})
    dem_int16(src / "datasets" / "dem" / "dem.tif")
    paletted(src / "datasets" / "landcover" / "landcover.tif")
    build(src, folder / "out", cache=False)
    return folder / "out"


def test_the_pmtiles_metadata_carries_the_legend(site):
    with open(site / layout.pmtiles_archive("dem"), "rb") as handle:
        metadata = Reader(MmapSource(handle)).metadata()
    assert metadata["legend"] == {"title": "Band 1 (metre)", "colors": list(RAMPS["terrain"]), "min": 0, "max": 3000}
    with open(site / layout.pmtiles_archive("landcover"), "rb") as handle:
        items = Reader(MmapSource(handle)).metadata()["legend"]["items"]
    assert [i["label"] for i in items] == CATEGORIES


def test_the_record_page_shows_the_legend_without_script(site):
    page = (site / layout.record_html("dem")).read_text()
    figure = page[page.index('<figure class="raster-legend">'):]
    figure = figure[: figure.index("</figure>")]
    assert "Legend: Band 1 (metre)" in figure and "<span>0</span>" in figure and "<span>3000</span>" in figure
    assert "linear-gradient(to right, " + ", ".join(RAMPS["terrain"]) + ")" in figure and 'role="img"' in figure
    classes_page = (site / layout.record_html("landcover")).read_text()
    for name in CATEGORIES:
        assert f'aria-hidden="true"></span>{name} <small>' in classes_page


def test_the_collection_page_shows_it_too(site):
    assert "Legend: Band 1 (metre)" in (site / layout.collection_html("dem")).read_text()

