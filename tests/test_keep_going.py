"""--keep-going: one bad dataset does not hold back the good ones; a failed one keeps its last good version."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generator import layout
from generator.build import build
from generator.check import check_build
from generator.errors import GeositeError
from tests.conftest import write_source
from tests.test_vector import feature, write_geojson

POINTS = [feature({"type": "Point", "coordinates": [i, i]}, name=f"p{i}") for i in range(5)]
GOOD = "title: Good\nsource: good.geojson\n"
FLAKY = "title: Flaky\ndescription: First words.\nsource: flaky.geojson\n"


@pytest.fixture
def source(tmp_path):
    src = write_source(tmp_path, {"good": GOOD, "flaky": FLAKY, "meta": "title: Metadata only\n"})
    write_geojson(src / "datasets/good/good.geojson", POINTS)
    write_geojson(src / "datasets/flaky/flaky.geojson", POINTS[:3])
    return src


def record(site, dataset_id: str) -> str:
    return (site / layout.record_html(dataset_id)).read_text()


def test_default_build_stays_all_or_nothing(source, tmp_path):
    site = tmp_path / "site"
    build(source, site, jobs=1)
    (source / "datasets/flaky/flaky.geojson").write_text("{not json")
    with pytest.raises(GeositeError):
        build(source, site, jobs=1)
    assert "Published from an earlier build" not in record(site, "flaky")


@pytest.mark.parametrize("breakage", ["data", "yaml"])
def test_a_dataset_that_fails_keeps_its_last_good_version(source, tmp_path, breakage):
    site = tmp_path / "site"
    build(source, site, jobs=1)
    before = (site / layout.dataset_file("flaky", "flaky.parquet")).read_bytes()
    if breakage == "data":  # the file can no longer be read: inspection fails while loading
        (source / "datasets/flaky/flaky.geojson").write_text("{not json")
    else:  # the YAML itself is broken: even the metadata is the last good one's
        (source / "datasets/flaky/dataset.yaml").write_text("title: [unclosed\n")
    (source / "datasets/good/dataset.yaml").write_text(GOOD + "description: Newer words.\n")
    result = build(source, site, jobs=1, keep_going=True)
    assert result.failures and all(p.file.parent.name == "flaky" for p in result.failures)
    assert (site / layout.dataset_file("flaky", "flaky.parquet")).read_bytes() == before
    assert "Published from an earlier build" in record(site, "flaky") and "Published from" not in record(site, "good")
    assert "Newer words." in record(site, "good")
    assert check_build(site) == []


def test_a_dataset_that_fails_while_processing_keeps_its_last_good_version(source, tmp_path, monkeypatch):
    """A failure inside the vector pipeline (not at load time): its half-written files are removed."""
    site = tmp_path / "site"
    build(source, site, jobs=1)
    from generator.data import vectortiles

    real_start = vectortiles.start

    def failing_start(dataset, data, workdir):
        if dataset.id == "flaky":
            raise RuntimeError("tiler crashed")
        return real_start(dataset, data, workdir)

    monkeypatch.setattr(vectortiles, "start", failing_start)
    write_geojson(source / "datasets/flaky/flaky.geojson", POINTS[:4])  # changed: the cache cannot be used
    result = build(source, site, jobs=1, keep_going=True)
    assert len(result.failures) == 1 and "tiler crashed" in result.failures[0].message
    assert "Published from an earlier build" in record(site, "flaky")
    assert check_build(site) == []


def test_a_dataset_that_never_built_is_left_out_and_the_rest_published(source, tmp_path):
    (source / "datasets/flaky/flaky.geojson").write_text("{not json")
    site = tmp_path / "site"
    result = build(source, site, jobs=1, keep_going=True)
    assert len(result.failures) == 1
    assert not (site / layout.record_html("flaky")).exists()
    assert (site / layout.record_html("good")).exists() and (site / layout.record_html("meta")).exists()
    assert "flaky" not in (site / "stac/catalog.json").read_text()
    assert check_build(site) == []


def test_cli_keep_going_publishes_but_exits_1(source, tmp_path):
    (source / "datasets/flaky/flaky.geojson").write_text("{not json")
    site = tmp_path / "site"
    run = subprocess.run([sys.executable, "-m", "generator", "build", str(source), "-o", str(site), "--keep-going"], capture_output=True, text=True)
    assert run.returncode == 1 and (site / layout.record_html("good")).exists()
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "flaky" in errors[0] and "Traceback" not in run.stderr
