"""`max_file_size`: downloads over the host's cap are split into parts or left out, always with a note."""

from __future__ import annotations

import json

import pytest

from generator import build as build_module
from generator import layout
from generator.data.limits import parse_size
from generator.errors import BuildError, SourceError
from generator.model import ApiLink, Asset, OgcCollection
from generator.output import describe_file

CATALOGUE = """\
title: Limits
description: A catalogue with a file size cap.
publisher: {{name: P}}
license: CC0-1.0
max_file_size: {size}
{extra}"""
DATASET = {"big": "title: Big download\ndescription: One large file.\nlicense: CC0-1.0\n"}
PAYLOAD = bytes(range(256)) * 20  # 5120 bytes
DOWNLOAD = layout.dataset_file("big", "big.gpkg")


def big_download_stage(roles: tuple[str, ...] = ("data",)):
    def stage(catalogue, out):
        dataset = catalogue.dataset("big")
        path = out.write_bytes(DOWNLOAD, PAYLOAD, "test")
        size, checksum = describe_file(path)
        dataset.assets.append(Asset("gpkg", DOWNLOAD, "GeoPackage", "application/geopackage+sqlite3", roles, size, checksum))
        dataset.collection = OgcCollection(links=[ApiLink("enclosure", DOWNLOAD, "application/geopackage+sqlite3", "Download")])

    return stage


def run(make_source, tmp_path, monkeypatch, size="2 KiB", extra="", roles=("data",)):
    src = make_source(DATASET, catalogue=CATALOGUE.format(size=size, extra=extra))
    monkeypatch.setattr(build_module, "POST_DATA", (big_download_stage(roles), *build_module.POST_DATA))
    out = tmp_path / "out"
    build_module.build(src, out, cache=False)
    return out


@pytest.mark.parametrize(("text", "size"), [(2048, 2048), ("100 MB", 100_000_000), ("100MB", 100_000_000), ("2 GiB", 2 * 1024**3), ("1.5 kB", 1500), ("4096", 4096), (None, None)])
def test_parse_size(text, size):
    assert parse_size(text) == size


def test_an_oversize_download_is_split_into_parts_with_a_note(make_source, tmp_path, monkeypatch):
    out = run(make_source, tmp_path, monkeypatch)
    parts = sorted((out / "datasets" / "big").glob("big.gpkg.part*"))
    assert [p.name for p in parts] == ["big.gpkg.part001", "big.gpkg.part002", "big.gpkg.part003"]
    assert all(p.stat().st_size <= 2048 for p in parts)
    assert b"".join(p.read_bytes() for p in parts) == PAYLOAD
    assert not (out / DOWNLOAD).exists()
    record = json.loads((out / layout.record_json("big")).read_text())
    assert "published in 3 parts" in record["properties"]["description"] and "cat big.gpkg.part*" in record["properties"]["description"]
    hrefs = [link["href"] for link in record["links"]]
    assert sum(".part00" in href for href in hrefs) == 3 and not any(href.endswith("big.gpkg") for href in hrefs)
    page = (out / layout.record_html("big")).read_text()
    assert "published in 3 parts" in page
    collection = json.loads((out / layout.collection_json("big")).read_text())
    assert [l["href"].rsplit("/", 1)[-1] for l in collection["links"] if l["rel"] == "enclosure"] == ["big.gpkg.part001", "big.gpkg.part002", "big.gpkg.part003"]


def test_an_oversize_download_can_be_left_out_with_a_note(make_source, tmp_path, monkeypatch):
    out = run(make_source, tmp_path, monkeypatch, extra="oversize_files: omit\n")
    assert not (out / DOWNLOAD).exists() and not list((out / "datasets" / "big").glob("*.part*"))
    record = json.loads((out / layout.record_json("big")).read_text())
    assert "not published here" in record["properties"]["description"]
    assert not any("big.gpkg" in link["href"] for link in record["links"])


def test_files_under_the_cap_are_untouched(make_source, tmp_path, monkeypatch):
    out = run(make_source, tmp_path, monkeypatch, size="1 MB")
    assert (out / DOWNLOAD).read_bytes() == PAYLOAD
    assert "file size limit" not in (out / layout.record_html("big")).read_text()


def test_a_tile_archive_over_the_cap_stops_the_build(make_source, tmp_path, monkeypatch):
    with pytest.raises(BuildError, match="over max_file_size"):
        run(make_source, tmp_path, monkeypatch, roles=("tiles",))


def test_a_bad_size_is_a_source_error(make_source, tmp_path, monkeypatch):
    with pytest.raises(SourceError, match="max_file_size"):
        run(make_source, tmp_path, monkeypatch, size="lots")


def test_an_oversize_file_that_is_not_an_asset_stops_the_build(make_source, tmp_path, monkeypatch):
    def stray(catalogue, out):
        out.write_bytes("datasets/big/stray.bin", PAYLOAD, "test")

    src = make_source(DATASET, catalogue=CATALOGUE.format(size="2 KiB", extra=""))
    monkeypatch.setattr(build_module, "POST_DATA", (stray, *build_module.POST_DATA))
    with pytest.raises(BuildError, match="datasets/big/stray.bin .* is over max_file_size"):
        build_module.build(src, tmp_path / "out", cache=False)
