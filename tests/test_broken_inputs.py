"""A corpus of broken source folders, each built through the CLI over an existing good output.

Every case must: exit non-zero, print exactly one `error:` line per problem naming the file (and the key, and
the line where there is one), show no traceback, and leave the previous output byte-for-byte as it was.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from typer.testing import CliRunner

from generator.cli import app

CATALOGUE = "title: Broken inputs\ndescription: The corpus.\npublisher:\n  name: P\nlicense: CC0-1.0\n"
POINTS = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},"geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","properties":{"name":"b"},"geometry":{"type":"Point","coordinates":[3,4]}}]}'
GOOD_DS = "title: Points\ndescription: Two points.\nsource: points.geojson\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The good source folder, its built output and a snapshot of every byte of that output."""
    root = tmp_path_factory.mktemp("corpus")
    src = root / "good"
    (src / "datasets/meta").mkdir(parents=True)
    (src / "datasets/ds").mkdir()
    (src / "catalogue.yaml").write_text(CATALOGUE)
    (src / "datasets/meta/dataset.yaml").write_text("title: Metadata only\nbbox: [0, 0, 10, 10]\n")
    (src / "datasets/ds/dataset.yaml").write_text(GOOD_DS)
    (src / "datasets/ds/points.geojson").write_text(POINTS)
    site = root / "site"
    result = build(src, site)
    assert result.exit_code == 0, result.output
    return src, site, snapshot(site)


def build(src: Path, site: Path, *args: str):
    return CliRunner().invoke(app, ["build", str(src), "-o", str(site), *args])


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def shapefile(folder: Path, skip: tuple[str, ...] = (), latin1: bool = False) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    gpd.GeoDataFrame({"name": ["Zürich", "Genève"]}, geometry=[Point(8.5, 47.4), Point(6.1, 46.2)], crs="EPSG:4326").to_file(folder / "p.shp")
    if latin1:  # the same names in ISO-8859-1, as old shapefiles hold them, with no .cpg to say so
        dbf = folder / "p.dbf"
        dbf.write_bytes(dbf.read_bytes().replace("Zürich".encode(), b"Z\xfcrich ").replace("Genève".encode(), b"Gen\xe8ve "))
        skip += (".cpg",)
    for suffix in skip:
        (folder / f"p{suffix}").unlink()


def geotiff(path: Path, crs: str | None) -> None:
    with rasterio.open(path, "w", driver="GTiff", width=8, height=8, count=1, dtype="uint8", crs=crs, transform=from_origin(0, 8, 1, 1)) as dst:
        dst.write(np.ones((1, 8, 8), "uint8"))


def geopackage(path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(1, 2)], crs="EPSG:4326").to_file(path, layer="places")


def dataset_yaml(text: str) -> Callable[[Path], None]:
    return lambda src: (src / "datasets/ds/dataset.yaml").write_text(text)


