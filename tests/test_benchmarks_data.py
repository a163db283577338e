"""The data benchmarks run end to end in quick mode (their numbers are not tested) on deterministic inputs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from benchmarks import data_cases, data_inputs
from tests.conftest import quick_benchmark_rows


def test_quick_data_suite_writes_a_row_per_tool(tmp_path):
    rows = quick_benchmark_rows("data", tmp_path, timeout=600)
    cases = {row[1] for row in rows if row[1] and row[1] != "Case"}
    assert {"Vector PMTiles vs tippecanoe", "Vector PMTiles vs GDAL", "Features pages vs one GeoJSON", "COG", "Raster PMTiles vs rio-pmtiles"} <= cases
    tools = [row[3] for row in rows]
    expected = {"tippecanoe", "GDAL PMTiles", "GDAL GeoJSON", "rio cogeo create"}
    if importlib.util.find_spec("rio_pmtiles"):
        expected.add("rio pmtiles")
    assert expected <= set(tools)
    geosite = [row for row in rows if row[3] == "geosite"]
    assert len(geosite) == len([row for row in rows if row[1] and row[1] != "Case"])
    assert all(float(row[4]) > 0 and float(row[7]) > 0 for row in geosite), "a geosite step wrote nothing or was not timed"


def test_inputs_are_the_same_every_time(tmp_path):
    first = data_inputs.points(tmp_path / "a", 2_000, 6)
    second = data_inputs.points(tmp_path / "b", 2_000, 6)
    data = Path("datasets", "data", "points.fgb")
    assert (first / data).read_bytes() == (second / data).read_bytes()
    parcels = data_inputs.polygons(tmp_path / "c", 500, 6)
    import pyogrio
    import shapely

    frame = pyogrio.read_dataframe(parcels / "datasets" / "data" / "parcels.fgb")
    assert len(frame) == 500 and shapely.is_valid(frame.geometry.values).all()


def test_tippecanoe_reference_gets_geosites_arguments_on_the_source_file(tmp_path):
    source = data_inputs.points(tmp_path / "p", 100, 7)
    argv = data_cases.tippecanoe_argv(source, tmp_path / "t.pmtiles", "Point", 7)
    assert argv[argv.index("--maximum-zoom") + 1] == "7"
    assert argv[argv.index("--output") + 1] == str(tmp_path / "t.pmtiles")
    assert argv[-1] == "--named-layer=data:" + str(source / "datasets" / "data" / "points.fgb")
    assert "--drop-densest-as-needed" in argv
