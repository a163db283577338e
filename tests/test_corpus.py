"""Real public data files (tests/corpus/, see its README.md), each built as a one-dataset catalogue.

manifest.json says what each file should do for a user: "builds" (every source feature is published or reported
as dropped in the build log; a raster gets its COG) or "fails" (a GeositeError whose every problem is one line
naming the file or its dataset.yaml and saying what to change). `expect` is what should happen, not what
happens today: a failure here is a geosite bug or a wrong manifest entry.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pyogrio
import pytest
import yaml

from generator import layout
from generator.build import build
from generator.check import check_build
from generator.errors import GeositeError
from tests.conftest import CATALOGUE_YAML

pytestmark = pytest.mark.corpus

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST: list[dict] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
BUILDS = [e for e in MANIFEST if e["expect"] == "builds"]


class _Log(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def add_dataset(src: Path, entry: dict) -> Path:
    """datasets/<id>/ with the file, its sidecars and a dataset.yaml whose `source` names the file (with the
    entry's source options). Returns the dataset folder."""
    folder = src / "datasets" / entry["id"]
    folder.mkdir(parents=True)
    for item in [entry, *entry.get("sidecars", [])]:
        shutil.copyfile(CORPUS / item["file"], folder / Path(item["file"]).name)
    name = Path(entry["file"]).name
    options = entry.get("source_options")
    document = {"title": f"{entry['id']} ({entry['driver']})", "description": entry["note"],
                "source": {"path": name, **options} if options else name}
    (folder / "dataset.yaml").write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def write_source(root: Path, entries: list[dict]) -> Path:
    src = root / "src"
    (src / "datasets").mkdir(parents=True)
    (src / "catalogue.yaml").write_text(CATALOGUE_YAML, encoding="utf-8")
    for entry in entries:
        add_dataset(src, entry)
    return src


def source_files(src: Path) -> dict[str, bytes]:
    return {p.relative_to(src).as_posix(): p.read_bytes() for p in sorted(src.rglob("*")) if p.is_file()}


def build_logged(src: Path, out: Path, jobs: int) -> list[str]:
    """Build; returns the build log. The handler sits on the root logger: a dataset's records reach it once,
    when the build re-emits them from the dataset's worker (a handler on "geosite" would also see them while
    an in-process worker logs them, i.e. twice)."""
    handler, root, logger = _Log(), logging.getLogger(), logging.getLogger("geosite")
    previous = logger.level
    root.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        build(src, out, jobs=jobs, cache=False)
    finally:
        root.removeHandler(handler)
        logger.setLevel(previous)
    return handler.messages


def source_feature_count(src: Path, entry: dict) -> int:
    """Counted on the copy in the source folder: GDAL writes a .gfs beside a GML file it reads."""
    path = src / "datasets" / entry["id"] / Path(entry["file"]).name
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    options = entry.get("source_options", {})
    # Overpass output has node ids out of order; GDAL's OSM driver reads it only without its custom index.
    pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": "NO"})
    try:
        return int(pyogrio.read_info(path, layer=options.get("layer"), force_feature_count=True)["features"])
    finally:
        pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": None})


def dropped(messages: list[str], dataset_id: str) -> int:
    pattern = re.compile(rf"^{re.escape(dataset_id)}: (\d+) features dropped")
    return sum(int(m.group(1)) for m in map(pattern.match, messages) if m)


def published_rows(out: Path, dataset_id: str) -> int:
    return pq.ParquetFile(out / layout.dataset_file(dataset_id, f"{dataset_id}.parquet")).metadata.num_rows


def assert_published(src: Path, out: Path, entry: dict, messages: list[str]) -> None:
    dataset_id = entry["id"]
    if entry["kind"] == "raster":
        assert (out / layout.dataset_file(dataset_id, f"{dataset_id}.tif")).is_file()
        return
    rows, lost, count = published_rows(out, dataset_id), dropped(messages, dataset_id), source_feature_count(src, entry)
    assert rows + lost == count, f"{rows} published + {lost} dropped (build log) != {count} in the source"


def test_the_manifest_describes_every_file():
    listed = {item["file"] for entry in MANIFEST for item in [entry, *entry.get("sidecars", [])]}
    present = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file() and p.parent != CORPUS}
    assert listed == present
    assert len({e["id"] for e in MANIFEST}) == len(MANIFEST)
    assert len({e["file"] for e in MANIFEST}) >= 40 and len({e["driver"] for e in MANIFEST}) >= 12
    assert all(e["expect"] in ("builds", "fails") and e["kind"] in ("vector", "raster") and e["licence"] for e in MANIFEST)


KNOWN_BUGS = {
    "sf-overpass-osm": "OSM driver stops at 'Non increasing node id' (needs OSM_USE_CUSTOM_INDEXING=NO) and the short read is not noticed",
    "osmtogeojson-map-osm": "same OSM short read",
    "pyogrio-sample-pbf": "same OSM short read",
    "pyogrio-curvepolygon": "curved geometries reach shapely.from_wkb unlinearised",
    "pyogrio-line-zm": "_drop_m keeps M on XYZM geometries",
    "fiona-gdb-multipatch": "multipatch (TIN) parts cannot be parsed; an empty result crashes the FlatGeobuf writer",
    "gpxpy-empty-segment": "an empty part inside a MultiLineString reaches the Features pages",
    "terra-logo": "an engineering CRS raises a ProjError traceback instead of asking for crs:",
    "rgdal-airports-gml": "GDAL writes a .gfs beside the GML in the source folder",
    "sf-nospatial-gpkg": "a table without geometry is told to add crs: instead of that it has no geometry",
    "pyogrio-list-parquet": "plain Parquet: the message says what is wrong, not what to change",
}
"""Files the corpus showed geosite gets wrong today (session 8); strict, so a fix turns the test red until removed."""


def _param(entry: dict):
    bug = KNOWN_BUGS.get(entry["id"])
    return pytest.param(entry, id=entry["id"], marks=[pytest.mark.xfail(strict=True, reason=bug)] if bug else [])


@pytest.mark.parametrize("entry", [_param(e) for e in MANIFEST])
def test_corpus_file(tmp_path, entry):
    src = write_source(tmp_path, [entry])
    before = source_files(src)
    out = tmp_path / "out"
    if entry["expect"] == "builds":
        try:
            messages = build_logged(src, out, jobs=1)
        except GeositeError as exc:
            pytest.fail(f"{entry['file']} should build but: {exc}", pytrace=False)
        assert source_files(src) == before, "the build changed the source folder"
        assert_published(src, out, entry, messages)
        return
    with pytest.raises(GeositeError) as raised:
        build_logged(src, out, jobs=1)
    lines = [str(problem) for problem in raised.value.problems]
    assert lines
    name = Path(entry["file"]).name
    for line in lines:
        assert "\n" not in line.strip(), line
        assert "dataset.yaml" in line or name in line, line
    for fragment in entry.get("error_mentions", []):
        assert any(fragment in line for line in lines), (fragment, lines)
    assert not out.exists()
    assert source_files(src) == before, "the build changed the source folder"


@pytest.mark.xfail(strict=True, reason="the known bugs above fail four of its datasets")
def test_every_buildable_file_in_one_catalogue(tmp_path):
    src = write_source(tmp_path, BUILDS)
    out = tmp_path / "out"
    try:
        messages = build_logged(src, out, jobs=2)
    except GeositeError as exc:
        pytest.fail(f"{len(exc.problems)} datasets failed:\n{exc}", pytrace=False)
    assert check_build(out) == []
    for entry in BUILDS:
        assert_published(src, out, entry, messages)
