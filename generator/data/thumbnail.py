"""A PNG quicklook of a raster (the STAC thumbnail and the picture on the dataset's page).

Read from the COG's overviews in its own CRS (a quicklook, not a map), styled like the web-map tiles, nodata
transparent. PNG rather than WebP because PNG is what every STAC browser shows; quantised to 256 colours
(alpha kept exactly) it is about a fifth of the size of a full-colour PNG, and a quicklook needs no more.
"""

from __future__ import annotations

import io
from pathlib import Path

import rasterio
from PIL import Image
from rasterio.enums import Resampling

from generator.data.rendering import Style, to_rgba

THUMBNAIL_SIZE = 512
"""Longest side in pixels."""


def thumbnail_png(cog: Path, style: Style) -> bytes:
    with rasterio.open(cog) as src:
        scale = max(1.0, max(src.width, src.height) / THUMBNAIL_SIZE)
        shape = (max(1, round(src.height / scale)), max(1, round(src.width / scale)))
        resampling = Resampling.nearest if style.categorical else Resampling.average
        data = src.read(style.bands, out_shape=(len(style.bands), *shape), resampling=resampling)
        valid = src.dataset_mask(out_shape=shape) > 0
    buffer = io.BytesIO()
    image = Image.fromarray(to_rgba(data, valid, style), "RGBA").quantize(256, method=Image.Quantize.FASTOCTREE)
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
