"""Shared fixtures: write small source folders, and build the example catalogue once per session."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.build import build

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_SRC = REPO / "catalogue_src"

CATALOGUE_YAML = """\
title: Test catalogue
description: A catalogue written by the tests.
publisher:
  name: Test publisher
  url: https://example.org/
license: CC-BY-4.0
"""


def write_source(root: Path, datasets: dict[str, str], catalogue: str = CATALOGUE_YAML, files: dict[str, Path] | None = None) -> Path:
    """A source folder: catalogue.yaml plus datasets/<id>/dataset.yaml for each entry; `files` copies data in
    (keys are paths relative to the source folder)."""
    src = root / "src"
    (src / "datasets").mkdir(parents=True, exist_ok=True)
    (src / "catalogue.yaml").write_text(textwrap.dedent(catalogue), encoding="utf-8")
    for dataset_id, text in datasets.items():
        folder = src / "datasets" / dataset_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "dataset.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    for rel, origin in (files or {}).items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(origin, src / rel)
    return src


@pytest.fixture
def make_source(tmp_path):
    def make(datasets: dict[str, str], catalogue: str = CATALOGUE_YAML, files: dict[str, Path] | None = None) -> Path:
        return write_source(tmp_path, datasets, catalogue, files)

    return make


@pytest.fixture(scope="session")
def example_build(tmp_path_factory) -> Path:
    """The example catalogue (catalogue_src/), built once with its checks."""
    out = tmp_path_factory.mktemp("example") / "build"
    build(EXAMPLE_SRC, out)
    return out


def quick_benchmark_rows(suite: str, tmp_path: Path, timeout: int) -> list[list[str]]:
    """Run one benchmark suite in --quick mode and return its report's table rows, cells stripped."""
    report = tmp_path / "b.md"
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--only", suite, "--work", str(tmp_path / "work"),
                           "--output", str(report)], cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = report.read_text(encoding="utf-8").splitlines()
    return [[cell.strip() for cell in line.split("|")] for line in lines if line.startswith("| ")]
