"""The vector data stage: read each vector source once, then publish downloads, Features pages and tiles.

    source --(vector_read: batches, CRS84, repaired)--> Arrow table --> downloads.py   (GeoParquet, GPKG, FGB)
                                                                   --> features.py    (items pages, queryables)
                                                                   --> vectortiles.py (tippecanoe -> PMTiles)
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator import layout
from generator.data import downloads, features, vectortiles
from generator.data.vector_read import VectorTable, read_vector
from generator.errors import SourceError
from generator.model import ApiLink, Asset, Catalogue, Dataset, OgcCollection
from generator.output import OutputTree
from generator.writers.common import GEOJSON, JSON

log = logging.getLogger("geosite")

def publish_dataset(catalogue: Catalogue, dataset: Dataset, out: OutputTree) -> None:
    """All outputs of one dataset; tippecanoe tiles in its own process while the downloads and pages are written."""
    _check_options(dataset)
    with _timed(dataset, "read and cleaned"):
        data = read_vector(dataset)
    data.defects.report(dataset.id)
    _describe(dataset, data)
    with tempfile.TemporaryDirectory(prefix=f"geosite-{dataset.id}-") as workdir:
        job = vectortiles.start(dataset, data, Path(workdir))
        try:
            with _timed(dataset, "downloads written"):
                assets = downloads.publish(dataset, data, out)
            with _timed(dataset, "Features pages written"):
                links = features.publish(catalogue, dataset, data, out)
        except BaseException:
            if job is not None:
                job.stop()
            raise
        _add_to_model(dataset, assets, links)
        if job is not None:
            with _timed(dataset, "vector tiles done after waiting for tippecanoe"):
                vectortiles.finish(catalogue, dataset, job, out)


def _add_to_model(dataset: Dataset, assets: list[Asset], links: list[ApiLink]) -> None:
    """The downloads as assets; the features collection (with its downloads) and links to it from the record."""
    dataset.assets.extend(assets)
    downloads_links = [ApiLink("enclosure", a.href, a.media_type, f"Download: {a.title}") for a in assets]
    dataset.collection = OgcCollection(item_type="feature", links=[*links, *downloads_links])
    dataset.api_links.append(ApiLink("items", layout.features_page(dataset.id, 1), GEOJSON, "The features (OGC API Features, pre-paginated GeoJSON)"))
    dataset.api_links.append(ApiLink("service", layout.collection_json(dataset.id), JSON, "The features collection (OGC API Features)"))


@contextmanager
def _timed(dataset: Dataset, what: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    log.info("%s: %s in %.1fs", dataset.id, what, time.perf_counter() - started)


def _check_options(dataset: Dataset) -> None:
    options = dataset.source_options
    if options.get("wkt") and options.get("lon"):
        raise SourceError(f"{dataset.id}: source has both wkt and lon/lat; name either the WKT column or the longitude/latitude columns")


def _describe(dataset: Dataset, data: VectorTable) -> None:
    """The extent measured from the cleaned features (antimeridian aware), unless the YAML declared one."""
    extent = data.extent()
    if dataset.declared_bbox is None and extent is not None:
        dataset.bbox = extent
    log.info("%s: %d features (%s)", dataset.id, len(data.table), ", ".join(data.geometry_types) or "no geometry")
