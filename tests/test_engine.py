"""The data engine: parallel pipelines, failures collected, results cached and reused, atomic output swap."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.cache import DataCache
from generator.engine import DataPipeline, publish_data
from generator.errors import BuildError, SourceError
from generator.model import Asset, Catalogue, Dataset
from generator.output import OutputTree, describe_file
from generator.source.loader import load_catalogue
from tests.conftest import write_source

CALLS = "GEOSITE_TEST_CALLS"


def fake_publish(catalogue: Catalogue, dataset: Dataset, out: OutputTree) -> None:
    """Stands in for a real pipeline: one file, one asset, a call logged to a file (works across processes)."""
    if "broken" in dataset.id:
        raise SourceError(f"{dataset.id}: this source is broken")
    with open(os.environ[CALLS], "a") as log:
        log.write(dataset.id + "\n")
    rel = f"datasets/{dataset.id}/{dataset.id}.txt"
    path = out.claim(rel, "fake")
    path.write_text(dataset.source_path.read_text() + f" pid={os.getpid()}")
    size, checksum = describe_file(path)
    dataset.assets.append(Asset("data", rel, "Data", "text/plain", size=size, checksum=checksum))
    dataset.summaries["pid"] = os.getpid()


FAKE = (DataPipeline("vector", fake_publish, frozenset({"http://example.org/conf/fake"})),)


@pytest.fixture
def calls(tmp_path, monkeypatch):
    path = tmp_path / "calls.log"
    path.write_text("")
    monkeypatch.setenv(CALLS, str(path))
    return lambda: path.read_text().split()


def make_catalogue(make_source, ids):
    src = make_source({i: f"title: {i}\ndescription: first\nsource: data.geojson\n" for i in ids})
    for i in ids:
        (src / f"datasets/{i}/data.geojson").write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}')
    return src


def run(src: Path, out_root: Path, jobs=2, cache=None) -> Catalogue:
    catalogue = load_catalogue(src)
    publish_data(catalogue, OutputTree(out_root), FAKE, jobs=jobs, cache=cache)
    return catalogue


def test_datasets_run_in_parallel_processes(make_source, tmp_path, calls):
    src = make_catalogue(make_source, ["a", "b", "c"])
    catalogue = run(src, tmp_path / "out", jobs=2)
    assert sorted(calls()) == ["a", "b", "c"]
    assert all(d.assets for d in catalogue.datasets)
    assert len({d.summaries["pid"] for d in catalogue.datasets} - {os.getpid()}) >= 1
    assert "http://example.org/conf/fake" in catalogue.conformance


def test_one_failure_does_not_stop_the_others(make_source, tmp_path, calls):
    src = make_catalogue(make_source, ["a", "broken-1", "broken-2", "d"])
    with pytest.raises(BuildError) as info:
        run(src, tmp_path / "out")
    messages = [str(p) for p in info.value.problems]
    assert len(messages) == 2 and all("this source is broken" in m and "dataset.yaml" in m for m in messages)
    assert sorted(calls()) == ["a", "d"]


def test_unchanged_datasets_are_restored_from_the_cache(make_source, tmp_path, calls):
    src = make_catalogue(make_source, ["a", "b"])
    cache = DataCache(tmp_path / "cache", None)
    first = run(src, tmp_path / "out1", cache=cache)
    assert sorted(calls()) == ["a", "b"]
    yaml_path = src / "datasets/a/dataset.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("description: first", "description: edited"))
    second = run(src, tmp_path / "out2", cache=cache)
    assert sorted(calls()) == ["a", "b"]  # nothing re-processed for a description edit
    assert second.dataset("a").description == "edited"
    assert second.dataset("a").assets == first.dataset("a").assets
    assert (tmp_path / "out2/datasets/a/a.txt").read_text() == (tmp_path / "out1/datasets/a/a.txt").read_text()
    data = src / "datasets/b/data.geojson"
    data.write_text(data.read_text() + " ")
    run(src, tmp_path / "out3", cache=cache)
    assert sorted(calls()) == ["a", "b", "b"]  # a changed source is processed again


def test_a_title_change_reprocesses(make_source, tmp_path, calls):
    src = make_catalogue(make_source, ["a"])
    cache = DataCache(tmp_path / "cache", None)
    run(src, tmp_path / "o1", cache=cache)
    yaml_path = src / "datasets/a/dataset.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("title: a", "title: A new title"))
    run(src, tmp_path / "o2", cache=cache)
    assert calls() == ["a", "a"]


def test_sigkill_never_leaves_a_broken_output(make_source, tmp_path):
    """Kill builds at random moments: the output is always a complete build (old or new)."""
    from generator.check import check_build

    src = make_source({f"d{i}": f"title: Dataset {i}\n" for i in range(40)})
    out = tmp_path / "site"
    build_cmd = [sys.executable, "-m", "generator", "build", str(src), "-o", str(out)]
    subprocess.run(build_cmd, check=True, capture_output=True)
    rng = random.Random(7)
    for _ in range(8):
        (src / "catalogue.yaml").touch()  # an input changed: a full build, not "nothing changed"
        process = subprocess.Popen(build_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert (out / "index.json").is_file()
        assert check_build(out) == []
    subprocess.run(build_cmd, check=True, capture_output=True)
    assert not [p for p in tmp_path.iterdir() if ".staging-" in p.name or ".old-" in p.name]


POINTS = '{"type":"FeatureCollection","features":[' + ",".join(
    f'{{"type":"Feature","properties":{{"n":{i}}},"geometry":{{"type":"Point","coordinates":[{i / 10},{i / 20}]}}}}' for i in range(30)) + "]}"


@pytest.fixture
def two_datasets(make_source):
    """A vector and a raster dataset, the smallest that run every real pipeline."""
    from tests.raster_samples import rgb_no_nodata

    src = make_source({
        "points": "title: Points\ndescription: The first words.\nsource: points.geojson\n",
        "image": "title: Image\ndescription: An image.\nsource: image.tif\n",
    })
    (src / "datasets/points/points.geojson").write_text(POINTS)
    rgb_no_nodata(src / "datasets/image/image.tif")
    return src


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*") if p.is_file()}


def test_a_description_edit_changes_only_that_records_pages(two_datasets, tmp_path):
    from generator.build import build

    out = tmp_path / "site"
    build(two_datasets, out)
    before = snapshot(out)
    yaml_path = two_datasets / "datasets/points/dataset.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("The first words.", "Quite different words."))
    result = build(two_datasets, out)
    assert result.unchanged is None
    after = snapshot(out)

    data_files = [rel for rel in before if rel.startswith("datasets/") and rel.endswith((".pmtiles", ".parquet", ".gpkg", ".fgb", ".tif", ".png"))]
    assert any(rel.endswith("points.pmtiles") for rel in data_files) and any(rel.endswith("image.tif") for rel in data_files)
    for rel in data_files:  # restored from the cache by hard link: same inode and mtime, so never re-tiled
        assert after[rel][:2] == before[rel][:2], rel
    for rel in ("collections/records/items/points.json", "stac/points/collection.json", "datasets/points/index.html", "datasets/points/tiles.json"):
        assert b"Quite different words." in after[rel][2] and b"The first words." not in after[rel][2], rel
    for rel in ("collections/records/items/image.json", "stac/image/collection.json", "datasets/image/index.html", "datasets/image/tiles.json"):
        assert after[rel][2] == before[rel][2], rel
    assert sorted(result.files) == sorted(after)  # what the check was told the build wrote: every file, cached or not


def test_a_no_op_rebuild_leaves_the_output_as_it_is(make_source, tmp_path):
    from generator.build import build

    src = make_source({"a": "title: A\nbbox: [0, 0, 1, 1]\n", "b": "title: B\n"})
    out = tmp_path / "site"
    build(src, out)
    identity = out.stat().st_ino
    result = build(src, out)
    assert result.unchanged is not None and result.unchanged.datasets == 2
    assert out.stat().st_ino == identity  # not even swapped
    cli = subprocess.run([sys.executable, "-m", "generator", "build", str(src), "-o", str(out)], capture_output=True, text=True)
    assert cli.returncode == 0 and "Nothing changed" in cli.stderr


@pytest.mark.parametrize("change", ["edit yaml", "add file", "chmod", "other options", "output replaced", "no cache"])
def test_any_change_rebuilds(make_source, tmp_path, change):
    from generator.build import build

    src = make_source({"a": "title: A\nbbox: [0, 0, 1, 1]\n"})
    out = tmp_path / "site"
    build(src, out)
    options = {}
    if change == "edit yaml":
        (src / "datasets/a/dataset.yaml").write_text("title: A changed\nbbox: [0, 0, 1, 1]\n")
    elif change == "add file":
        (src / "datasets/a/notes.txt").write_text("new")
    elif change == "chmod":
        (src / "datasets/a/dataset.yaml").chmod(0o600)
    elif change == "other options":
        options = {"base_url": "https://example.org/x/"}
    elif change == "output replaced":
        shutil.rmtree(out)
        shutil.copytree(src, out)
    else:
        options = {"cache": False}
    result = build(src, out, **options)
    assert result.unchanged is None and (out / "index.html").is_file()


def test_an_output_inside_the_source_folder_is_not_an_input(make_source):
    from generator.build import build

    src = make_source({"a": "title: A\n"})
    build(src, src / "site")
    assert build(src, src / "site").unchanged is not None


def test_metadata_only_build_never_loads_the_data_libraries(make_source, tmp_path):
    """rasterio, pyogrio and pandas cost a second of start-up: a catalogue without data files must not pay it."""
    src = make_source({"a": "title: A\ndescription: Records only.\n", "b": "title: B\ndescription: No data.\n"})
    script = ("import sys; from pathlib import Path; from generator.build import build; "
              f"build(Path({str(src)!r}), Path({str(tmp_path / 'site')!r})); "
              "print(sorted(m for m in ('rasterio', 'pyogrio', 'pandas', 'geopandas', 'rio_cogeo', 'pyarrow') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[-2] == "[]"


def test_the_model_is_loaded_without_collections_and_the_collector_is_left_as_it_was(tmp_path, monkeypatch):
    """Full collections during the load walked all of the model loaded so far (twice the load time at 100k)."""
    import gc

    from generator import build as build_module

    seen = []
    real_load = build_module.load_source

    def load(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_load(*args, **kwargs)

    monkeypatch.setattr(build_module, "load_source", load)
    src = write_source(tmp_path, {"a": "title: A\ndescription: About A.\n"})
    build_module.build(src, tmp_path / "site", check=False, cache=False)
    assert seen == [False] and gc.isenabled() and gc.get_freeze_count() == 0
    (src / "datasets" / "a" / "dataset.yaml").write_text("title: [unclosed\n")
    with pytest.raises(SourceError):
        build_module.build(src, tmp_path / "site", check=False, cache=False)
    assert seen == [False, False] and gc.isenabled() and gc.get_freeze_count() == 0
