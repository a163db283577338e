"""Benchmark inputs are written once: a folder with a `.complete` marker is reused, anything else is redone."""

from __future__ import annotations

import shutil
from pathlib import Path

MARKER = ".complete"


def prepared(root: Path) -> bool:
    return (root / MARKER).exists()


def fresh(root: Path) -> Path:
    """An empty `root`: an incomplete earlier attempt is thrown away."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    return root


def finish(root: Path) -> Path:
    (root / MARKER).touch()
    return root
