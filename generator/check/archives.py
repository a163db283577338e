"""Structural checks of the binary outputs: PMTiles archives (header, directories, clustering, metadata,
tile sizes) and Cloud-Optimized GeoTIFFs (rio-cogeo's strict validation)."""

from __future__ import annotations

import gzip
import json
import mmap
from collections.abc import Iterator
from pathlib import Path

from pmtiles.tile import Compression, TileType, deserialize_directory, deserialize_header

from generator.check.findings import Finding
from generator.check.links import SiteFiles

MAX_VECTOR_TILE_BYTES = 500 * 1024
"""Vector tiles larger than this make map clients slow; the tiler drops or coalesces features to stay under it."""

HEADER_BYTES = 127


def check_archives(site: SiteFiles) -> list[Finding]:
    findings: list[Finding] = []
    for rel in site.with_suffix(".pmtiles"):
        findings += [Finding(rel, message, "pmtiles") for message in pmtiles_problems(site.root / rel)]
    for rel in site.with_suffix(".tif", ".tiff"):
        findings += [Finding(rel, message, "cog") for message in cog_problems(site.root / rel)]
    return findings


def pmtiles_problems(path: Path) -> list[str]:
    """What is wrong with a PMTiles v3 archive; [] when it is sound."""
    with open(path, "rb") as handle:
        if path.stat().st_size < HEADER_BYTES:
            return ["too short to be a PMTiles archive"]
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            return _archive_problems(data, len(data))
        finally:
            data.close()


def _archive_problems(data: mmap.mmap, size: int) -> list[str]:
    if data[:7] != b"PMTiles" or data[7] != 3:
        return ["not a PMTiles version 3 archive (bad magic number or version)"]
    header = deserialize_header(data[:HEADER_BYTES])
    problems = _section_problems(header, size)
    if problems:
        return problems
    problems += _metadata_problems(header, data)
    problems += _directory_problems(header, data)
    return problems


def _section_problems(header: dict, size: int) -> list[str]:
    sections = {"root directory": ("root_offset", "root_length"), "metadata": ("metadata_offset", "metadata_length"), "leaf directories": ("leaf_directory_offset", "leaf_directory_length"), "tile data": ("tile_data_offset", "tile_data_length")}
    return [f"{name} section ({header[o]}+{header[n]}) lies outside the file ({size} bytes)" for name, (o, n) in sections.items() if header[o] < HEADER_BYTES and header[n] > 0 or header[o] + header[n] > size]


def _metadata_problems(header: dict, data: mmap.mmap) -> list[str]:
    raw = data[header["metadata_offset"] : header["metadata_offset"] + header["metadata_length"]]
    try:
        metadata = json.loads(gzip.decompress(raw) if header["internal_compression"] == Compression.GZIP else raw)
    except (OSError, ValueError) as exc:
        return [f"metadata is not valid (compressed) JSON: {exc}"]
    if header["tile_type"] == TileType.MVT and not metadata.get("vector_layers"):
        return ["vector tiles without vector_layers in the metadata (map clients cannot list the layers)"]
    return []


def _directory_problems(header: dict, data: mmap.mmap) -> list[str]:
    problems: list[str] = []
    previous_id, previous_end, addressed, oversized = -1, 0, 0, 0
    for entry in _entries(header, data, header["root_offset"], header["root_length"], depth=0):
        if isinstance(entry, str):
            return problems + [entry]
        if entry.tile_id <= previous_id:
            problems.append(f"directory entries out of order at tile id {entry.tile_id}")
        if entry.offset + entry.length > header["tile_data_length"]:
            problems.append(f"tile id {entry.tile_id} points past the tile data section")
        if header["clustered"] and entry.offset + entry.length > previous_end and entry.offset != previous_end:
            problems.append(f"archive says it is clustered but tile id {entry.tile_id} is not stored in order")
        if header["tile_type"] == TileType.MVT and entry.length > MAX_VECTOR_TILE_BYTES:
            oversized += 1
        previous_id, previous_end = entry.tile_id + entry.run_length - 1, max(previous_end, entry.offset + entry.length)
        addressed += entry.run_length
    if oversized:
        problems.append(f"{oversized} vector tiles exceed {MAX_VECTOR_TILE_BYTES // 1024} KB")
    if header["addressed_tiles_count"] and addressed != header["addressed_tiles_count"]:
        problems.append(f"header counts {header['addressed_tiles_count']} addressed tiles, directories hold {addressed}")
    if not header["clustered"]:
        problems.append("archive is not clustered (tiles not stored in tile-id order; range reads are slower)")
    return problems[:20]


def _entries(header: dict, data: mmap.mmap, offset: int, length: int, depth: int) -> Iterator:
    """Tile entries in tile-id order, leaf directories followed; a string where a directory is unreadable."""
    if depth > 3:
        yield "directories nest deeper than the specification allows"
        return
    try:
        raw = data[offset : offset + length]
        entries = deserialize_directory(raw)
    except Exception as exc:  # corrupt varints or compression: report, do not crash the check
        yield f"unreadable directory at byte {offset}: {exc}"
        return
    for entry in entries:
        if entry.run_length == 0:
            yield from _entries(header, data, header["leaf_directory_offset"] + entry.offset, entry.length, depth + 1)
        else:
            yield entry


def cog_problems(path: Path) -> list[str]:
    """rio-cogeo's strict validation (warnings count as problems), as returned rather than raised."""
    from rio_cogeo.cogeo import cog_validate

    try:
        valid, errors, warnings = cog_validate(str(path), strict=True, quiet=True)
    except Exception as exc:  # unreadable file
        return [f"cannot be read as a GeoTIFF: {exc}"]
    return [] if valid else [f"not a valid Cloud-Optimized GeoTIFF: {m}" for m in [*errors, *warnings]]
