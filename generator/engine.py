"""Run the data pipelines over the datasets: in parallel processes, with memory bounded, reusing unchanged results.

Each dataset with a source is handled by the pipeline for its kind (vector, raster). A pipeline publishes one
dataset: it writes files into the staging tree and fills the dataset's data fields in the model. Results are
cached by a key over everything that can change them (see `DataCache.key`), so a rebuild after editing only a
description reuses the tiles, COGs and downloads. One failing dataset does not stop the others; the build
fails at the end listing every failure.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from generator.cache import DataCache
from generator.errors import BuildError, GeositeError, Problem
from generator.model import Catalogue, Dataset
from generator.output import OutputTree
from generator.resources import InstallationError

log = logging.getLogger("geosite")

Publish = Callable[[Catalogue, Dataset, OutputTree], None]


@dataclass(frozen=True)
class DataPipeline:
    kind: str  # the SourceInfo.kind it handles
    publish: Publish
    conformance: frozenset[str] = frozenset()  # OGC conformance classes its outputs implement
    memory_factor: float = 1.0  # peak RSS per byte of source, for scheduling
    pages: bool = False  # also renders HTML pages (features tables): its cached results depend on the site's templates


@dataclass(frozen=True)
class Deferred:
    """A module's `publish_dataset`, imported on first call: rasterio, pyogrio and pandas take a second to load,
    and a metadata-only catalogue never needs them."""

    module: str

    def __call__(self, catalogue: Catalogue, dataset: Dataset, out: OutputTree) -> None:
        importlib.import_module(self.module).publish_dataset(catalogue, dataset, out)


@dataclass
class _Task:
    dataset: Dataset
    pipeline: DataPipeline
    weight: float  # share of the memory budget it may use at its peak


def publish_data(catalogue: Catalogue, out: OutputTree, pipelines: tuple[DataPipeline, ...], jobs: int | None = None, cache: DataCache | None = None, progress: Callable[[str], None] | None = None, keep_going: bool = False) -> list[Problem]:
    """Run every dataset's pipeline (cache hits are restored instead). Failures raise one BuildError for all of
    them; with `keep_going` each failed dataset falls back to its last good version instead (see `_fall_back`)
    and the failures are returned."""
    report = progress or (lambda step: None)
    tasks = list(_tasks(catalogue, pipelines))
    pending = [t for t in tasks if not (cache and cache.restore(t.dataset, t.pipeline.kind, out))]
    problems: list[Problem] = []
    failed: list[tuple[_Task, _Result]] = []
    for done, (task, result) in enumerate(_run(catalogue, out, pending, jobs or os.cpu_count() or 1), start=1):
        report(f"Processed {task.dataset.id} ({done}/{len(pending)})")
        for record in result.records:
            if log.isEnabledFor(record.levelno):
                log.handle(record)
        if result.problems:
            problems.extend(result.problems)
            failed.append((task, result))
            continue
        _adopt(task.dataset, result, out)
        if cache:
            cache.store(task.dataset, task.pipeline.kind, result.files, out)
    if problems and not keep_going:
        raise BuildError(problems)
    for task, result in failed:
        _fall_back(catalogue, task, result, out, cache)
    for task in tasks:
        if task.dataset.assets or task.dataset.collection:
            catalogue.conformance |= task.pipeline.conformance
    return problems


def _fall_back(catalogue: Catalogue, task: _Task, result: "_Result", out: OutputTree, cache: DataCache | None) -> None:
    """A failed dataset's half-written files are removed; it is published with the data of its last good build
    (and a warning on its page) when the cache has one, else left out of the site."""
    for rel in result.files:
        (out.root / rel).unlink(missing_ok=True)
    message = "; ".join(p.message for p in result.problems)
    if cache and cache.restore_last(task.dataset, out):
        task.dataset.stale = message
        log.warning("%s: failed, so its last good version is published again: %s", task.dataset.id, message)
        return
    catalogue.datasets.remove(task.dataset)
    log.warning("%s: failed and never built before, so it is left out of the site: %s", task.dataset.id, message)


def _tasks(catalogue: Catalogue, pipelines: tuple[DataPipeline, ...]) -> Iterator[_Task]:
    by_kind = {p.kind: p for p in pipelines}
    budget = _memory_budget()
    for dataset in catalogue.datasets:
        if dataset.source is None or dataset.source.kind not in by_kind or dataset.stale is not None:
            continue  # no data, or restored whole from its last good build
        pipeline = by_kind[dataset.source.kind]
        size = _source_bytes(dataset)
        yield _Task(dataset, pipeline, min(1.0, size * pipeline.memory_factor / budget))


def _run(catalogue: Catalogue, out: OutputTree, tasks: list[_Task], jobs: int) -> Iterator[tuple[_Task, "_Result"]]:
    """Yield (task, result) as tasks finish; in-process when there is nothing to parallelise."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield task, _publish_one(_bare(catalogue), task.dataset, task.pipeline, out.root)
        return
    # spawn: workers start clean (no threads inherited mid-lock from the progress display) with the current environment
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from _schedule(pool, catalogue, out, tasks, jobs)


