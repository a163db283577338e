"""Reuse a dataset's published data files when nothing that shapes them has changed.

The cache lives beside the output folder (`.<output>.cache/`), one entry per dataset: the files the pipeline
wrote (hard-linked, so restoring costs no copy) and the dataset's data fields. The key covers geosite's
version, the pipeline, the dataset's YAML except purely descriptive keys, the catalogue settings pipelines
read, and the size and modification time of every file in the dataset's folder (and of its source).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from dataclasses import fields
from functools import cache
from pathlib import Path

from generator import __version__
from generator.model import Dataset
from generator.output import OutputTree
from generator.source.yamlfile import read_yaml

DESCRIPTIVE_KEYS = frozenset({"description", "keywords", "themes", "links", "externalIds", "created", "updated", "type", "language"})
"""YAML keys that only the metadata writers read: editing them re-renders pages but never re-processes data."""

FORMAT = 3  # bump when what a cache entry holds changes


class DataCache:
    def __init__(self, root: Path, base_url: str | None, pages: dict[str, str] | None = None):
        self.root = Path(root)
        self.base_url = base_url
        self.pages = pages or {}  # pipeline kind -> fingerprint of what the HTML pages it renders depend on

    @classmethod
    def beside(cls, dest: Path, base_url: str | None, pages: dict[str, str] | None = None) -> "DataCache":
        dest = Path(dest).resolve()
        return cls(dest.parent / f".{dest.name}.cache", base_url, pages)

    def key(self, dataset: Dataset, kind: str) -> str:
        yaml_doc = {k: v for k, v in read_yaml(dataset.yaml_path).data.items() if k not in DESCRIPTIVE_KEYS}
        material = {"format": FORMAT, "version": __version__, "code": code_fingerprint(), "kind": kind, "id": dataset.id, "yaml": yaml_doc, "base_url": self.base_url, "pages": self.pages.get(kind), "files": _file_stats(dataset)}
        return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()[:32]

    def restore(self, dataset: Dataset, kind: str, out: OutputTree) -> bool:
        """Put the cached files into `out` and the cached data fields into `dataset`; False on a miss."""
        return self._restore_entry(self.root / dataset.id / self.key(dataset, kind), dataset, out)

    def restore_last(self, dataset: Dataset, out: OutputTree) -> bool:
        """The dataset's last good data whatever its inputs were then (the one entry `store` keeps), for a
        keep-going build in which the dataset failed; False when it never built."""
        return self._restore_entry(self._last_entry(dataset.id), dataset, out)

    def restore_dataset(self, dataset_id: str, out: OutputTree) -> Dataset | None:
        """The whole dataset (metadata and data) as its last good build had it, for a keep-going build that
        cannot read its YAML or source; None when it never built."""
        entry = self._last_entry(dataset_id)
        cached = _read_entry(entry)
        if cached is None or not self._restore_entry(entry, cached[0], out):
            return None
        return cached[0]

    def _last_entry(self, dataset_id: str) -> Path:
        folder = self.root / dataset_id
        entries = sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []
        return entries[-1] if entries else folder / "none"

    def _restore_entry(self, entry: Path, dataset: Dataset, out: OutputTree) -> bool:
        from generator.engine import copy_data_fields

        cached = _read_entry(entry)
        if cached is None:
            return False
        for rel in cached[1]:
            _link_or_copy(entry / "files" / rel, out.claim(rel, f"cache:{dataset.id}"))
        copy_data_fields(cached[0], dataset)
        return True

    def store(self, dataset: Dataset, kind: str, files: list[str], out: OutputTree) -> None:
        """Keep this result as the dataset's only entry (older ones are removed), written atomically."""
        folder = self.root / dataset.id
        key = self.key(dataset, kind)
        temporary = folder / f".{key}.{os.getpid()}"
        shutil.rmtree(temporary, ignore_errors=True)
        for rel in files:
            target = temporary / "files" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(out.root / rel, target)
        temporary.mkdir(parents=True, exist_ok=True)
        (temporary / "files.json").write_text(json.dumps(sorted(files)))
        (temporary / "dataset.pickle").write_bytes(pickle.dumps(dataset))
        for old in folder.iterdir():
            if old != temporary:
                shutil.rmtree(old, ignore_errors=True)
        temporary.rename(folder / key)


def _read_entry(entry: Path) -> tuple[Dataset, list[str]] | None:
    """The pickled dataset and file list of a cache entry, or None when it is unreadable, incomplete or from a
    geosite whose Dataset had other fields."""
    try:
        cached = pickle.loads((entry / "dataset.pickle").read_bytes())
        files = json.loads((entry / "files.json").read_text())
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(cached, Dataset) or not all(hasattr(cached, f.name) for f in fields(Dataset)):
        return None
    if not all((entry / "files" / rel).is_file() for rel in files):
        return None
    return cached, files


@cache
def code_fingerprint() -> str:
    """Hash of geosite's own Python sources: a changed pipeline must not reuse results of the old one."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _file_stats(dataset: Dataset) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of every file that can feed the pipeline: the dataset folder and the source."""
    folder = dataset.yaml_path.parent
    paths = {p for p in folder.rglob("*") if p.is_file() and p.name != "dataset.yaml"}
    source = dataset.source_path
    if source is not None and source.exists():
        paths |= set(source.rglob("*")) if source.is_dir() else set(source.parent.glob(source.stem + ".*"))
    stats = []
    for path in sorted(p for p in paths if p.is_file()):
        info = path.stat()
        stats.append((str(path.resolve()), info.st_size, info.st_mtime_ns))
    return stats


def _link_or_copy(source: Path, target: Path) -> None:
    """Hard link when source and target share a filesystem (free), else copy."""
    if target.exists():
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
