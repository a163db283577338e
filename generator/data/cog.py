"""Cloud-Optimized GeoTIFFs with rio-cogeo: lossless, tiled, internal overviews down to ~256 px, checked strictly.

Compression is DEFLATE for every data type: it is lossless (the COG must round-trip the source pixels) and every
GeoTIFF reader decodes it (GDAL, QGIS, geotiff.js in browsers), unlike ZSTD or LERC. The predictor follows the
data type: horizontal differencing (2) for integers, floating-point (3) for floats, none for palette/categorical
rasters, where neighbouring codes are labels rather than magnitudes and differencing only adds entropy.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
from rasterio.enums import ColorInterp
from rio_cogeo.cogeo import cog_translate, cog_validate
from rio_cogeo.profiles import cog_profiles

from generator.errors import BuildError

COG_MEDIA_TYPE = "image/tiff; application=geotiff; profile=cloud-optimized"
BLOCK_SIZE = 512
SMALLEST_OVERVIEW = 256
IN_MEMORY_LIMIT = 256 * 2**20
"""Rasters larger than this (uncompressed) are staged in a temporary file beside the output, not in memory."""
GDAL_CONFIG = {"GDAL_NUM_THREADS": "ALL_CPUS", "GDAL_TIFF_INTERNAL_MASK": True, "GDAL_TIFF_OVR_BLOCKSIZE": str(BLOCK_SIZE)}


def write_cog(source, dst: Path, categorical: bool) -> None:
    """Write `source` (an open dataset or WarpedVRT) to `dst` as a COG; windowed, so memory stays bounded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cog_translate(
            source,
            dst,
            cog_profile(source.dtypes[0], categorical, source.count),
            overview_level=overview_level(source.width, source.height),
            overview_resampling="nearest" if categorical else "average",
            forward_band_tags=True,
            in_memory=_bytes(source) < IN_MEMORY_LIMIT,
            quiet=True,
            config=GDAL_CONFIG,
        )
    check_cog(dst)


def _bytes(source) -> int:
    return source.width * source.height * source.count * np.dtype(source.dtypes[0]).itemsize


def cog_profile(dtype: str, categorical: bool, bands: int) -> dict:
    """Pixel interleaving for imagery (a read wants every band); band interleaving beyond four bands (a NetCDF
    time series, hyperspectral), so reading one band over HTTP does not fetch all of them."""
    profile = dict(cog_profiles.get("deflate"))
    profile.update(blockxsize=BLOCK_SIZE, blockysize=BLOCK_SIZE, BIGTIFF="IF_SAFER", zlevel=6, interleave="pixel" if bands <= 4 else "band")
    if categorical:
        profile["predictor"] = 1
    else:
        profile["predictor"] = 3 if np.issubdtype(np.dtype(dtype), np.floating) else 2
    return profile


def overview_level(width: int, height: int) -> int:
    """How many halvings bring the larger side down to SMALLEST_OVERVIEW pixels or fewer."""
    return max(0, math.ceil(math.log2(max(width, height) / SMALLEST_OVERVIEW)))


def check_cog(path: Path) -> None:
    is_valid, errors, warns = cog_validate(str(path), strict=True, quiet=True)
    if not is_valid:
        raise BuildError(f"{path.name}: the COG written is not valid: {'; '.join(errors + warns)}")


def is_categorical(src) -> bool:
    """Palette rasters and rasters with category names hold class codes: never average them."""
    return src.count == 1 and (src.colorinterp[0] == ColorInterp.palette or bool(category_names(src.name, 1)))


def category_names(path: str, band: int) -> list[str]:
    """Category names GDAL keeps for GeoTIFFs in the PAM sidecar (`<file>.aux.xml`); rasterio does not expose them."""
    element = _pam_band(Path(f"{path}.aux.xml"), band)
    if element is None:
        return []
    return [(c.text or "") for c in element.findall("./CategoryNames/Category")]


def category_sidecar(src_path: str, bands: int) -> bytes | None:
    """The source's category names as GDAL's own sidecar (`<cog>.aux.xml`), so GDAL and QGIS show them for the COG."""
    root = ElementTree.Element("PAMDataset")
    for band in range(1, bands + 1):
        names = category_names(src_path, band)
        if names:
            categories = ElementTree.SubElement(ElementTree.SubElement(root, "PAMRasterBand", band=str(band)), "CategoryNames")
            for name in names:
                ElementTree.SubElement(categories, "Category").text = name
    return ElementTree.tostring(root, encoding="unicode").encode("utf-8") if len(root) else None


def _pam_band(sidecar: Path, band: int):
    if not sidecar.is_file():
        return None
    try:
        root = ElementTree.parse(sidecar).getroot()
    except ElementTree.ParseError:
        return None
    return root.find(f"./PAMRasterBand[@band='{band}']")

