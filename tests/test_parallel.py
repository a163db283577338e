"""Forked writers and loaders (generator/parallel.py) must give the very same site as the in-process path."""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import Future
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


def _slow_first_slice(part):
    if part[0] == 0:
        time.sleep(1.5)
    return os.getpid(), list(part)


def test_slices_come_back_in_order_and_a_slow_slice_holds_no_other_back(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    results = parallel.map_slices(_slow_first_slice, range(160))
    assert [item for _, part in results for item in part] == list(range(160)) and len(results) == parallel.SLICES
    slow_process = results[0][0]
    assert sum(pid != slow_process for pid, _ in results) >= parallel.SLICES - 2  # the other process took the rest


def _steady_slice(part):
    time.sleep(0.02)
    return os.getpid(), list(part)


def test_no_worker_is_forked_while_a_background_job_holds_its_core(monkeypatch):
    """On two cores, Pagefind indexing beside the writers leaves them one process: the parent does it all."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    monkeypatch.setattr(parallel, "_cores", lambda: 2)
    steps = [Future(), Future()]
    parallel.hold_a_core_until_done(steps)
    steps[0].set_result(None)  # between two steps, the core is still held
    results = parallel.map_slices(_steady_slice, range(160))
    assert [item for _, part in results for item in part] == list(range(160))
    assert {pid for pid, _ in results} == {os.getpid()}
    steps[1].cancel()
    assert parallel._free_cores() == 1


_indexing = Future()


def _slice_ending_the_background_job(part):
    if not _indexing.done():
        _indexing.set_result(None)  # the background job ends while the parent works on the first slice
    return _steady_slice(part)


def test_a_worker_is_forked_once_the_background_job_ends(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    monkeypatch.setattr(parallel, "_cores", lambda: 2)
    parallel.hold_a_core_until_done([_indexing])
    results = parallel.map_slices(_slice_ending_the_background_job, range(160))
    assert [item for _, part in results for item in part] == list(range(160))
    assert results[0][0] == os.getpid() and len({pid for pid, _ in results}) == 2


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
