"""`geosite init`: a new source folder, ready to build, with every key of catalogue.yaml explained."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from generator.errors import SourceError
from generator.source.loader import CATALOGUE_FILE, DATASETS_DIR

EXAMPLE = "catalogue.example.yaml"


def init(folder: Path) -> list[Path]:
    """Write catalogue.yaml and an empty datasets/ into `folder` (created if needed); never overwrite anything."""
    catalogue, datasets = folder / CATALOGUE_FILE, folder / DATASETS_DIR
    existing = [path for path in (catalogue, datasets) if path.exists() or path.is_symlink()]
    if existing:
        raise SourceError(f"{existing[0]} already exists; geosite init writes only into a folder without {CATALOGUE_FILE} or {DATASETS_DIR}/")
    if folder.exists() and not folder.is_dir():
        raise SourceError(f"{folder} exists and is not a folder")
    datasets.mkdir(parents=True)
    (datasets / ".gitkeep").write_text("")
    catalogue.write_text(catalogue_yaml(folder), encoding="utf-8")
    return [catalogue, datasets]


def catalogue_yaml(folder: Path) -> str:
    """The commented example, titled after the folder's name."""
    name = folder.resolve().name.replace("-", " ").replace("_", " ").strip() or "Catalogue"
    title = name[0].upper() + name[1:]
    text = (files("generator") / "schemas" / EXAMPLE).read_text(encoding="utf-8")
    return text.format(title=_yaml_text(title), publisher="Your organisation", folder=_shell_word(folder))


def _yaml_text(text: str) -> str:
    """A plain scalar when YAML reads it back as the same text, else a double-quoted one."""
    import json

    import yaml

    return text if yaml.safe_load(text) == text and ":" not in text and "#" not in text else json.dumps(text)


def _shell_word(folder: Path) -> str:
    import shlex

    return shlex.quote(str(folder))
