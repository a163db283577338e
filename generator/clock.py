"""The build's notion of "now", which must not make two builds of the same input differ."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path


def build_time(inputs: Iterable[Path] = ()) -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible-builds.org), else the newest modification time of `inputs`.

    Wall-clock time is never used, so rebuilding unchanged input gives byte-identical output.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    mtimes = [p.stat().st_mtime for p in inputs if p.exists()]
    return datetime.fromtimestamp(int(max(mtimes, default=0)), tz=timezone.utc)


def iso_utc(moment: datetime) -> str:
    """RFC 3339 UTC timestamp with a Z, second precision."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
