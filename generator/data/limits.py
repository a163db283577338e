"""Host file-size caps (`max_file_size` in catalogue.yaml): never publish a file the host will refuse.

GitHub Pages refuses files over 100 MB; other hosts and upload portals have their own caps. After the data
stages and before the writers, each published file over the cap is either split into numbered parts
(`oversize_files: split`, the default; readers join them with `cat`) or left out (`omit`), and the
dataset's description gains a note saying so, which the record page, record JSON and STAC show. Links in
the model (assets, API links, collection links) follow. Tile archives the map reads by range cannot be
split or dropped without breaking it, so one over the cap stops the build with a one-line error instead.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from generator.errors import BuildError, Problem
from generator.model import ApiLink, Asset, Catalogue, Dataset
from generator.output import OutputTree, describe_file

OWNER = "limits"
SPLIT, OMIT = "split", "omit"
PART_MEDIA_TYPE = "application/octet-stream"
UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4, "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}
SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$")
COPY_BLOCK = 1 << 20


def parse_size(value: int | str | None) -> int | None:
    """Bytes from 104857600, '100 MB' (decimal) or '100 MiB' (binary); None when not set."""
    if value is None or isinstance(value, int):
        return value
    match = SIZE.match(value)
    if not match or match.group(2).lower() not in UNITS | {"": 1}:
        raise ValueError(f"not a size: {value!r}")
    return int(float(match.group(1)) * UNITS.get(match.group(2).lower(), 1))


def human(size: int) -> str:
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def enforce(catalogue: Catalogue, out: OutputTree) -> None:
    """A POST_DATA stage (build.py: after the data pipelines, before the writers): apply the cap to every file."""
    limit = catalogue.max_file_size
    if not limit:
        return
    problems: list[Problem] = []
    for dataset in catalogue.datasets:
        notes: list[str] = []
        for asset in [*dataset.assets, *(a for item in dataset.items for a in item.assets)]:
            size = (out.root / asset.href).stat().st_size if (out.root / asset.href).is_file() else 0
            if size <= limit:
                continue
            if "tiles" in asset.roles:
                problems.append(Problem(f"{asset.href} ({human(size)}) is over max_file_size ({human(limit)}); the map reads this archive by range and cannot use parts: lower the tiles' max zoom or raise max_file_size", dataset.yaml_path))
                continue
            notes.append(_split(dataset, asset, out, limit) if catalogue.oversize_files == SPLIT else _omit(dataset, asset, out, limit, size))
        if notes:
            dataset.description = "\n\n".join(part for part in (dataset.description.strip(), *notes) if part)
    problems += [Problem(f"{rel} ({human(size)}) is over max_file_size ({human(limit)}) and is not a download that can be split or left out") for rel, size in _other_oversize(out, limit) if not any(p.message.startswith(rel + " ") for p in problems)]
    if problems:
        raise BuildError(problems)


def _other_oversize(out: OutputTree, limit: int) -> list[tuple[str, int]]:
    """Files over the cap that are not assets (features pages, tiles): reported, never published silently."""
    found = []
    for path in sorted(out.root.rglob("*")):
        if path.is_file() and path.stat().st_size > limit:
            found.append((path.relative_to(out.root).as_posix(), path.stat().st_size))
    return found


def _split(dataset: Dataset, asset: Asset, out: OutputTree, limit: int) -> str:
    """Cut the file into parts of at most `limit` bytes, published in its place."""
    path = out.root / asset.href
    parts = write_parts(path, asset.href, out, limit)
    path.unlink()
    count = len(parts)
    replacements = []
    for number, rel in enumerate(parts, 1):
        size, checksum = describe_file(out.root / rel)
        replacements.append(Asset(f"{asset.key}-part{number}", rel, f"{asset.title}, part {number} of {count}", PART_MEDIA_TYPE, asset.roles, size, checksum, asset.crs))
    _replace(dataset, asset, replacements)
    name = Path(asset.href).name
    return f"*{asset.title}* ({name}) is larger than this site's file size limit ({human(limit)}), so it is published in {count} parts: download them all and join them in order, e.g. `cat {name}.part* > {name}`."


def write_parts(path: Path, rel: str, out: OutputTree, limit: int) -> list[str]:
    """Stream `path` into `rel.part001`, `rel.part002`, … without holding more than a block in memory."""
    parts: list[str] = []
    with open(path, "rb") as source:
        while True:
            block = source.read(min(COPY_BLOCK, limit))
            if not block:
                return parts
            part = f"{rel}.part{len(parts) + 1:03d}"
            parts.append(part)
            with open(out.claim(part, OWNER), "wb") as target:
                written = 0
                while block:
                    target.write(block)
                    written += len(block)
                    block = source.read(min(COPY_BLOCK, limit - written)) if written < limit else b""


def _omit(dataset: Dataset, asset: Asset, out: OutputTree, limit: int, size: int) -> str:
    (out.root / asset.href).unlink()
    _replace(dataset, asset, [])
    return f"*{asset.title}* ({human(size)}) is larger than this site's file size limit ({human(limit)}) and is not published here; use the map tiles and the API, or ask the publisher for the file."


def _replace(dataset: Dataset, asset: Asset, replacements: list[Asset]) -> None:
    """Swap an asset for its parts (or nothing) wherever the model lists or links to it."""
    dataset.assets = _swap(dataset.assets, asset, replacements)
    for item in dataset.items:
        item.assets = _swap(item.assets, asset, replacements)
    dataset.api_links = _swap_links(dataset.api_links, asset.href, replacements)
    if dataset.collection is not None:
        dataset.collection.links = _swap_links(dataset.collection.links, asset.href, replacements)


def _swap(assets: list[Asset], old: Asset, new: list[Asset]) -> list[Asset]:
    result: list[Asset] = []
    for asset in assets:
        result.extend(new if asset is old else [asset])
    return result


def _swap_links(links: list[ApiLink], href: str, parts: list[Asset]) -> list[ApiLink]:
    result: list[ApiLink] = []
    for link in links:
        if link.href != href:
            result.append(link)
        else:
            result.extend(replace(link, href=part.href, media_type=PART_MEDIA_TYPE, title=part.title) for part in parts)
    return result
