"""The output tree: a staging directory every writer writes through, swapped into place only when complete."""

from __future__ import annotations

import ctypes
import hashlib
import math
import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from generator.errors import BuildError

JSON_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
MULTIHASH_SHA256 = "1220"
"""Multihash prefix for sha2-256 (code 0x12, 32 bytes), as the STAC file extension expects."""


class OutputTree:
    """Refuses two writes aimed at one path and any path that would leave the tree (Pelican's rule)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._owners: dict[str, str] = {}
        self._folders: set[str] = set()  # made already: one mkdir per folder, not per file
        self._lock = threading.Lock()

    def claim(self, rel: str, owner: str) -> Path:
        """Reserve `rel` for `owner` and return its filesystem path, with parent folders made."""
        rel = safe_relpath(rel)
        with self._lock:
            if rel in self._owners:
                raise BuildError(f"two outputs aimed at {rel}: {self._owners[rel]} and {owner}")
            self._owners[rel] = owner
        folder = rel.rpartition("/")[0]
        if folder not in self._folders:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return self.root / rel

    def write_bytes(self, rel: str, data: bytes, owner: str) -> Path:
        path = self.claim(rel, owner)
        write_file(path, data)
        return path

    def write_text(self, rel: str, text: str, owner: str) -> Path:
        return self.write_bytes(rel, text.encode("utf-8"), owner)

    def write_json(self, rel: str, document: Any, owner: str, compact: bool = False) -> Path:
        """Deterministic JSON: key order as built, UTF-8, no NaN (invalid JSON) allowed."""
        return self.write_bytes(rel, json_bytes(document, compact), owner)

    @property
    def written(self) -> list[str]:
        return sorted(self._owners)

    @property
    def owners(self) -> dict[str, str]:
        """Every path claimed so far, with who claimed it."""
        with self._lock:
            return dict(self._owners)

    def adopt(self, owners: dict[str, str]) -> None:
        """Record files another process wrote into this tree (generator/writers/parallel.py); same rule as claim."""
        with self._lock:
            for rel, owner in owners.items():
                if rel in self._owners:
                    raise BuildError(f"two outputs aimed at {rel}: {self._owners[rel]} and {owner}")
                self._owners[rel] = owner


CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def write_file(path: Path, data: bytes) -> None:
    """Three system calls per file where Path.write_bytes makes six (fstat, isatty, lseek): a big catalogue
    writes tens of thousands of small files, and on a VM each call is dear."""
    descriptor = os.open(path, CREATE_FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def read_file(path: Path) -> bytes:
    """Unbuffered: no BufferedReader, no isatty call; the check reads every page and document of a build."""
    with open(path, "rb", buffering=0) as handle:
        return handle.readall()


def json_bytes(document: Any, compact: bool = False) -> bytes:
    """orjson (about 50x the standard encoder with indentation), refusing NaN and infinities, which orjson
    would silently write as null: only a document that has a null at all is searched for them."""
    data = orjson.dumps(document, option=JSON_OPTIONS if compact else JSON_OPTIONS | orjson.OPT_INDENT_2)
    if b"null" in data and not _finite(document):
        raise ValueError(f"NaN or infinity in a JSON document: {data[:200]!r}")
    return data


def _finite(node: Any) -> bool:
    kind = type(node)
    if kind is dict:
        return all(map(_finite, node.values()))
    if kind in (list, tuple):
        return all(map(_finite, node))
    return not isinstance(node, float) or math.isfinite(node)  # numpy's float64 is a float too


def safe_relpath(rel: str) -> str:
    """Normalise a '/'-separated output path; refuse absolute paths and any '..' segment."""
    if _plain(rel):
        return rel
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts) or "\\" in rel or "\x00" in rel:
        raise BuildError(f"refusing to write outside the output folder: {rel!r}")
    return str(path)


def _plain(rel: str) -> bool:
    """Already normal and safe (the paths layout.py makes): checked without building a PurePosixPath."""
    wrapped = f"/{rel}/"
    return bool(rel) and rel[0] != "/" and "//" not in wrapped and "/./" not in wrapped and "/../" not in wrapped and "\\" not in rel and "\x00" not in rel


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
    """A fresh staging folder beside `dest` (same filesystem, so the final swap is atomic).

    Leftovers of builds that were killed are cleaned up first, and an output a killed swap left aside is put back.
    """
    dest = dest.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    _recover(dest)
    staging = dest.parent / f".{dest.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    return staging


def replace_tree(staging: Path, dest: Path) -> None:
    """Put the finished staging tree at `dest` in one atomic step; the previous output is whole until then."""
    dest = dest.resolve()
    if not dest.exists():
        staging.rename(dest)
        return
    if not dest.is_dir():
        raise BuildError(f"output path exists and is not a folder: {dest}")
    if _exchange(staging, dest):
        _discard(staging, dest)  # it now holds the previous output
        return
    old = dest.parent / f".{dest.name}.old-{os.getpid()}"
    dest.rename(old)  # without renameat2 there is a moment with no output; _recover undoes a kill here
    staging.rename(dest)
    _discard(old, dest)


def _discard(previous: Path, dest: Path) -> None:
    """Delete a replaced output in a detached process: the build is done once the new output is in place, and
    removing tens of thousands of files takes seconds. The next build removes whatever is left."""
    trash = dest.parent / f".{dest.name}.trash-{uuid.uuid4().hex}"
    previous.rename(trash)
    remover = shutil.which("rm")
    if remover is None or sys.platform == "win32":
        shutil.rmtree(trash, ignore_errors=True)
        return
    subprocess.Popen([remover, "-rf", "--", str(trash)], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories atomically with Linux's renameat2(RENAME_EXCHANGE); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0


def _recover(dest: Path) -> None:
    """Remove replaced outputs not yet deleted and staging folders of dead builds; restore an output that a
    killed fallback swap had moved aside."""
    for leftover in sorted(dest.parent.glob(f".{dest.name}.trash-*")):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in sorted(dest.parent.glob(f".{dest.name}.*-*")):
        kind, _, pid = leftover.name.rpartition("-")
        if kind not in (f".{dest.name}.staging", f".{dest.name}.old") or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind.endswith(".old") and not dest.exists():
            leftover.rename(dest)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
