"""Both cores for the per-dataset work of a big catalogue (reading its YAML, writing its documents and pages).

Forked workers start in milliseconds with the whole model already in memory: nothing to pickle or import
again. The parent takes a share of the work too, so a build runs as many processes as there are cores. Where
fork is not the safe default (macOS, Windows), or the catalogue is small, everything runs in-process.

A job running beside the writers (Pagefind indexing) holds a core: workers are forked only for the cores left.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import ExitStack
from typing import Any, TypeVar

from generator.model import Catalogue
from generator.output import OutputTree

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 2000
"""Below this many datasets, forking costs more than it saves."""
SLICES = 16
"""Work is cut into this many slices, taken in turn, so no process waits long for the others."""

_background: list[list[Future[Any]]] = []
"""CPU-bound jobs running in the background of this process (Pagefind's parts), each holding a core until
all its steps are done."""

_job: tuple[Callable[[Sequence[Any]], Any], Sequence[Any], list[tuple[int, int]], Any] | None = None
"""What the forked workers run (function, items, slice bounds, the shared count of slices taken): set just
before forking, so they inherit it instead of unpickling it."""


def map_slices(function: Callable[[Sequence[T]], R], items: Sequence[T], size_hint: int | None = None) -> list[R]:
    """`function` of consecutive slices of `items`, in order; forked over the cores when `size_hint` (the
    catalogue's number of datasets, by default len(items)) is big enough to gain from it.

    Each process takes the next slice not yet taken, so a slower process (a costlier slice, a shared core)
    never leaves the others waiting for its share. Workers are forked only once a core is free of background
    jobs: until then the parent works alone."""
    if _cores() < 2 or (len(items) if size_hint is None else size_hint) < MIN_ITEMS or sys.platform != "linux":
        return [function(items)]
    step = -(-len(items) // SLICES)
    bounds = [(start, min(start + step, len(items))) for start in range(0, len(items), step)]
    context = multiprocessing.get_context("fork")
    global _job
    _job = (function, items, bounds, context.Value("i", 0))
    done: dict[int, tuple[Any, list[logging.LogRecord]]] = {}
    try:
        with ExitStack() as pools:
            theirs: list[Any] = []
            while (index := _next_slice()) is not None:
                if not theirs and (free := _free_cores()) and index + 1 < len(bounds):
                    pool = pools.enter_context(context.Pool(free, initializer=_collect_logging))
                    theirs = [pool.apply_async(_take_slices) for _ in range(free)]
                done[index] = _run_slice(index)
            for taken in theirs:
                done.update(taken.get())
    finally:
        _job = None
    ordered = [done[index] for index in range(len(bounds))]
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


def hold_a_core_until_done(futures: Sequence[Future[Any]]) -> None:
    """A CPU-bound job in the background (Pagefind's parts, one process after the other) keeps a core from
    now until its last step ends. Three busy processes on two cores are no faster than two, and a forked worker
    doubles every memory page that it or its parent then writes: a 100k build would hold Pagefind and two
    copies of much of the model at once."""
    if futures:
        _background.append(list(futures))


def _free_cores() -> int:
    """Cores that neither this process nor an unfinished background job holds."""
    _background[:] = [steps for steps in _background if not all(step.done() for step in steps)]
    return max(0, _cores() - 1 - len(_background))


def _next_slice() -> int | None:
    """The number of the next slice no process has taken yet, now taken; None when all are."""
    assert _job is not None
    _, _, bounds, taken = _job
    with taken.get_lock():
        index = taken.value
        taken.value += 1
    return index if index < len(bounds) else None


def _run_slice(index: int) -> tuple[Any, list[logging.LogRecord]]:
    assert _job is not None
    function, items, bounds, _ = _job
    start, end = bounds[index]
    collector = next((h for h in logging.getLogger().handlers if isinstance(h, _Collector)), None)
    return function(items[start:end]), collector.take() if collector else []


def _take_slices() -> list[tuple[int, tuple[Any, list[logging.LogRecord]]]]:
    """In a forked worker: (slice number, (result, log records)) for each slice it took, until none is left."""
    done = []
    while (index := _next_slice()) is not None:
        done.append((index, _run_slice(index)))
    return done


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
