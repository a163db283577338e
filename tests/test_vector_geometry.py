"""Antimeridian, pole and extent arithmetic for vector data, and the spatial order of downloads."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from generator.data import vector_geometry as vg


def extent_of(*wkts: str):
    geometries = np.array([vg.fix_longitudes(g) for g in shapely.from_wkt(list(wkts))])
    bounds = shapely.bounds(geometries)
    return vg.extent(vg.longitude_intervals(geometries, bounds), float(bounds[:, 1].min()), float(bounds[:, 3].max()))


def test_ring_jumping_across_the_antimeridian_is_cut_there():
    fixed = vg.fix_longitudes(shapely.from_wkt("POLYGON ((179 -17, -179 -17, -179 -16, 179 -16, 179 -17))"))
    assert fixed.geom_type == "MultiPolygon" and fixed.is_valid
    assert sorted(shapely.bounds(p)[0] for p in fixed.geoms) == [-180, 179]
    assert fixed.area == pytest.approx(2.0)


def test_longitudes_beyond_180_are_brought_back():
    fixed = vg.fix_longitudes(shapely.from_wkt("POLYGON ((170 0, 190 0, 190 10, 170 10, 170 0))"))
    assert shapely.bounds(fixed).tolist() == [-180, 0, 180, 10] and fixed.area == pytest.approx(200)
    assert vg.fix_longitudes(shapely.Point(181, 3)).equals(shapely.Point(-179, 3))
    line = vg.fix_longitudes(shapely.from_wkt("LINESTRING Z (178 0 5, -178 1 5)"))
    assert line.geom_type == "MultiLineString" and line.has_z


def test_world_box_and_geometries_touching_180_are_left_alone():
    world = shapely.box(-180, -90, 180, 90)
    assert vg.fix_longitudes(world) is world
    touching = shapely.from_wkt("MULTIPOLYGON (((170 0, 180 0, 180 5, 170 5, 170 0)), ((-180 0, -170 0, -170 5, -180 5, -180 0)))")
    assert vg.fix_longitudes(touching) is touching


def test_extent_crosses_the_antimeridian_when_the_data_does():
    assert extent_of("POLYGON ((177 -18, 180 -18, 180 -16, 177 -16, 177 -18))", "POINT (-178.5 -17)") == (177, -18, -178.5, -16)
    assert extent_of("POLYGON ((179 -17, -179 -17, -179 -16, 179 -16, 179 -17))") == (179, -17, -179, -16)


def test_extent_stays_ordinary_for_world_and_regional_data():
    assert extent_of("POINT (5 45)", "POINT (15 55)") == (5, 45, 15, 55)
    world = extent_of("POLYGON ((-180 -60, 180 -60, 180 80, -180 80, -180 -60))", "POINT (10 10)")
    assert world == (-180, -60, 180, 80)
    spread = extent_of("POINT (-170 0)", "POINT (-60 0)", "POINT (30 0)", "POINT (120 0)")
    assert spread[0] < spread[2]


def test_latitudes_past_the_poles_are_clamped():
    clamped = vg.clamp_latitudes(shapely.from_wkt("LINESTRING (0 89.9, 1 90.0000001)"))
    assert shapely.bounds(clamped)[3] == 90


def test_hilbert_order_puts_neighbours_together_and_missing_last():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-180, 180, 2000), rng.uniform(-90, 90, 2000)
    bounds = np.column_stack([x, y, x, y])
    bounds[5] = np.nan
    order = vg.hilbert_order(bounds)
    assert sorted(order) == list(range(2000)) and order[-1] == 5
    walk = np.hypot(np.diff(x[order[:-1]]), np.diff(y[order[:-1]])).mean()
    assert walk < np.hypot(np.diff(x), np.diff(y)).mean() / 10


def test_tile_estimate_and_zoom_cap():
    from generator.data.vectortiles import estimated_tiles, zoom_cap

    square = np.array([[0.0, 0.0, 1.0, 1.0]])
    assert estimated_tiles(square, 0) == 1
    assert 11 ** 2 <= estimated_tiles(square, 12) <= 13 ** 2  # 4096 tiles over 360° is 11.4 per degree
    assert zoom_cap(square, 1) in (13, 14)
    rng = np.random.default_rng(0)
    x, y = rng.uniform(5, 6, 100_000), rng.uniform(45, 46, 100_000)
    points = np.column_stack([x, y, x, y])
    assert estimated_tiles(points, 20) <= 100_000  # points share tiles, never more tiles than points
    assert zoom_cap(points, 100_000) >= 16


def test_default_page_size_keeps_pages_near_two_megabytes():
    from types import SimpleNamespace

    import pyarrow as pa

    from generator.data.features import default_page_size

    def pages_of(vertices: int, rows: int = 50) -> int:
        ring = shapely.Point(0, 0).buffer(1, quad_segs=max(vertices // 4, 1))
        geometry = pa.array([shapely.to_wkb(ring)] * rows)
        return default_page_size(SimpleNamespace(table=pa.table({"geometry": geometry})))

    assert pages_of(8) == 1000  # small features: the usual 1000
    assert 10 <= pages_of(20_000) < 100  # detailed polygons of ~320 KB of WKB each: few per page
    assert pages_of(20_000) in (10, 20, 50)
