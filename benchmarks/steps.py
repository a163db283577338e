"""`python -m benchmarks.steps STEP SOURCE OUT`: run one geosite data step on a one-dataset source folder.

Each step calls the functions `geosite build` runs for that output (generator/data/vector.py and raster.py),
from reading the source to the finished files in OUT, so what is timed is the real code path and nothing else:
no other outputs of the dataset, no writers, no checks. Each step imports only its own modules, as a build worker
does (a vector step does not pay for loading rasterio).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from generator.model import Catalogue, Dataset
from generator.output import OutputTree
from generator.source.loader import load_catalogue


def vector_tiles(catalogue: Catalogue, dataset: Dataset, out: OutputTree) -> None:
    """Read and clean the source, write tippecanoe's input, tile, describe the archive (as vector.publish_dataset)."""
    from generator.data import vectortiles
    from generator.data.vector_read import read_vector

    data = read_vector(dataset)
    with tempfile.TemporaryDirectory(prefix="geosite-bench-") as workdir:
        job = vectortiles.start(dataset, data, Path(workdir))
        vectortiles.finish(catalogue, dataset, job, out)


def features_pages(catalogue: Catalogue, dataset: Dataset, out: OutputTree) -> None:
    """Read and clean the source, then write every items page and the queryables."""
    from generator.data import features
    from generator.data.vector_read import read_vector

    features.publish(catalogue, dataset, read_vector(dataset), out)


def cog(catalogue: Catalogue, dataset: Dataset, out: OutputTree) -> None:
    """The source raster as a validated COG, as raster.publish_file writes it."""
    from generator import layout
    from generator.data import raster

    name = raster.gdal_name(dataset.source.path, dataset.source_options)
    raster._write_cog(dataset, out, name, layout.dataset_file(dataset.id, f"{dataset.id}.tif"))


def raster_tiles(catalogue: Catalogue, dataset: Dataset, out: OutputTree) -> None:
    """The web-map tiles of a dataset whose source is already a COG, as raster.publish_file makes them from its COG."""
    import rasterio

    from generator.data import raster, rastertiles
    from generator.data.rendering import plan_style

    source = dataset.source.path
    with rasterio.open(source) as src:
        categorical = dataset.options.get("raster", {}).get("categorical", raster.cogs.is_categorical(src))
        style = plan_style([src], dataset.options.get("raster", {}), categorical)
    raster._publish_tiles(catalogue, dataset, out, [rastertiles.layer(source, dataset.source.bbox)], style)


STEPS: dict[str, Callable[[Catalogue, Dataset, OutputTree], None]] = {
    "vector-tiles": vector_tiles, "features": features_pages, "cog": cog, "raster-tiles": raster_tiles}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in STEPS:
        print(f"usage: python -m benchmarks.steps {{{'|'.join(STEPS)}}} SOURCE_FOLDER OUT_FOLDER", file=sys.stderr)
        return 2
    step, source, output = argv[0], Path(argv[1]), Path(argv[2])
    catalogue = load_catalogue(source)
    (dataset,) = catalogue.datasets
    STEPS[step](catalogue, dataset, OutputTree(output))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
