"""Small synthetic rasters covering the kinds geosite must publish: made by the tests, so nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.transform import from_origin

CUSTOM_LCC = "+proj=lcc +lat_1=31 +lat_2=47 +lat_0=39 +lon_0=-96.5 +x_0=1000 +y_0=2000 +ellps=WGS84 +units=m +no_defs"
GEOSTATIONARY = "+proj=geos +h=35785831 +lon_0=-75 +sweep=x +ellps=GRS80 +units=m +no_defs"
CATEGORIES = ["water", "forest", "grassland", "urban"]


def _gradient(height: int, width: int, low: float, high: float, seed: int) -> np.ndarray:
    rows, cols = np.mgrid[0:height, 0:width]
    noise = np.random.default_rng(seed).normal(0, abs(high - low) * 0.02, (height, width))
    return low + (high - low) * (rows + cols) / (height + width) + noise


def _left_quarter(height: int, width: int) -> np.ndarray:
    invalid = np.zeros((height, width), dtype=bool)
    invalid[:, : width // 4] = True
    return invalid


def dem_int16(path: Path) -> None:
    """Elevations in UTM 33N with -32768 nodata; large enough for two overview levels."""
    height, width = 500, 600
    data = _gradient(height, width, 100, 2500, 1).astype("int16")
    data[_left_quarter(height, width)] = -32768
    _write(path, data[None], "EPSG:32633", from_origin(500000, 5200000, 30, 30), nodata=-32768, units=("metre",))


def float_nan(path: Path) -> None:
    height, width = 200, 300
    data = _gradient(height, width, -5.5, 30.25, 2).astype("float32")
    data[_left_quarter(height, width)] = np.nan
    _write(path, data[None], "EPSG:4326", from_origin(10.0, 48.0, 0.01, 0.01), nodata=np.nan)


def float_min_custom_crs(path: Path) -> None:
    """float32 with the type's minimum as nodata, in a Lambert conformal conic that has no EPSG code."""
    height, width = 200, 240
    nodata = float(np.finfo("float32").min)
    data = _gradient(height, width, 0.0, 1.0, 3).astype("float32")
    data[_left_quarter(height, width)] = nodata
    _write(path, data[None], CRS.from_proj4(CUSTOM_LCC).to_wkt(), from_origin(-200000, 300000, 1000, 1000), nodata=nodata)


def paletted(path: Path) -> None:
    """Land-cover classes with a palette and category names (GDAL keeps those in the .aux.xml sidecar)."""
    height, width = 240, 260
    data = (np.arange(width)[None, :] // 65 + np.zeros((height, 1), dtype=int)).astype("uint8")
    data[_left_quarter(height, width)] = 255
    colormap = {0: (0, 90, 200, 255), 1: (20, 120, 40, 255), 2: (180, 210, 90, 255), 3: (200, 30, 30, 255), 255: (0, 0, 0, 0)}
    _write(path, data[None], "EPSG:3035", from_origin(4300000, 3000000, 100, 100), nodata=255, colormap=colormap)
    items = "".join(f"<Category>{name}</Category>" for name in CATEGORIES)
    Path(f"{path}.aux.xml").write_text(f'<PAMDataset><PAMRasterBand band="1"><CategoryNames>{items}</CategoryNames></PAMRasterBand></PAMDataset>')


def rgb_no_nodata(path: Path) -> None:
    height, width = 256, 256
    bands = np.stack([_gradient(height, width, lo, hi, seed) for lo, hi, seed in ((0, 255, 4), (50, 200, 5), (255, 0, 6))])
    _write(path, np.clip(bands, 0, 255).astype("uint8"), "EPSG:3857", from_origin(1000000, 6000000, 10, 10), photometric="RGB")


def naip_like(path: Path) -> None:
    """Four 8-bit bands (red, green, blue, near infrared) with 0 as nodata, like NAIP."""
    height, width = 260, 300
    bands = np.stack([_gradient(height, width, 20, 240, seed) for seed in (7, 8, 9, 10)])
    bands = np.clip(bands, 1, 255).astype("uint8")
    bands[:, _left_quarter(height, width)] = 0
    _write(path, bands, "EPSG:26914", from_origin(486000, 5209000, 1, 1), nodata=0, photometric="MINISBLACK")  # as NAIP: no alpha


def rgb_masked(path: Path) -> None:
    """RGB with an internal per-dataset mask band instead of a nodata value."""
    height, width = 200, 200
    bands = np.clip(np.stack([_gradient(height, width, 10, 250, s) for s in (11, 12, 13)]), 0, 255).astype("uint8")
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True):
        with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=3, dtype="uint8", crs="EPSG:32632", transform=from_origin(400000, 5000000, 20, 20), photometric="RGB") as dst:
            dst.write(bands)
            dst.write_mask(np.where(_left_quarter(height, width), 0, 255).astype("uint8"))


def rgba(path: Path) -> None:
    """RGB with an alpha band marking the left quarter transparent."""
    height, width = 180, 220
    bands = np.clip(np.stack([_gradient(height, width, 0, 255, s) for s in (14, 15, 16)]), 0, 255).astype("uint8")
    alpha = np.where(_left_quarter(height, width), 0, 255).astype("uint8")
    _write(path, np.concatenate([bands, alpha[None]]), "EPSG:2193", from_origin(1750000, 5920000, 25, 25), photometric="RGB", alpha=True)


def geostationary(path: Path) -> None:
    data = np.ones((1, 50, 50), dtype="uint8")
    _write(path, data, CRS.from_proj4(GEOSTATIONARY).to_wkt(), from_origin(-100000, 100000, 2000, 2000))


def _write(path: Path, data: np.ndarray, crs: str, transform, nodata=None, colormap=None, units=None, photometric=None, alpha=False) -> None:
    profile = {"driver": "GTiff", "width": data.shape[2], "height": data.shape[1], "count": data.shape[0], "dtype": data.dtype.name, "crs": crs, "transform": transform, "nodata": nodata}
    if photometric:
        profile["photometric"] = photometric
    if alpha:
        profile["alpha"] = "YES"  # the last band is (unassociated) alpha
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
        if colormap:
            dst.write_colormap(1, colormap)
        if units:
            dst.units = units


SAMPLES = {
    "dem": dem_int16,
    "float-nan": float_nan,
    "float-min-custom-crs": float_min_custom_crs,
    "landcover": paletted,
    "rgb": rgb_no_nodata,
    "naip": naip_like,
    "rgb-masked": rgb_masked,
    "rgba": rgba,
}
"""Dataset id -> writer of its source file (`<id>.tif`)."""