def with_files(text: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(src: Path) -> None:
        (src / "datasets/ds/points.geojson").unlink()
        (src / "datasets/ds/dataset.yaml").write_text(text)
        make(src / "datasets/ds")
    return mutate


def folder(name: str) -> Callable[[Path], None]:
    return lambda src: shutil.copytree(src / "datasets/meta", src / "datasets" / name)


def symlinked(what: str) -> Callable[[Path], None]:
    def mutate(src: Path) -> None:
        outside = src.parent / f"outside-{what}"
        shutil.rmtree(outside, ignore_errors=True)
        outside.mkdir()
        (outside / "dataset.yaml").write_text("title: Outside\n")
        (outside / "points.geojson").write_text(POINTS)
        if what == "folder":
            (src / "datasets/linked").symlink_to(outside, target_is_directory=True)
        elif what == "yaml":
            (src / "datasets/ds/dataset.yaml").unlink()
            (src / "datasets/ds/dataset.yaml").symlink_to(outside / "dataset.yaml")
        else:
            (src / "datasets/ds/points.geojson").unlink()
            (src / "datasets/ds/points.geojson").symlink_to(outside / "points.geojson")
    return mutate


# (case id, mutation of a copy of the good source, fragments each error line must hold; one list per error line)
CASES: list[tuple[str, Callable[[Path], None], list[list[str]]]] = [
    ("yaml-syntax", dataset_yaml("title: [unclosed\n"), [["datasets/ds/dataset.yaml:2", "YAML syntax error"]]),
    ("yaml-tab-indent", dataset_yaml("title: T\ncontacts:\n\t- name: A\n"), [["datasets/ds/dataset.yaml:", "YAML syntax error"]]),
    ("catalogue-yaml-syntax", lambda src: (src / "catalogue.yaml").write_text("title: T\npublisher: {name: P\n"), [["catalogue.yaml:", "YAML syntax error"]]),
    ("no-catalogue-yaml", lambda src: (src / "catalogue.yaml").unlink(), [["no catalogue.yaml"]]),
    ("not-utf8-yaml", lambda src: (src / "datasets/ds/dataset.yaml").write_bytes("title: Z\xfcrich\n".encode("latin-1")), [["datasets/ds/dataset.yaml", "not UTF-8"]]),
    ("empty-yaml", dataset_yaml(""), [["datasets/ds/dataset.yaml:1", "mapping"]]),
    ("list-yaml", dataset_yaml("- a\n- b\n"), [["datasets/ds/dataset.yaml:1", "mapping"]]),
    ("unknown-key", dataset_yaml("title: T\ndescripton: D\n"), [["datasets/ds/dataset.yaml:2", "descripton", "did you mean 'description'"]]),
    ("unknown-catalogue-key", lambda src: (src / "catalogue.yaml").write_text(CATALOGUE + "publsher: x\n"), [["catalogue.yaml:6", "publsher", "did you mean 'publisher'"]]),
    ("missing-title", dataset_yaml("description: no title\n"), [["datasets/ds/dataset.yaml:1", "missing required key 'title'"]]),
    ("missing-publisher", lambda src: (src / "catalogue.yaml").write_text("title: T\ndescription: D\n"), [["catalogue.yaml:1", "publisher"]]),
    ("wrong-type", dataset_yaml("title: T\nkeywords: 5\n"), [["datasets/ds/dataset.yaml:2", "keywords"]]),
    ("duplicate-key", dataset_yaml("title: T\ntitle: U\n"), [["datasets/ds/dataset.yaml:2", "duplicate key 'title'"]]),
    ("impossible-date", dataset_yaml("title: T\ntime: 2021-02-30\n"), [["datasets/ds/dataset.yaml:2", "time", "not a real date"]]),
    ("interval-backwards", dataset_yaml("title: T\ntime:\n  start: 2021-05-01\n  end: 2020-01-01\n"), [["datasets/ds/dataset.yaml:4", "time.end", "before it starts"]]),
    ("bbox-longitude", dataset_yaml("title: T\nbbox: [200, 0, 10, 10]\n"), [["datasets/ds/dataset.yaml:2", "bbox"]]),
    ("bbox-south-north", dataset_yaml("title: T\nbbox: [0, 50, 10, 10]\n"), [["datasets/ds/dataset.yaml:2", "bbox", "south"]]),
    ("bbox-three-numbers", dataset_yaml("title: T\nbbox: [0, 0, 10]\n"), [["datasets/ds/dataset.yaml:2", "bbox"]]),
    ("missing-source", dataset_yaml("title: T\nsource: nowhere.geojson\n"), [["datasets/ds/dataset.yaml:2", "source", "file not found: nowhere.geojson"]]),
    ("source-is-a-folder", with_files("title: T\nsource: folder\n", lambda d: (d / "folder").mkdir()), [["datasets/ds/dataset.yaml:2", "source", "cannot read folder"]]),
    ("source-escapes", dataset_yaml("title: T\nsource: ../../../catalogue.yaml\n"), [["datasets/ds/dataset.yaml:2", "source", "outside the source folder"]]),
    ("corrupt-geotiff", with_files("title: T\nsource: x.tif\n", lambda d: (d / "x.tif").write_bytes(b"II*\x00" + b"garbage" * 20)), [["datasets/ds/dataset.yaml:2", "source", "cannot read x.tif"]]),
    ("corrupt-geopackage", with_files("title: T\nsource: x.gpkg\n", lambda d: (d / "x.gpkg").write_bytes(b"SQLite format 3\x00" + bytes(80))), [["datasets/ds/dataset.yaml:2", "source", "cannot read x.gpkg"]]),
    ("truncated-geojson", lambda src: (src / "datasets/ds/points.geojson").write_text(POINTS[:40]), [["datasets/ds/dataset.yaml:3", "source", "cannot read points.geojson"]]),
    ("shapefile-without-shx", with_files("title: T\nsource: p.shp\n", lambda d: shapefile(d, skip=(".shx",))), [["datasets/ds/dataset.yaml:2", "source", "missing p.shx"]]),
    ("shapefile-without-dbf", with_files("title: T\nsource: p.shp\n", lambda d: shapefile(d, skip=(".dbf",))), [["datasets/ds/dataset.yaml:2", "source", "missing p.dbf"]]),
    ("shapefile-without-prj", with_files("title: T\nsource: p.shp\n", lambda d: shapefile(d, skip=(".prj",))), [["datasets/ds/dataset.yaml:2", "source", "which CRS"]]),
    ("geotiff-without-crs", with_files("title: T\nsource: x.tif\n", lambda d: geotiff(d / "x.tif", None)), [["datasets/ds/dataset.yaml:2", "source", "which CRS"]]),
    ("unparseable-crs", with_files("title: T\nsource:\n  path: x.tif\n  crs: EPSG:999999\n", lambda d: geotiff(d / "x.tif", None)), [["datasets/ds/dataset.yaml:4", "source.crs", "EPSG:999999"]]),
    ("empty-layer", lambda src: (src / "datasets/ds/points.geojson").write_text('{"type":"FeatureCollection","features":[]}'), [["datasets/ds/dataset.yaml", "no features"]]),
    ("wrong-layer", with_files("title: T\nsource:\n  path: x.gpkg\n  layer: roads\n", lambda d: geopackage(d / "x.gpkg")), [["datasets/ds/dataset.yaml:2", "source", "no layer 'roads'", "places"]]),
    ("non-utf8-attributes", with_files("title: T\nsource: p.shp\n", lambda d: shapefile(d, latin1=True)), [["datasets/ds/dataset.yaml", "source", "not UTF-8", "encoding"]]),
    ("duplicate-ids-by-case", folder("Meta"), [["datasets/meta", "differs from 'Meta' only in case"]]),
    ("id-with-dots", folder("a..b"), [["datasets/a..b", "dataset id"]]),
    ("id-with-space", folder("a b"), [["datasets/a b", "dataset id"]]),
    ("id-non-ascii", folder("café"), [["datasets/café", "dataset id"]]),
    ("id-reserved", folder("records"), [["datasets/records", "reserved"]]),
    ("catalogue-id-with-slash", lambda src: (src / "catalogue.yaml").write_text(CATALOGUE + "id: a/b\n"), [["catalogue.yaml:6", "id"]]),
    ("ten-megabyte-description", dataset_yaml("title: T\ndescription: " + "x" * (10 << 20) + "\n"), [["datasets/ds/dataset.yaml:2", "description", "too long"]]),
    ("symlinked-dataset-folder", symlinked("folder"), [["datasets/linked", "outside the source folder"]]),
    ("symlinked-dataset-yaml", symlinked("yaml"), [["datasets/ds/dataset.yaml", "outside the source folder"]]),
    ("symlinked-source", symlinked("source"), [["datasets/ds/dataset.yaml:3", "source", "outside the source folder"]]),
    ("two-problems-two-lines", lambda src: (dataset_yaml("title: T\ntime: 2021-13-01\n")(src), folder("a b")(src)), [["datasets/a b", "dataset id"], ["datasets/ds/dataset.yaml:2", "time"]]),
]


@pytest.mark.parametrize(("mutate", "expected"), [pytest.param(m, e, id=name) for name, m, e in CASES])
def test_broken_input_fails_clearly_and_keeps_the_previous_output(corpus, tmp_path, mutate, expected):
    good, site, before = corpus
    src = tmp_path / "src"
    shutil.copytree(good, src, symlinks=True)
    mutate(src)
    started = time.monotonic()
    result = build(src, site)
    assert time.monotonic() - started < 60
    output = result.stdout + result.stderr
    assert result.exit_code != 0, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == len(expected), output
    for line, fragments in zip(sorted(errors), sorted(expected, key=lambda f: f[0])):
        assert all(fragment in line for fragment in fragments), (line, fragments)
    assert snapshot(site) == before


def test_an_unreadable_source_file(corpus, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    good, site, before = corpus
    src = tmp_path / "src"
    shutil.copytree(good, src)
    (src / "datasets/ds/points.geojson").chmod(0)
    result = build(src, site)
    assert result.exit_code != 0 and "points.geojson" in result.stderr and snapshot(site) == before


def test_latin1_attributes_decode_with_the_declared_encoding(tmp_path):
    src = tmp_path / "src"
    (src / "datasets/ds").mkdir(parents=True)
    (src / "catalogue.yaml").write_text(CATALOGUE)
    (src / "datasets/ds/dataset.yaml").write_text("title: T\nsource:\n  path: p.shp\n  encoding: latin-1\n")
    shapefile(src / "datasets/ds", latin1=True)
    result = build(src, tmp_path / "site", "--no-check")
    assert result.exit_code == 0, result.stdout + result.stderr
    features = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site/collections/ds").rglob("*.json"))
    assert "Zürich" in features and "Genève" in features


def test_markup_in_every_text_field_builds_and_is_escaped(tmp_path):
    """HTML and script in text fields are data, not markup: the build succeeds and no page runs them."""
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    quoted = evil.replace("'", "''")
    src = tmp_path / "src"
    (src / "datasets/ds").mkdir(parents=True)
    (src / "catalogue.yaml").write_text(f"title: '{quoted}'\ndescription: '{quoted}'\npublisher:\n  name: '{quoted}'\nkeywords: ['{quoted}']\nlicense: CC0-1.0\n")
    (src / "datasets/ds/dataset.yaml").write_text(f"""\
title: '{quoted}'
description: '{quoted}'
keywords: ['{quoted}']
rights: '{quoted}'
license: {{name: '{quoted}', url: 'https://example.org/licence'}}
contacts: [{{name: '{quoted}', organization: '{quoted}', roles: [originator]}}]
links: [{{href: 'https://example.org/x', title: '{quoted}'}}]
source: points.geojson
""")
    (src / "datasets/ds/points.geojson").write_text(POINTS.replace('"a"', '"</script><script>alert(3)</script>"'))
    result = build(src, tmp_path / "site")
    assert result.exit_code == 0, result.stdout + result.stderr
    pages = [p for p in (tmp_path / "site").rglob("*.html")]
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text and "</script><script>" not in text, page
