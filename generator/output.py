"""The output tree: a staging directory every writer writes through, swapped into place only when complete."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import BuildError

MULTIHASH_SHA256 = "1220"
"""Multihash prefix for sha2-256 (code 0x12, 32 bytes), as the STAC file extension expects."""


class OutputTree:
    """Refuses two writes aimed at one path and any path that would leave the tree (Pelican's rule)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._owners: dict[str, str] = {}
        self._lock = threading.Lock()

    def claim(self, rel: str, owner: str) -> Path:
        """Reserve `rel` for `owner` and return its filesystem path, with parent folders made."""
        rel = safe_relpath(rel)
        with self._lock:
            if rel in self._owners:
                raise BuildError(f"two outputs aimed at {rel}: {self._owners[rel]} and {owner}")
            self._owners[rel] = owner
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write_bytes(self, rel: str, data: bytes, owner: str) -> Path:
        path = self.claim(rel, owner)
        path.write_bytes(data)
        return path

    def write_text(self, rel: str, text: str, owner: str) -> Path:
        return self.write_bytes(rel, text.encode("utf-8"), owner)

    def write_json(self, rel: str, document: Any, owner: str, compact: bool = False) -> Path:
        """Deterministic JSON: key order as built, UTF-8, no NaN (invalid JSON) allowed."""
        text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":") if compact else None, indent=None if compact else 1)
        return self.write_text(rel, text + "\n", owner)

    @property
    def written(self) -> list[str]:
        return sorted(self._owners)


def safe_relpath(rel: str) -> str:
    """Normalise a '/'-separated output path; refuse absolute paths and any '..' segment."""
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts) or "\\" in rel or "\x00" in rel:
        raise BuildError(f"refusing to write outside the output folder: {rel!r}")
    return str(path)


def file_checksum(path: Path) -> str:
    """sha2-256 multihash of a file, streamed so large downloads do not fill memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return MULTIHASH_SHA256 + digest.hexdigest()


def describe_file(path: Path) -> tuple[int, str]:
    """(size in bytes, sha2-256 multihash) of a written file, for assets and download links."""
    return path.stat().st_size, file_checksum(path)


def staging_dir_for(dest: Path) -> Path:
    """A fresh staging folder beside `dest` (same filesystem, so the final rename is atomic)."""
    dest = dest.resolve()
    staging = dest.parent / f".{dest.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def replace_tree(staging: Path, dest: Path) -> None:
    """Put the finished staging tree at `dest`; the previous output stays whole until the last moment."""
    dest = dest.resolve()
    old = dest.parent / f".{dest.name}.old-{os.getpid()}"
    if dest.exists():
        if not dest.is_dir():
            raise BuildError(f"output path exists and is not a folder: {dest}")
        dest.rename(old)
    staging.rename(dest)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
