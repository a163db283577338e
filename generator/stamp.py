"""Skip a build whose every input is as it was for the output now in place: the no-op rebuild costs a file walk.

The stamp, kept beside the output (`.<output>.stamp.json`), records a fingerprint of everything a build reads
(the size and modification time of every file in the source folder, geosite's own code, templates and pinned
web libraries, the build options, SOURCE_DATE_EPOCH) and the identity of the output folder it produced (each
build swaps in a new folder, so an output replaced or rebuilt since has another identity). Deliberately light:
the CLI consults it before importing the pipelines.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__

FORMAT = 1
PACKAGE = Path(__file__).resolve().parent
SITE_INPUTS = (PACKAGE, PACKAGE / "_bundle" / "site_templates")
"""geosite's own files a build reads besides the source folder: code, schemas and its bundle (templates, the map
libraries, the basemap); the templates again because an editable install links them from the checkout."""


@dataclass(frozen=True)
class Stamp:
    fingerprint: str
    output: list[int]  # device, inode and mtime of the output folder the build swapped in
    datasets: int
    files: int


def build_inputs(src: Path, dest: Path, base_url: str | None, check: bool) -> str:
    """Fingerprint of a build of `src` into `dest` with these options (what `record` and `unchanged` compare)."""
    return fingerprint(src, dest, {"base_url": base_url, "check": check})


def up_to_date(src: Path, dest: Path, base_url: str | None, check: bool) -> Stamp | None:
    """The stamp of the output at `dest` when building `src` again would give the same output, else None."""
    return unchanged(dest, build_inputs(src, dest, base_url, check))


def fingerprint(src: Path, dest: Path, options: dict[str, Any]) -> str:
    """Hash of every input of a build of `src` into `dest` with these options."""
    digest = hashlib.sha256(json.dumps([FORMAT, __version__, options, os.environ.get("SOURCE_DATE_EPOCH")], sort_keys=True).encode())
    skip = _own_folders(dest)
    for root in (Path(src).resolve(), *SITE_INPUTS):
        for entry in _file_stats(root, skip):
            digest.update(entry.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def unchanged(dest: Path, print_: str) -> Stamp | None:
    """The stamp of the output at `dest` when it was built from inputs with fingerprint `print_`, else None."""
    try:
        stamp = Stamp(**json.loads(_stamp_path(dest).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return stamp if stamp.fingerprint == print_ and stamp.output == _identity(dest) else None


def record(dest: Path, print_: str, datasets: int, files: int) -> None:
    """Remember that the output now at `dest` was built from inputs with fingerprint `print_` (atomically)."""
    path = _stamp_path(dest)
    temporary = path.with_name(f"{path.name}.tmp{os.getpid()}")
    temporary.write_text(json.dumps(Stamp(print_, _identity(dest), datasets, files).__dict__))
    temporary.replace(path)


def forget(dest: Path) -> None:
    """Drop the stamp (before the output changes), so a build interrupted after the swap is never skipped."""
    _stamp_path(dest).unlink(missing_ok=True)


def _stamp_path(dest: Path) -> Path:
    dest = Path(dest).resolve()
    return dest.parent / f".{dest.name}.stamp.json"


def _identity(dest: Path) -> list[int]:
    try:
        info = Path(dest).resolve().stat()
    except OSError:
        return []
    return [info.st_dev, info.st_ino, info.st_mtime_ns]


def _own_folders(dest: Path) -> set[str]:
    """The output, its staging folders and its cache, which may sit inside the source folder: not inputs."""
    dest = Path(dest).resolve()
    return {str(dest), *(str(p) for p in dest.parent.glob(f".{dest.name}.*"))}


def _file_stats(root: Path, skip: set[str]) -> list[str]:
    """A line per file under `root` (or for `root` itself), sorted; links are followed to files. The mtime, inode
    and mode change on every write, replace-by-rename and chmod (an unreadable file must not count as unchanged);
    not the ctime, which a hard link to the file (a basemap published into the output) changes too."""
    if root.is_file():
        return [_stat_line(str(root), root.stat())]
    entries = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if os.path.join(folder, d) not in skip and d != "__pycache__")
        for name in names:
            path = os.path.join(folder, name)
            if path in skip:
                continue
            try:
                info = os.stat(path)
            except OSError:
                info = os.lstat(path)  # a dangling link still counts: it makes the build fail
            entries.append(_stat_line(path, info))
    return sorted(entries)


def _stat_line(path: str, info: os.stat_result) -> str:
    return f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_mode}\0{info.st_ino}\n"
