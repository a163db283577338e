"""The benchmark suite runs end to end in its quick mode and writes its report (its numbers are not tested)."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks import catalogue_cases
from benchmarks.harness import TRASH, Command, Comparison, Measurement, Result, compare, empty_trash, measure
from benchmarks.report import write_report
from tests.conftest import quick_benchmark_rows


def test_quick_catalogue_suite_writes_a_row_per_case(tmp_path):
    rows = quick_benchmark_rows("catalogue", tmp_path, timeout=300)
    cases = {row[1]: row for row in rows}
    for case in (catalogue_cases.BUILD_CASE, catalogue_cases.NOCHECK_CASE, catalogue_cases.NOOP_CASE):
        assert case in cases, f"no row for {case}"
        assert float(cases[case][4]) > 0, f"{case}: no wall time"
    tools = [row[3] for row in rows]
    assert "pystac" in tools and "geosite (full build)" in tools


def test_rebuild_keeps_the_output_it_rebuilds(tmp_path):
    """The no-op case needs its output to survive between runs; fresh commands start from nothing."""

    kept, fresh = tmp_path / "kept", tmp_path / "fresh"
    for folder in (kept, fresh):
        folder.mkdir()
        (folder / "old").write_text("x")
    touch = [sys.executable, "-c", "import sys, pathlib; p = pathlib.Path(sys.argv[1]); p.mkdir(exist_ok=True); (p / 'new').write_text('y')"]
    measure(Command("kept", [*touch, str(kept)], kept, fresh=False))
    measure(Command("fresh", [*touch, str(fresh)], fresh))
    assert sorted(p.name for p in kept.iterdir()) == ["new", "old"]
    assert sorted(p.name for p in fresh.iterdir()) == ["new"]
    [set_aside] = (tmp_path / TRASH).glob("*/fresh")  # moved, not deleted, while the suite measures
    assert sorted(p.name for p in set_aside.iterdir()) == ["old"]
    empty_trash()
    assert not (tmp_path / TRASH).exists()


def test_absolute_targets_decide_whether_a_result_is_met():
    command = Command("geosite", ["true"], Path("out"))
    run = Measurement(wall_s=4.0, cpu_s=4.0, peak_rss_mb=900.0, output_mb=1.0)
    assert Result(Comparison("c", "s", command, None, max_wall_s=5.0), run, None).met is True
    assert Result(Comparison("c", "s", command, None, max_wall_s=3.0), run, None).met is False
    assert Result(Comparison("c", "s", command, None, max_rss_mb=800.0), run, None).met is False
    assert Result(Comparison("c", "s", command, None), run, None).met is None
    shared = Measurement(wall_s=4.0, cpu_s=4.0, peak_rss_mb=900.0, output_mb=1.0, peak_pss_mb=600.0)
    assert Result(Comparison("c", "s", command, None, max_rss_mb=800.0), shared, None).met is True  # judged on PSS


def test_forked_memory_counts_once_in_pss(tmp_path):
    """A parent and its fork sharing 200 MB: summed RSS sees about 400 MB, summed PSS about 200 MB."""
    script = ("import os, time; block = bytearray(200 * 2**20); block[::4096] = b'x' * len(block[::4096]); "
              "pid = os.fork(); time.sleep(1.0); os._exit(0) if pid == 0 else os.waitpid(pid, 0)")
    run = measure(Command("fork", [sys.executable, "-c", script], tmp_path / "none"))
    assert run.peak_rss_mb > 380 and 190 < run.peak_pss_mb < 300


def test_a_reference_past_its_time_limit_is_stopped_once_and_reported_as_a_bound(tmp_path):
    """A reference that would run for hours (pystac at 100k items) must not hold the suite: one run, stopped."""
    runs = tmp_path / "runs"
    slow = [sys.executable, "-c", f"open({str(runs)!r}, 'a').write('x'); import time; time.sleep(60)"]
    quick = Command("geosite", [sys.executable, "-c", "pass"], tmp_path / "out")
    comparison = Comparison("c", "s", quick, Command("slow", slow, tmp_path / "ref", time_limit_s=1.0))
    result = compare(comparison, repeats=3)
    assert result.reference.stopped and not result.geosite.stopped
    assert 1.0 <= result.reference.wall_s < 10
    assert runs.read_text() == "x"  # not run again once stopped
    report = tmp_path / "report.md"
    write_report([result], report, quick=True, repeats=3)
    [row] = [line for line in report.read_text().splitlines() if "| slow (stopped at its time limit) |" in line]
    assert "| > 1." in row
    [ours] = [line for line in report.read_text().splitlines() if line.startswith("| c |")]
    assert "| < 0." in ours


def test_a_note_shared_by_several_scales_is_written_once(tmp_path):
    command = Command("geosite", ["true"], Path("out"))
    run = Measurement(wall_s=1.0, cpu_s=1.0, peak_rss_mb=1.0, output_mb=1.0)
    results = [Result(Comparison("Tiles", scale, command, None, note="What limits tiling."), run, None)
               for scale in ("100k points", "1M points")]
    results.append(Result(Comparison("COG", "10k", command, None, note="What limits a COG."), run, None))
    report = tmp_path / "report.md"
    write_report(results, report, quick=True, repeats=1)
    notes = [line for line in report.read_text().splitlines() if line.startswith("- **")]
    assert notes == ["- **Tiles (100k points, 1M points)**: What limits tiling.", "- **COG (10k)**: What limits a COG."]
