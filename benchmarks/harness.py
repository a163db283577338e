"""Run two commands on the same input, interleaved, and keep the medians.

Every measured thing is a command line run in a fresh process, so geosite and the reference tool pay the same
start-up costs and are measured the same way: wall time, CPU time of the whole process tree, peak memory of the
whole tree (sampled) and the size of what it wrote.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

SAMPLE_SECONDS = 0.02


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    output_mb: float


@dataclass(frozen=True)
class Command:
    """One tool's run: the argv, and the file or folder it writes (removed before every run)."""

    name: str
    argv: Sequence[str]
    output: Path
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparison:
    """geosite against a reference tool on one input; `target` is the ratio geosite/reference to stay under."""

    case: str
    scale: str
    geosite: Command
    reference: Command | None
    target: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Result:
    comparison: Comparison
    geosite: Measurement
    reference: Measurement | None

    @property
    def ratio(self) -> float | None:
        """geosite wall time over the reference's: below 1 means geosite is faster."""
        if self.reference is None or self.reference.wall_s == 0:
            return None
        return self.geosite.wall_s / self.reference.wall_s

    @property
    def met(self) -> bool | None:
        target, ratio = self.comparison.target, self.ratio
        return None if target is None or ratio is None else ratio <= target


def measure(command: Command) -> Measurement:
    """Run `command` once from a clean output and measure the whole process tree."""
    _remove(command.output)
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(list(command.argv), env={**os.environ, **command.env},
                                   stdout=subprocess.DEVNULL, stderr=stderr)
        status, usage, peak = _wait_watching_memory(process.pid)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            stderr.seek(0)
            message = stderr.read().decode(errors="replace").strip()[-2000:]
            raise RuntimeError(f"{command.name} failed ({' '.join(map(str, command.argv))}): {message}")
    peak_mb = max(peak, usage.ru_maxrss * 1024) / 2**20
    return Measurement(wall, usage.ru_utime + usage.ru_stime, peak_mb, _size(command.output) / 2**20)


def compare(comparison: Comparison, repeats: int) -> Result:
    """Alternate geosite and the reference so that drifts in machine load hit both alike."""
    ours: list[Measurement] = []
    theirs: list[Measurement] = []
    for _ in range(repeats):
        ours.append(measure(comparison.geosite))
        if comparison.reference is not None:
            theirs.append(measure(comparison.reference))
    return Result(comparison, _median(ours), _median(theirs) if theirs else None)


def _wait_watching_memory(pid: int) -> tuple[int, os.struct_rusage, int]:
    """Reap `pid` with its rusage (CPU of the whole tree) while sampling the tree's summed RSS."""
    root, peak = psutil.Process(pid), 0
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, peak
        try:
            peak = max(peak, sum(_rss(p) for p in [root, *root.children(recursive=True)]))
        except psutil.Error:
            pass
        time.sleep(SAMPLE_SECONDS)


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def _median(runs: list[Measurement]) -> Measurement:
    return Measurement(*(statistics.median(getattr(r, f) for r in runs)
                         for f in ("wall_s", "cpu_s", "peak_rss_mb", "output_mb")))


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
