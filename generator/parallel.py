"""Both cores for the per-dataset work of a big catalogue (reading its YAML, writing its documents and pages).

Forked workers start in milliseconds with the whole model already in memory: nothing to pickle or import
again. The parent takes a share of the work too, so a build runs as many processes as there are cores. Where
fork is not the safe default (macOS, Windows), or the catalogue is small, everything runs in-process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from generator.model import Catalogue
from generator.output import OutputTree

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 2000
"""Below this many datasets, forking costs more than it saves."""
SLICES = 16
"""Work is cut into this many slices, taken in turn, so no process waits long for the others."""

_job: tuple[Callable[[Sequence[Any]], Any], Sequence[Any]] | None = None
"""What the forked workers run: set just before forking, so they inherit it instead of unpickling it."""


def map_slices(function: Callable[[Sequence[T]], R], items: Sequence[T], size_hint: int | None = None) -> list[R]:
    """`function` of consecutive slices of `items`, in order; forked over the cores when `size_hint` (the
    catalogue's number of datasets, by default len(items)) is big enough to gain from it."""
    workers = _cores() - 1
    if workers < 1 or (len(items) if size_hint is None else size_hint) < MIN_ITEMS or sys.platform != "linux":
        return [function(items)]
    step = -(-len(items) // SLICES)
    bounds = [(start, min(start + step, len(items))) for start in range(0, len(items), step)]
    global _job
    _job = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_collect_logging) as pool:
            theirs = pool.map_async(_run_slice, bounds[1::2])
            ours = [_run_slice(bound) for bound in bounds[0::2]]
            results = theirs.get()
    finally:
        _job = None
    ordered = [None] * len(bounds)
    ordered[0::2], ordered[1::2] = ours, results
    for _, records in ordered:
        for record in records:
            logging.getLogger(record.name).handle(record)
    return [result for result, _ in ordered]


def for_each(catalogue: Catalogue, out: OutputTree, items: Sequence[T], write_one: Callable[[Catalogue, OutputTree, T], None]) -> None:
    """`write_one(catalogue, out, item)` for every item (a dataset, a page), over the cores when that pays."""

    def write_slice(part: Sequence[T]) -> dict[str, str]:
        mine = OutputTree(out.root)  # in a worker, the parent's tree is a copy: report what was written
        for item in part:
            write_one(catalogue, mine, item)
        return mine.owners

    for written in map_slices(write_slice, items, len(catalogue.datasets)):
        out.adopt(written)


def _run_slice(bound: tuple[int, int]) -> tuple[Any, list[logging.LogRecord]]:
    assert _job is not None
    function, items = _job
    result = function(items[bound[0]:bound[1]])
    collector = next((h for h in logging.getLogger().handlers if isinstance(h, _Collector)), None)
    return result, collector.take() if collector else []


class _Collector(logging.Handler):
    """In a worker, keeps log records for the parent, which emits them where the user sees the build log."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), ()  # picklable whatever the arguments were
        if record.exc_info:
            record.exc_text, record.exc_info = logging.Formatter().formatException(record.exc_info), None
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        taken, self.records = self.records, []
        return taken


def _collect_logging() -> None:
    """A forked worker must not write to the terminal the parent's progress display holds: collect instead."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_Collector())


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
