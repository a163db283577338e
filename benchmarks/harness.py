"""Run two commands on the same input, interleaved, and keep the medians.

Every measured thing is a command line run in a fresh process, so geosite and the reference tool pay the same
start-up costs and are measured the same way: wall time, CPU time of the whole process tree, peak memory of the
whole tree (sampled) and the size of what it wrote.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

SAMPLE_SECONDS = 0.02
MAX_SAMPLE_SECONDS = 0.25
"""Memory is sampled every 20 ms at first, less often as a run goes on: listing a process tree costs CPU that
would otherwise be the measured tool's (sampling a 10-minute run every 20 ms took 15% of a core)."""


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    output_mb: float
    peak_pss_mb: float | None = None
    """Summed proportional set size: a page shared by a forked worker and its parent counts once, not twice as
    in the summed RSS. What the memory targets are judged on where the system reports it (Linux)."""
    stopped: bool = False
    """The run was stopped at its command's time limit: its wall and CPU times are lower bounds."""


@dataclass(frozen=True)
class Command:
    """One tool's run: the argv, and the file or folder it writes (removed before every run unless not `fresh`:
    a rebuild into an existing output measures what an incremental build costs)."""

    name: str
    argv: Sequence[str]
    output: Path
    env: dict[str, str] = field(default_factory=dict)
    fresh: bool = True
    time_limit_s: float | None = None
    """A run still going after this long is stopped and reported as taking at least this long (a reference tool
    that grows faster than linearly would otherwise hold the suite for hours), and not run again."""


@dataclass(frozen=True)
class Comparison:
    """geosite against a reference tool on one input; `target` is the ratio geosite/reference to stay under,
    `max_wall_s` and `max_rss_mb` absolute limits on geosite's own run (the issue states some targets so)."""

    case: str
    scale: str
    geosite: Command
    reference: Command | None
    target: float | None = None
    note: str = ""
    max_wall_s: float | None = None
    max_rss_mb: float | None = None


@dataclass(frozen=True)
class Result:
    comparison: Comparison
    geosite: Measurement
    reference: Measurement | None

    @property
    def ratio(self) -> float | None:
        """geosite wall time over the reference's: below 1 means geosite is faster (an upper bound when the
        reference was stopped at its time limit)."""
        if self.reference is None or self.reference.wall_s == 0:
            return None
        return self.geosite.wall_s / self.reference.wall_s

    @property
    def met(self) -> bool | None:
        """Whether every target the comparison sets holds; None when it sets none that could be measured."""
        c, ratio = self.comparison, self.ratio
        memory = self.geosite.peak_pss_mb if self.geosite.peak_pss_mb is not None else self.geosite.peak_rss_mb
        checks = [(c.target, ratio), (c.max_wall_s, self.geosite.wall_s), (c.max_rss_mb, memory)]
        verdicts = [value <= limit for limit, value in checks if limit is not None and value is not None]
        return all(verdicts) if verdicts else None


TRASH = ".benchmark-trash"
"""Where earlier runs' outputs are moved, beside them, until `empty_trash` at the end of the suite. Deleting them
before each run would make the next run's file creations 2-5 times dearer on an ext4 without a journal (this
VM's): its allocator skips every inode freed in the last 60 s (360 s when not yet written back), each skip a
lookup in the inode table (`perf`: recently_deleted). A journaled ext4 has no such cost, so neither tool is
measured with it."""
_trashes: set[Path] = set()


def measure(command: Command) -> Measurement:
    """Run `command` once (from a clean output when it is `fresh`) and measure the whole process tree."""
    if command.fresh:
        _set_aside(command.output)
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(list(command.argv), env={**os.environ, **command.env},
                                   stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        deadline = started + command.time_limit_s if command.time_limit_s else None
        status, usage, peak, peak_pss, stopped = _wait_watching_memory(process.pid, deadline)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0 and not stopped:
            stderr.seek(0)
            message = stderr.read().decode(errors="replace").strip()[-2000:]
            raise RuntimeError(f"{command.name} failed ({' '.join(map(str, command.argv))}): {message}")
    # Linux starts a child's ru_maxrss at the size of the process that forked it (here the harness, which holds
    # the prepared inputs' modules), so it only tells something when it is above the harness's own peak.
    own_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = max(peak, usage.ru_maxrss * 1024 if usage.ru_maxrss > own_kb else 0) / 2**20
    return Measurement(wall, usage.ru_utime + usage.ru_stime, peak_mb, _size(command.output) / 2**20,
                       peak_pss / 2**20 if peak_pss else None, stopped)


def compare(comparison: Comparison, repeats: int) -> Result:
    """Alternate geosite and the reference so that drifts in machine load hit both alike. A reference stopped at
    its time limit is not run again: its one run is the lower bound reported."""
    ours: list[Measurement] = []
    theirs: list[Measurement] = []
    for _ in range(repeats):
        ours.append(measure(comparison.geosite))
        if comparison.reference is not None and not any(run.stopped for run in theirs):
            theirs.append(measure(comparison.reference))
    return Result(comparison, _median(ours), _median(theirs) if theirs else None)


def _wait_watching_memory(pid: int, deadline: float | None = None) -> tuple[int, os.struct_rusage, int, int, bool]:
    """Reap `pid` with its rusage (CPU of the whole tree) while sampling the tree's summed RSS and PSS; past the
    deadline its whole process group is killed."""
    root, peak, peak_pss, started = psutil.Process(pid), 0, 0, time.perf_counter()
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, peak, peak_pss, False
        if deadline is not None and time.perf_counter() >= deadline:
            os.killpg(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage, peak, peak_pss, True
        try:
            samples = [_memory(p) for p in [root, *root.children(recursive=True)]]
            peak, peak_pss = max(peak, sum(rss for rss, _ in samples)), max(peak_pss, sum(pss for _, pss in samples))
        except psutil.Error:
            pass
        time.sleep(min(MAX_SAMPLE_SECONDS, SAMPLE_SECONDS + (time.perf_counter() - started) / 100))


def _memory(process: psutil.Process) -> tuple[int, int]:
    """(RSS, PSS) of one process; PSS is 0 where the system does not report it."""
    try:
        info = process.memory_full_info()
    except psutil.AccessDenied:
        return _rss(process), 0
    except psutil.Error:
        return 0, 0
    return info.rss, getattr(info, "pss", 0)


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def _median(runs: list[Measurement]) -> Measurement:
    pss = [r.peak_pss_mb for r in runs if r.peak_pss_mb is not None]
    return Measurement(*(statistics.median(getattr(r, f) for r in runs) for f in ("wall_s", "cpu_s", "peak_rss_mb", "output_mb")),
                       statistics.median(pss) if pss else None, any(r.stopped for r in runs))


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def _set_aside(path: Path) -> None:
    """Move an earlier output out of the way (a rename: no inode freed or created)."""
    if path.exists() or path.is_symlink():
        trash = path.parent / TRASH
        trash.mkdir(exist_ok=True)
        _trashes.add(trash)
        path.rename(Path(tempfile.mkdtemp(dir=trash)) / path.name)


def empty_trash() -> None:
    """Delete the outputs set aside: once, when nothing is measured any more."""
    while _trashes:
        shutil.rmtree(_trashes.pop(), ignore_errors=True)
