"""Errors meant for people: one line each, naming the file, line and key where there is one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    message: str
    file: Path | None = None
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = _display_path(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}"


class GeositeError(Exception):
    """An error geosite reports to its user without a traceback."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SourceError(GeositeError):
    """The source folder (YAML or data files) is wrong; the user must fix it."""


class BuildError(GeositeError):
    """Processing failed for reasons found while building (data, disk, tools)."""


def _display_path(path: Path) -> str:
    """Paths relative to the working directory read better in messages when they can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
