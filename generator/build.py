"""The pipeline: load the source folder into the model, run the data stages, the writers, check, then swap in.

    load (YAML + sources) -> Catalogue model -> data stages -> writers -> check -> replace output

Nothing is visible at the destination until everything has been written and checked.
"""

from __future__ import annotations

import gc
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol
from pathlib import Path

from generator import stamp
from generator.check import Finding, check_build
from generator.cache import DataCache
from generator.data import limits
from generator.engine import DataPipeline, Deferred, publish_data
from generator.errors import BuildError, Problem, SourceError
from generator.model import Catalogue
from generator.output import OutputTree, replace_tree, staging_dir_for
from generator.source.loader import ID_PATTERN, load_source
from generator.writers import api, hosting, html, records, search, site_assets, sitemap, stac, tilesets

log = logging.getLogger("geosite")

class Pending(Protocol):
    """What a writer that works in the background returns (search: Pagefind, a process of its own)."""

    def finish(self) -> None: ...

    def cancel(self) -> None: ...


Stage = Callable[[Catalogue, OutputTree], "Pending | None"]

FEATURES_CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
FEATURES_CONFORMANCE = frozenset({FEATURES_CONF + "core", FEATURES_CONF + "geojson", FEATURES_CONF + "oas30"})
"""Features Part 1 classes the vector stage's static pages implement (the OpenAPI document describes their paths)."""

PIPELINES: tuple[DataPipeline, ...] = (
    DataPipeline("raster", Deferred("generator.data.raster"), memory_factor=0.2),  # windowed: memory does not grow with size
    DataPipeline("vector", Deferred("generator.data.vector"), FEATURES_CONFORMANCE, memory_factor=8.0, pages=True),
)
"""Read each dataset's source once and publish its files, adding assets and collections to the model."""

POST_DATA: tuple[Stage, ...] = (limits.enforce,)
"""Act on the data files as a whole before they are described (host file-size caps)."""

WRITERS: tuple[Stage, ...] = (search.write, records.write, stac.write, api.write, tilesets.write, site_assets.write, html.write, sitemap.write, hosting.write)
"""Describe the model: they read only the model, never each other's files. Search comes first: its indexing runs
in the background while the others write, and is finished after them."""

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    catalogue: Catalogue | None  # None when nothing changed and the output was left as it is
    output: Path
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unchanged: stamp.Stamp | None = None  # the previous build's stamp, when it was still up to date
    failures: list[Problem] = field(default_factory=list)  # keep-going builds: the datasets that failed


