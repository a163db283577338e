"""Forked writers and loaders (generator/parallel.py) must give the very same site as the in-process path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from generator import parallel
from generator.build import build
from generator.errors import BuildError, SourceError
from generator.output import OutputTree
from tests.conftest import write_source

pytestmark = pytest.mark.skipif(sys.platform != "linux" or parallel._cores() < 2, reason="forks only on Linux with 2+ cores")


def _records(count: int) -> dict[str, str]:
    return {f"rec-{i:03d}": yaml.safe_dump({"title": f"Record {i}", "description": f"About thing {i}.", "keywords": [f"k{i % 7}", "shared"],
                                             "bbox": [i % 90, 0, i % 90 + 1, 1], "time": {"start": f"{2000 + i % 20}-01-01"}}) for i in range(count)}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_forked_build_is_byte_identical_to_in_process(tmp_path, monkeypatch):
    src = write_source(tmp_path, _records(40))
    build(src, tmp_path / "alone", check=False, cache=False)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    build(src, tmp_path / "forked", check=False, cache=False)
    assert _tree(tmp_path / "forked") == _tree(tmp_path / "alone")


def test_forked_load_reports_problems_in_folder_order(tmp_path, monkeypatch):
    datasets = _records(30)
    datasets["rec-005"] = "title: [unclosed\n"
    datasets["rec-025"] = "titel: typo\n"
    src = write_source(tmp_path, datasets)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    with pytest.raises(SourceError) as raised:
        build(src, tmp_path / "out", check=False, cache=False)
    files = [p.file.parent.name for p in raised.value.problems]
    assert files == sorted(files) and {"rec-005", "rec-025"} <= set(files)


def test_files_written_by_a_worker_still_cannot_collide(tmp_path):
    out = OutputTree(tmp_path)
    out.write_text("a/b.html", "x", "html")
    with pytest.raises(BuildError, match="two outputs aimed at a/b.html"):
        out.adopt({"a/b.html": "stac"})


def test_pager_links_a_window_of_pages_not_all_of_them():
    from generator.writers.html_context import page_numbers

    assert page_numbers(3, 8) == list(range(1, 9))
    assert page_numbers(50, 5000) == [1, None, 47, 48, 49, 50, 51, 52, 53, None, 5000]
    assert page_numbers(1, 5000) == [1, 2, 3, 4, None, 5000]