def _schedule(pool: ProcessPoolExecutor, catalogue: Catalogue, out: OutputTree, tasks: list[_Task], jobs: int) -> Iterator[tuple[_Task, "_Result"]]:
    """Start tasks while their memory weights fit in the budget (a heavy one runs alone); largest first."""
    queue = sorted(tasks, key=lambda t: -t.weight)
    running: dict[Future, _Task] = {}
    bare = _bare(catalogue)
    while queue or running:
        while queue and len(running) < jobs:
            load = sum(t.weight for t in running.values())
            task = next((t for t in queue if not running or load + t.weight <= 1.0), None)
            if task is None:
                break
            queue.remove(task)
            running[pool.submit(_publish_one, bare, task.dataset, task.pipeline, out.root)] = task
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            task = running.pop(future)
            try:
                yield task, future.result()
            except BrokenProcessPool:
                yield task, _Result(None, [], [Problem("the worker process died (killed, or out of memory?); try again with --jobs 1", task.dataset.yaml_path)], [])
                queue.extend(running.values())  # the pool is unusable: retry the rest in-process
                running.clear()
                for rest in queue:
                    yield rest, _publish_one(bare, rest.dataset, rest.pipeline, out.root)
                return


@dataclass
class _Result:
    """What a worker sends back: the dataset's data fields and files, or the problem and the files it had written
    before it failed; and what it logged."""

    dataset: Dataset | None
    files: list[str]
    problems: list[Problem]
    records: list[logging.LogRecord]


class _Collector(logging.Handler):
    """Keeps a worker's log records so the parent can emit them where the user sees the build log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info, record.exc_text = record.getMessage(), None, None, None
        self.records.append(record)


def _publish_one(catalogue: Catalogue, dataset: Dataset, pipeline: DataPipeline, root: Path) -> _Result:
    """Run in a worker: publish one dataset into the shared staging tree; errors come back as a Problem."""
    out = OutputTree(root)
    collector = _Collector()
    log.addHandler(collector)
    propagate, level = log.propagate, log.level
    log.propagate, log.level = False, logging.DEBUG  # keep everything; the parent filters by its own level
    try:
        pipeline.publish(catalogue, dataset, out)
        return _Result(dataset, out.written, [], collector.records)
    except InstallationError:
        raise  # geosite's own fault, not this dataset's: the build stops and says so
    except GeositeError as exc:
        located = [p if p.file else replace(p, file=dataset.yaml_path) for p in exc.problems]
        return _Result(None, out.written, located, collector.records)
    except Exception as exc:  # a failure in one dataset must not hide the others'
        return _Result(None, out.written, [Problem(f"processing failed: {type(exc).__name__}: {exc}", dataset.yaml_path)], collector.records)
    finally:
        log.removeHandler(collector)
        log.propagate, log.level = propagate, level


def _adopt(dataset: Dataset, result: _Result, out: OutputTree) -> None:
    """Take a worker's copy of the dataset into the model and register its files (two claims on a path fail)."""
    for rel in result.files:
        out.claim(rel, f"data:{dataset.id}")
    copy_data_fields(result.dataset, dataset)


DATA_FIELDS = ("bbox", "time", "assets", "api_links", "collection", "stac_extensions", "summaries", "items", "legend", "tile_archive")
"""The dataset fields a pipeline fills; everything else comes from the YAML and is never taken from a result."""


def copy_data_fields(source: Dataset, target: Dataset) -> None:
    for name in DATA_FIELDS:
        if hasattr(source, name):
            setattr(target, name, getattr(source, name))


def _bare(catalogue: Catalogue) -> Catalogue:
    """The catalogue without its datasets: what a worker needs, without pickling every record to it."""
    return replace(catalogue, datasets=[])


def _source_bytes(dataset: Dataset) -> int:
    path = dataset.source_path
    if path is None or not path.exists():
        return 0
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return sum(p.stat().st_size for p in path.parent.glob(path.stem + ".*") if p.is_file())


def _memory_budget() -> int:
    """Half the machine's memory: the writers, the OS cache and the other stages need the rest."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (ValueError, OSError):
        return 4 << 30
