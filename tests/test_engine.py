"""The data engine: parallel pipelines, failures collected, results cached and reused, atomic output swap."""

from __future__ import annotations

import os
import random
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
        process = subprocess.Popen(build_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert (out / "index.json").is_file()
        assert check_build(out) == []
    subprocess.run(build_cmd, check=True, capture_output=True)
    assert not [p for p in tmp_path.iterdir() if ".staging-" in p.name or ".old-" in p.name]
