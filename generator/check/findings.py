"""What a check found: returned as data, never raised (like rio-cogeo's validator)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    path: str  # output-relative file the finding is about
    message: str
    check: str  # which check: "links", "schema", …

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
