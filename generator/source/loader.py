"""Load a source folder (catalogue.yaml + datasets/<id>/dataset.yaml + data files) into the model."""

from __future__ import annotations

import os
import re
import stat
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from generator import parallel, resources
from generator.data.limits import parse_size
from generator.errors import Problem, SourceError
from generator.model import (
    Basemap,
    Catalogue,
    Concept,
    Contact,
    Dataset,
    ExternalLink,
    License,
    Publisher,
    Theme,
    TimeExtent,
)
from generator.source.extent import check_declared_bbox
from generator.source.validate import validate_document
from generator.source.yamlfile import YamlDocument, read_yaml

CATALOGUE_FILE = "catalogue.yaml"
DATASETS_DIR = "datasets"
DATASET_FILE = "dataset.yaml"
RESERVED_IDS = frozenset({"records"})
DEFAULT_BASEMAP_ATTRIBUTION = "Natural Earth"
DEFAULT_BASEMAP_ATTRIBUTION_URL = "https://www.naturalearthdata.com/"
OUTPUT_OPTIONS = ("features", "tiles", "downloads", "raster")
"""Top-level YAML sections that tune a dataset's outputs; carried as they are into `Dataset.options`."""
ID_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.)){0,99}$")


def load_catalogue(src: Path, base_url: str | None = None, inspect: bool = True) -> Catalogue:
    """Read and validate everything under `src`; raise SourceError listing every problem found."""
    catalogue, failed = load_source(src, base_url, inspect)
    if failed:
        raise SourceError([problem for problems in failed.values() for problem in problems])
    return catalogue


def load_source(src: Path, base_url: str | None = None, inspect: bool = True) -> tuple[Catalogue, dict[str, list[Problem]]]:
    """The catalogue with every dataset that loaded, and the problems of those that did not, by folder name (for
    keep-going builds). A problem with catalogue.yaml itself is raised: there is no site without it."""
    src = Path(src)
    if not (src / CATALOGUE_FILE).is_file():
        raise SourceError(Problem(f"no {CATALOGUE_FILE} here; is this a geosite source folder? (see README: 'The source format')", src))
    doc = read_yaml(src / CATALOGUE_FILE)
    problems = validate_document(doc, "catalogue.schema.json")
    if problems:
        raise SourceError(problems)
    catalogue = _catalogue_from(doc, src, base_url)
    catalogue.datasets, failed = _load_datasets(src, catalogue, inspect)
    return catalogue, failed


def _catalogue_from(doc: YamlDocument, src: Path, base_url: str | None) -> Catalogue:
    data = doc.data
    url = base_url or data.get("base_url")
    return Catalogue(
        src_dir=src,
        id=data.get("id", "catalogue"),
        title=data["title"].strip(),
        description=data["description"].strip(),
        publisher=Publisher(**data["publisher"]),
        base_url=(url.rstrip("/") + "/") if url else None,
        language=data.get("language", "en"),
        license=_license(data.get("license")),
        keywords=tuple(data.get("keywords", ())),
        max_file_size=parse_size(data.get("max_file_size")),
        oversize_files=data.get("oversize_files", "split"),
        basemap=_basemap(doc, src),
    )


def _basemap(doc: YamlDocument, src: Path) -> Basemap | None:
    """The background map: geosite's own unless the YAML names another or says none; a PMTiles archive of the
    user's must be a file inside the source folder."""
    value = doc.data.get("basemap")
    if value == "none":
        return None
    if value is None:
        return Basemap(DEFAULT_BASEMAP_ATTRIBUTION, None, resources.basemap_archive(), DEFAULT_BASEMAP_ATTRIBUTION_URL)
    archive = src / value["pmtiles"] if "pmtiles" in value else None
    if archive is not None and not (_inside(archive, src) and archive.is_file()):
        raise SourceError(doc.problem(("basemap", "pmtiles"), f"basemap archive {value['pmtiles']} is not a file inside the source folder"))
    if archive is not None and archive.open("rb").read(7) != b"PMTiles":
        raise SourceError(doc.problem(("basemap", "pmtiles"), f"basemap archive {value['pmtiles']} is not a PMTiles archive"))
    return Basemap(value.get("attribution"), value.get("url"), archive, value.get("attribution_url"), value.get("max_zoom"))


