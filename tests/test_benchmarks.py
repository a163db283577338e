"""The benchmark suite runs end to end in its quick mode and writes its report (its numbers are not tested)."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks import catalogue_cases
from benchmarks.harness import Command, Comparison, Measurement, Result
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
    from benchmarks.harness import measure

    kept, fresh = tmp_path / "kept", tmp_path / "fresh"
    for folder in (kept, fresh):
        folder.mkdir()
        (folder / "old").write_text("x")
    touch = [sys.executable, "-c", "import sys, pathlib; p = pathlib.Path(sys.argv[1]); p.mkdir(exist_ok=True); (p / 'new').write_text('y')"]
    measure(Command("kept", [*touch, str(kept)], kept, fresh=False))
    measure(Command("fresh", [*touch, str(fresh)], fresh))
    assert sorted(p.name for p in kept.iterdir()) == ["new", "old"]
    assert sorted(p.name for p in fresh.iterdir()) == ["new"]


def test_absolute_targets_decide_whether_a_result_is_met():
    command = Command("geosite", ["true"], Path("out"))
    run = Measurement(wall_s=4.0, cpu_s=4.0, peak_rss_mb=900.0, output_mb=1.0)
    assert Result(Comparison("c", "s", command, None, max_wall_s=5.0), run, None).met is True
    assert Result(Comparison("c", "s", command, None, max_wall_s=3.0), run, None).met is False
    assert Result(Comparison("c", "s", command, None, max_rss_mb=800.0), run, None).met is False
    assert Result(Comparison("c", "s", command, None), run, None).met is None
