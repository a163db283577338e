"""'Use this data' instructions with the dataset's real URLs, for QGIS, geopandas, rioxarray and pystac.

A snippet is a list of parts: plain text, or a URL (an output-root relative path) that the template shows as
the canonical URL (or, without a base URL, as a relative link the page script turns absolute in the browser).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import layout
from generator.model import Asset, Dataset
from generator.writers.html_context import tiles_asset

VECTOR_FILES = ("application/geopackage+sqlite3", "application/vnd.flatgeobuf", "application/flatgeobuf", "application/geo+json")
"""Files GDAL (so geopandas and QGIS) reads over HTTP, most convenient first; GeoParquet after them."""
PARQUET = "application/vnd.apache.parquet"


@dataclass(frozen=True)
class Part:
    text: str
    is_url: bool = False


@dataclass(frozen=True)
class Snippet:
    tool: str
    title: str
    parts: tuple[Part, ...]
    language: str = "python"


def _url(path: str) -> Part:
    return Part(path, True)


def snippets(dataset: Dataset) -> list[Snippet]:
    """Every way to use the dataset that the build published, most direct first."""
    found = [*_tiles_snippets(dataset), *_cog_snippets(dataset), *_vector_snippets(dataset), *_features_snippets(dataset)]
    return [*found, _pystac_snippet(dataset)]


def _tiles_snippets(dataset: Dataset) -> list[Snippet]:
    archive = tiles_asset(dataset)
    if archive is None:
        return []
    if dataset.source and dataset.source.kind == "raster":
        steps = "Layer ▸ Add Layer ▸ Add Raster Layer…, Source type: Protocol: HTTP(S), URI:\n"
    else:
        steps = "Layer ▸ Add Layer ▸ Add Vector Tile Layer… ▸ New ▸ New Generic Connection…, URL:\n"
    tail = "\nQGIS 3.34 or newer reads PMTiles over HTTP Range requests: only the tiles in view are fetched."
    return [Snippet("QGIS", "PMTiles in QGIS", (Part(steps), _url(archive.href), Part(tail)), "text")]


def _is_geotiff(asset: Asset) -> bool:
    return asset.media_type.startswith("image/tiff") and "data" in asset.roles


def _cog_snippets(dataset: Dataset) -> list[Snippet]:
    cog = next((a for a in dataset.assets if _is_geotiff(a)), None)
    if cog is None:
        return []
    qgis = (Part("Layer ▸ Add Layer ▸ Add Raster Layer…, Source type: Protocol: HTTP(S), URI:\n"), _url(cog.href))
    python = (Part('import rioxarray\n\nda = rioxarray.open_rasterio(\n    "'), _url(cog.href), Part('",\n    masked=True,\n)\nprint(da.rio.crs, da.shape)'))
    return [Snippet("QGIS", "GeoTIFF in QGIS", qgis, "text"), Snippet("rioxarray", "Read the GeoTIFF with rioxarray (streams windows over Range requests)", python)]


def _vector_snippets(dataset: Dataset) -> list[Snippet]:
    downloads = [a for a in dataset.assets if a.media_type.split(";")[0] in (*VECTOR_FILES, PARQUET) and "data" in a.roles]
    if not downloads:
        return []
    download = min(downloads, key=lambda a: [*VECTOR_FILES, PARQUET].index(a.media_type.split(";")[0]))
    reader = "gpd.read_parquet" if download.media_type.startswith(PARQUET) else "gpd.read_file"
    code = (Part(f'import geopandas as gpd\n\ngdf = {reader}("'), _url(download.href), Part('")\nprint(gdf.crs, gdf.shape)'))
    qgis = (Part("Layer ▸ Add Layer ▸ Add Vector Layer…, Source type: Protocol: HTTP(S), URI:\n"), _url(download.href))
    return [Snippet("geopandas", f"Read the {download.title} with geopandas", code), Snippet("QGIS", "The download in QGIS", qgis, "text")]


def _features_snippets(dataset: Dataset) -> list[Snippet]:
    if dataset.collection is None or dataset.collection.item_type != "feature":
        return []
    code = (
        Part("import geopandas as gpd\n\n# First page of the pre-paginated OGC API Features items; follow its \"next\" link for more.\ngdf = gpd.read_file(\""),
        _url(layout.features_page(dataset.id, 1)),
        Part('")\nprint(len(gdf))'),
    )
    return [Snippet("geopandas", "OGC API Features items with geopandas", code)]


def _pystac_snippet(dataset: Dataset) -> Snippet:
    code = (
        Part("import pystac\n\ncollection = pystac.Collection.from_file(\n    \""),
        _url(layout.stac_collection(dataset.id)),
        Part('"\n)\nfor key, asset in collection.assets.items():\n    print(key, asset.media_type, asset.get_absolute_href())'),
    )
    return Snippet("pystac", "The STAC Collection with pystac", code)