def build(src: Path, dest: Path, base_url: str | None = None, check: bool = True, progress: Progress | None = None, jobs: int | None = None, cache: bool = True, keep_going: bool = False) -> BuildResult:
    """Build the site for the source folder `src` into `dest`, replacing it only on success.

    `jobs` processes work on datasets at once (default: all cores); `cache` reuses unchanged datasets' data,
    and leaves the output as it is when no input changed since it was built. With `keep_going`, a dataset
    whose data fails is published from its last good build (or left out) and the rest is published; the
    failures are in the result.
    """
    report = progress or (lambda step: None)
    dest = Path(dest)
    _refuse_dangerous_destination(Path(src), dest)
    inputs = stamp.build_inputs(Path(src), dest, base_url, check)
    previous = stamp.unchanged(dest, inputs) if cache else None
    if previous:
        return BuildResult(None, dest, unchanged=previous)
    report("Reading the source folder")
    with _no_collections():
        catalogue, unloaded = load_source(Path(src), base_url=base_url)
    if unloaded and not keep_going:
        raise SourceError([problem for problems in unloaded.values() for problem in problems])
    staging = staging_dir_for(dest)
    gc.freeze()  # the model lives as long as the build: no collection walks it again, no fork copies it for that
    try:
        out = OutputTree(staging)
        data_cache = DataCache.beside(dest, catalogue.base_url, _page_fingerprints(catalogue)) if cache else None
        failures = _fall_back_unloaded(catalogue, unloaded, data_cache, out)
        failures += publish_data(catalogue, out, PIPELINES, jobs=jobs, cache=data_cache, progress=report, keep_going=keep_going)
        _write(catalogue, out, report)
        findings = _check(staging, catalogue, out.written, report) if check else []
        stamp.forget(dest)
        replace_tree(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        gc.unfreeze()
    if cache and not failures:  # a build with failures is never up to date: the next one tries them again
        stamp.record(dest, inputs, len(catalogue.datasets), len(out.written))
    return BuildResult(catalogue, dest, out.written, findings, failures=failures)


def _fall_back_unloaded(catalogue: Catalogue, unloaded: dict[str, list[Problem]], cache: DataCache | None, out: OutputTree) -> list[Problem]:
    """Keep-going builds: a dataset whose YAML or source cannot be read is published as it was in its last good
    build (metadata and data, from the cache, with a warning on its page), or left out if it never built."""
    for name, problems in sorted(unloaded.items()):
        message = "; ".join(p.message for p in problems)
        restored = cache.restore_dataset(name, out) if cache and ID_PATTERN.match(name) else None
        if restored is None:
            log.warning("%s: cannot be read and never built before, so it is left out of the site", name)
            continue
        restored.stale = message
        catalogue.datasets.append(restored)
        log.warning("%s: cannot be read, so its last good version is published again", name)
    catalogue.datasets.sort(key=lambda d: d.id)
    return [problem for _, problems in sorted(unloaded.items()) for problem in problems]


@contextmanager
def _no_collections() -> Iterator[None]:
    """No garbage collection while the model is loaded: each full collection walked all of the model loaded so
    far, which doubled the time to load 100k records (21 s to 11 s). Loading makes little cyclic garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write(catalogue: Catalogue, out: OutputTree, report: Progress) -> None:
    """Every writer in turn, then what any of them left running in the background is finished (or, when the
    build fails, stopped: a failed build must not wait for it)."""
    pending: list[tuple[str, Pending]] = []
    try:
        for stage in (*POST_DATA, *WRITERS):
            name = stage.__module__.rsplit(".", 1)[-1]
            report(f"Writing {name}")
            started = stage(catalogue, out)
            if started is not None:
                pending.append((name, started))
        while pending:
            name, started = pending[0]
            report(f"Finishing {name}")
            started.finish()
            pending.pop(0)
    except BaseException:
        for _, started in pending:
            started.cancel()
        raise


def _page_fingerprints(catalogue: Catalogue) -> dict[str, str]:
    """For the pipelines that render pages, what their cached results depend on in the rest of the site; worked
    out only when some dataset goes through one (the pages module loads pyarrow)."""
    kinds = {d.source.kind for d in catalogue.datasets if d.source}
    wanted = [p.kind for p in PIPELINES if p.pages and p.kind in kinds]
    if not wanted:
        return {}
    from generator.writers.html_features import site_fingerprint
    fingerprint = site_fingerprint(catalogue)
    return {kind: fingerprint for kind in wanted}


def _check(staging: Path, catalogue: Catalogue, files: list[str], report: Progress) -> list[Finding]:
    report("Checking the output")
    findings = check_build(staging, catalogue.base_url, files)
    if findings:
        raise BuildError([Problem(f"check failed: {f}") for f in findings])
    return findings


def _refuse_dangerous_destination(src: Path, dest: Path) -> None:
    """The output replaces `dest` whole: never let that be the source folder, or a folder holding it."""
    src, dest = src.resolve(), dest.resolve()
    if dest == src or src.is_relative_to(dest):
        raise BuildError(f"output folder {dest} would replace the source folder {src}; choose another -o")
    if dest.exists() and not dest.is_dir():
        raise BuildError(f"output path {dest} exists and is not a folder")