def _load_datasets(src: Path, catalogue: Catalogue, inspect: bool) -> tuple[list[Dataset], dict[str, list[Problem]]]:
    root = src / DATASETS_DIR
    if not root.is_dir():
        return [], {}
    seen: dict[str, str] = {}
    checked: list[tuple[str, Path | SourceError]] = []
    root_is_plain = _plainly_below(root, src)
    with os.scandir(root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if not entry.name.startswith("."):
                checked.append((entry.name, _checked_folder(entry, root_is_plain, src, seen)))

    def load_slice(part: list[tuple[str, Path | SourceError]]) -> list[tuple[str, Dataset | SourceError]]:
        return [(name, entry if isinstance(entry, SourceError) else _loaded(entry, src, catalogue, inspect)) for name, entry in part]

    datasets: list[Dataset] = []
    failed: dict[str, list[Problem]] = {}
    for name, entry in (e for part in parallel.map_slices(load_slice, checked) for e in part):
        if isinstance(entry, SourceError):
            failed.setdefault(name, []).extend(entry.problems)
        else:
            datasets.append(entry)
    return datasets, failed


def _checked_folder(entry: os.DirEntry, root_is_plain: bool, src: Path, seen: dict[str, str]) -> Path | SourceError:
    folder = Path(entry.path)
    try:
        _check_folder(folder, src, seen, inside=root_is_plain and not entry.is_symlink() and entry.is_dir())
    except SourceError as exc:
        return exc
    return folder


def _loaded(folder: Path, src: Path, catalogue: Catalogue, inspect: bool) -> Dataset | SourceError:
    try:
        return load_dataset(folder, src, catalogue, inspect)
    except SourceError as exc:
        return exc


def _check_folder(folder: Path, src: Path, seen: dict[str, str], inside: bool) -> None:
    """The folder name is the id: it must be safe in every URL and path, unique regardless of case. `inside`:
    already known to be a real folder inside the source (from the listing, without a system call per dataset)."""
    name = folder.name
    if not inside and not folder.is_dir():
        raise SourceError(Problem("only dataset folders belong in datasets/ (datasets/<id>/dataset.yaml)", folder))
    if not inside and not _inside(folder, src):
        raise SourceError(Problem("dataset folder is a link to outside the source folder; copy it in instead", folder))
    if not ID_PATTERN.match(name):
        raise SourceError(Problem(f"dataset id '{name}' (the folder name) must be 1-100 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit", folder))
    if name.lower() in RESERVED_IDS:
        raise SourceError(Problem(f"dataset id '{name}' is reserved by geosite; rename the folder", folder))
    if name.lower() in seen:
        raise SourceError(Problem(f"dataset id '{name}' differs from '{seen[name.lower()]}' only in case; ids must be unique regardless of case", folder))
    seen[name.lower()] = name
    kind = _file_kind(folder / DATASET_FILE)
    if kind not in ("file", "link") or (kind == "link" and not (folder / DATASET_FILE).is_file()):
        raise SourceError(Problem(f"no {DATASET_FILE} in this dataset folder", folder))
    if (kind == "link" or not inside) and not _inside(folder / DATASET_FILE, src):
        raise SourceError(Problem("is a link to outside the source folder; copy the file in instead", folder / DATASET_FILE))


def load_dataset(folder: Path, src: Path, catalogue: Catalogue, inspect: bool = True) -> Dataset:
    """One dataset from its folder; the folder name is its id."""
    doc = read_yaml(folder / DATASET_FILE)
    problems = validate_document(doc, "dataset.schema.json")
    if problems:
        raise SourceError(problems)
    data = doc.data
    dataset = Dataset(
        id=folder.name,
        yaml_path=doc.path,
        title=data["title"].strip(),
        description=data.get("description", "").strip(),
        type=data.get("type", "dataset"),
        keywords=tuple(dict.fromkeys(k.strip() for k in data.get("keywords", ()))),
        themes=tuple(_theme(t) for t in data.get("themes", ())),
        license=_license(data.get("license")) or catalogue.license,
        rights=data.get("rights"),
        contacts=tuple(_contact(c) for c in data.get("contacts", ())),
        time=_time(doc, data.get("time")),
        language=data.get("language"),
        external_ids=tuple((e.get("scheme"), e["value"]) for e in data.get("externalIds", ())),
        links=tuple(_link(link) for link in data.get("links", ())),
        created=_instant(doc, ("created",), data.get("created")),
        updated=_instant(doc, ("updated",), data.get("updated")),
        declared_bbox=_declared_bbox(doc),
        options={key: data[key] for key in OUTPUT_OPTIONS if key in data},
    )
    _attach_source(dataset, doc, src, inspect)
    return dataset


def _attach_source(dataset: Dataset, doc: YamlDocument, src: Path, inspect: bool) -> None:
    source = doc.data.get("source")
    if source is None:
        dataset.bbox = dataset.declared_bbox
        return
    options = dict(source) if isinstance(source, dict) else {"path": source}
    path = (doc.path.parent / options.pop("path"))
    if not _inside(path, src):
        raise SourceError(doc.problem(("source",), "points outside the source folder; copy the data into it"))
    if not path.exists():
        raise SourceError(doc.problem(("source",), f"file not found: {path.name} (paths are relative to {DATASET_FILE})"))
    dataset.source_path = path
    dataset.source_options = options
    if inspect:
        from generator.data.inspect import inspect_source

        dataset.source = inspect_source(path, options, doc)
        dataset.bbox = check_declared_bbox(doc, dataset.declared_bbox, dataset.source.bbox)


def _file_kind(path: Path) -> str | None:
    """'file', 'link', 'other' or None (missing), from one lstat."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    return "file" if stat.S_ISREG(mode) else "link" if stat.S_ISLNK(mode) else "other"


def _inside(path: Path, root: Path) -> bool:
    if _plainly_below(path, root):
        return True
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _plainly_below(path: Path, root: Path) -> bool:
    """`path` is written as under `root` and no folder or file on the way is a link: inside without resolving
    both paths (which stats every folder from /, twice per dataset)."""
    parts, base = path.parts, root.parts
    if parts[: len(base)] != base or ".." in parts[len(base):]:
        return False
    step = str(root)
    for part in parts[len(base):]:
        step = os.path.join(step, part)
        if os.path.islink(step):
            return False
    return True


def _license(value: Any) -> License | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return License("other", value["name"], value["url"])
    return License(value.strip())


def _theme(value: dict) -> Theme:
    concepts = tuple(Concept(c) if isinstance(c, str) else Concept(c["id"], c.get("title"), c.get("url")) for c in value["concepts"])
    return Theme(value["scheme"], concepts)


def _contact(value: dict) -> Contact:
    return Contact(**{**value, "roles": tuple(value.get("roles", ()))})


def _link(value: dict) -> ExternalLink:
    return ExternalLink(href=value["href"], title=value.get("title"), rel=value.get("rel", "related"), media_type=value.get("type"))


def _time(doc: YamlDocument, value: Any) -> TimeExtent | None:
    if value is None:
        return None
    if isinstance(value, str):
        instant = _instant(doc, ("time",), value)
        return TimeExtent(instant, instant, instant=True)
    start = _instant(doc, ("time", "start"), value.get("start"))
    end = _instant(doc, ("time", "end"), value.get("end"))
    if start and end and _as_datetime(start) > _as_datetime(end):
        raise SourceError(doc.problem(("time", "end"), f"interval ends ({end}) before it starts ({start})"))
    return TimeExtent(start, end, resolution=value.get("resolution"))


def _instant(doc: YamlDocument, location: tuple, value: str | None) -> str | None:
    """Check a date or date-time is real; date-times are normalised to UTC with a Z."""
    if value is None or value == "..":
        return None
    try:
        if len(value) == 10:
            date.fromisoformat(value)
            return value
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SourceError(doc.problem(location, f"not a real date or time: {value} ({exc})")) from None
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _as_datetime(value: str) -> datetime:
    if len(value) == 10:
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _declared_bbox(doc: YamlDocument) -> tuple[float, float, float, float] | None:
    bbox = doc.data.get("bbox")
    if bbox is None:
        return None
    west, south, east, north = (float(v) for v in bbox)
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise SourceError(doc.problem(("bbox",), f"longitudes must be within -180..180; got west={west}, east={east}"))
    if not (-90 <= south <= north <= 90):
        raise SourceError(doc.problem(("bbox",), f"latitudes must satisfy -90 <= south <= north <= 90; got south={south}, north={north} (is it [west, south, east, north]?)"))
    return (west, south, east, north)
