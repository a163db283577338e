"""The source format: every mistake a person makes by hand gives one line naming file, line and key."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import SourceError
from generator.source.loader import load_catalogue
from generator.source.yamlfile import read_yaml
from tests.conftest import EXAMPLE_SRC

MINIMAL = "title: A dataset\n"


def problems_for(make_source, dataset_yaml: str, **kwargs) -> list[str]:
    src = make_source({"ds": dataset_yaml}, **kwargs)
    with pytest.raises(SourceError) as info:
        load_catalogue(src)
    return [str(p) for p in info.value.problems]


def test_misspelt_key_names_file_line_and_suggestion(make_source):
    [message] = problems_for(make_source, "title: T\ndescription: D\nkeywrods: [a]\n")
    assert "datasets/ds/dataset.yaml:3:" in message
    assert "unknown key 'keywrods'" in message and "did you mean 'keywords'?" in message


def test_misspelt_nested_key(make_source):
    [message] = problems_for(make_source, "title: T\ncontacts:\n  - name: A\n    emial: a@b.org\n")
    assert ":4: contacts[0].emial: unknown key 'emial'; did you mean 'email'?" in message


def test_missing_required_key(make_source):
    [message] = problems_for(make_source, "description: no title\n")
    assert "dataset.yaml:1:" in message and "missing required key 'title'" in message


def test_wrong_type_names_expectation(make_source):
    [message] = problems_for(make_source, "title: T\nkeywords: just one\n")
    assert ":2: keywords: expected a list of keywords" in message


def test_yaml_syntax_error_has_line(make_source):
    [message] = problems_for(make_source, "title: T\nkeywords: [a, b\nlicense: MIT\n")
    assert "YAML syntax error" in message and "dataset.yaml:" in message


def test_duplicate_key(make_source):
    [message] = problems_for(make_source, "title: T\ntitle: U\n")
    assert ":2: title: duplicate key 'title'" in message


@pytest.mark.parametrize(
    "time, expected",
    [
        ("time: 2021-02-30\n", "not a real date"),
        ("time:\n  start: 2021-05-01\n  end: 2020-01-01\n", "ends (2020-01-01) before it starts (2021-05-01)"),
        ("time: yesterday\n", "expected a date such as"),
    ],
)
def test_bad_times(make_source, time, expected):
    [message] = problems_for(make_source, "title: T\n" + time)
    assert expected in message and ": time" in message


def test_every_error_in_a_file_is_reported(make_source):
    messages = problems_for(make_source, "titel: T\nlicence: MIT\n")
    assert len(messages) == 3  # two unknown keys + missing title
    assert any("did you mean 'license'" in m for m in messages)


@pytest.mark.parametrize("name", ["has space", "dots..dots", "ünïcode", "-leading"])
def test_unsafe_ids_are_refused(make_source, name):
    src = make_source({name: MINIMAL})
    with pytest.raises(SourceError, match="must be 1-100 ASCII letters"):
        load_catalogue(src)


def test_reserved_and_case_duplicate_ids(make_source):
    src = make_source({"records": MINIMAL, "Roads": MINIMAL, "roads": MINIMAL})
    with pytest.raises(SourceError) as info:
        load_catalogue(src)
    text = str(info.value)
    assert "reserved" in text and "only in case" in text


def test_missing_source_file(make_source):
    [message] = problems_for(make_source, "title: T\nsource: nothere.gpkg\n")
    assert ":2: source: file not found: nothere.gpkg" in message


def test_source_outside_the_folder(make_source, tmp_path):
    (tmp_path / "secret.geojson").write_text("{}")
    [message] = problems_for(make_source, "title: T\nsource: ../../../secret.geojson\n")
    assert "outside the source folder" in message


def test_unreadable_source(make_source):
    src = make_source({"ds": "title: T\nsource: data.gpkg\n"})
    (src / "datasets/ds/data.gpkg").write_bytes(b"not a geopackage at all")
    with pytest.raises(SourceError, match="cannot read data.gpkg as vector or raster data"):
        load_catalogue(src)


def test_missing_crs_asks_for_crs_option(make_source, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    shp = tmp_path / "nocrs.shp"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(1, 2)]).to_file(shp)
    src = make_source({"ds": "title: T\nsource: nocrs.shp\n"})
    for part in tmp_path.glob("nocrs.*"):
        part.rename(src / "datasets/ds" / part.name)
    with pytest.raises(SourceError, match=r"does not say which CRS it is in; add 'crs: EPSG:<code>'"):
        load_catalogue(src)


def test_unparseable_crs_option(make_source):
    src = make_source({"ds": "title: T\nsource:\n  path: a.geojson\n  crs: EPSG:99999999\n"})
    (src / "datasets/ds/a.geojson").write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}')
    with pytest.raises(SourceError, match=r"source.crs: not a CRS that PROJ knows"):
        load_catalogue(src)


def test_declared_bbox_far_from_data_is_an_error(make_source):
    src = make_source({"ds": "title: T\nbbox: [100, 10, 110, 20]\nsource: a.geojson\n"})
    (src / "datasets/ds/a.geojson").write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-70,40]}}]}')
    with pytest.raises(SourceError, match=r"dataset.yaml:2: bbox: declared bbox .* does not overlap"):
        load_catalogue(src)


def test_swapped_bbox_axes_are_caught(make_source):
    [message] = problems_for(make_source, "title: T\nbbox: [-47, 166, -34, 178]\n")
    assert "latitudes must satisfy" in message


def test_catalogue_yaml_errors_and_bad_base_url(make_source):
    src = make_source({}, catalogue="title: T\ndescription: D\npublisher: {name: P}\nbase_url: example.org\n")
    with pytest.raises(SourceError, match=r"catalogue.yaml:4: base_url: expected an absolute http\(s\) URL"):
        load_catalogue(src)


def test_no_catalogue_yaml(tmp_path):
    with pytest.raises(SourceError, match="no catalogue.yaml here"):
        load_catalogue(tmp_path)


def test_model_from_example_catalogue():
    catalogue = load_catalogue(EXAMPLE_SRC)
    ids = [d.id for d in catalogue.datasets]
    assert ids == sorted(ids) and "nz-building-outlines" in ids
    nc = catalogue.dataset("nc-counties")
    assert nc.source.kind == "vector" and nc.source.crs == "EPSG:4267"
    assert nc.bbox[0] == pytest.approx(-84.32, abs=0.01)
    assert catalogue.dataset("landsat-rgb").source.kind == "raster"
    assert catalogue.dataset("nz-building-outlines").source_path is None


def test_cli_prints_one_line_per_error_without_traceback(make_source, tmp_path):
    src = make_source({"ds": "title: T\nkeywrods: [a]\n"})
    result = subprocess.run([sys.executable, "-m", "generator", "build", str(src), "-o", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "keywrods" in lines[0] and "dataset.yaml:2" in lines[0]
    assert not (tmp_path / "out").exists()


def test_geoparquet_source_is_inspected(make_source, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    src = make_source({"pq": "title: P\nsource: pts.parquet\n"})
    frame = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(1600000, 5000000), Point(1610000, 5010000)], crs="EPSG:2193")
    frame.to_parquet(src / "datasets/pq/pts.parquet")
    dataset = load_catalogue(src).dataset("pq")
    assert dataset.source.kind == "vector" and dataset.source.count == 2
    assert 170 < dataset.bbox[0] < 175 and -47 < dataset.bbox[1] < -35


def test_symlinks_out_of_the_source_folder_are_refused(make_source, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "dataset.yaml").write_text("title: Elsewhere\n")
    src = make_source({"ok": MINIMAL})
    (src / "datasets/linked").symlink_to(outside, target_is_directory=True)
    (src / "datasets/ok/dataset.yaml").unlink()
    (src / "datasets/ok/dataset.yaml").symlink_to(outside / "dataset.yaml")
    with pytest.raises(SourceError) as info:
        load_catalogue(src)
    text = str(info.value)
    assert "datasets/linked: dataset folder is a link to outside" in text
    assert "datasets/ok/dataset.yaml: is a link to outside" in text


def test_links_inside_the_source_folder_and_odd_entries(make_source):
    """Links that stay inside are followed; a stray file, and a folder named dataset.yaml, are reported."""
    src = make_source({"real": MINIMAL, "other": MINIMAL})
    (src / "datasets/alias").symlink_to(src / "datasets/real", target_is_directory=True)
    (src / "datasets/other/dataset.yaml").rename(src / "other.yaml")
    (src / "datasets/other/dataset.yaml").symlink_to(src / "other.yaml")
    assert sorted(d.id for d in load_catalogue(src).datasets) == ["alias", "other", "real"]
    (src / "datasets/stray.txt").write_text("x")
    (src / "datasets/odd/dataset.yaml").mkdir(parents=True)
    with pytest.raises(SourceError) as info:
        load_catalogue(src)
    text = str(info.value)
    assert "datasets/stray.txt: only dataset folders belong in datasets/" in text
    assert "datasets/odd: no dataset.yaml in this dataset folder" in text


class _ReferenceLoader(yaml.SafeLoader):
    """PyYAML's own pure-Python loader, dates kept as text: what geosite's libyaml loader must agree with."""


_ReferenceLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YAML_SCALARS = st.sampled_from(["yes", "No", "off", "~", "null", "", "1e3", "1.5", ".inf", "-.Inf", "0x1F", "0o17", "012",
                                "1_000", "+7", "2020-01-01", "2020-01-01T10:00:00Z", "true", "'true'", '"1"', "[1, two]",
                                "{k: 3}", "text with spaces", "- item"])


@settings(max_examples=150, deadline=None)
@given(st.lists(YAML_SCALARS, min_size=1, max_size=6))
def test_the_yaml_loader_reads_values_as_pyyaml_does(tmp_path_factory, values):
    text = "\n".join(f"k{i}: {value}" if not value.startswith("- ") else f"k{i}:\n  {value}" for i, value in enumerate(values)) + "\n"
    path = tmp_path_factory.mktemp("yaml") / "dataset.yaml"
    path.write_text(text, encoding="utf-8")
    assert read_yaml(path).data == yaml.load(text, Loader=_ReferenceLoader)
