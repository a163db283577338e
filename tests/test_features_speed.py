"""The Features pages' bulk paths (whole columns through Arrow, all points through one orjson call) write what
the per-value paths write: the same escaped, shortened table text, the same coordinates."""

from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np
import pyarrow as pa
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from generator.data import features
from generator.writers import html_features

NASTY = st.sampled_from(["<", ">", "&", '"', "'", "</script>", "&amp;", "é", "…", "\n", "\x00", "\\", "{{", "\u2028", "😀"])
PIECE = st.characters(codec="utf-8") | NASTY
TEXT = st.lists(PIECE, max_size=12).map("".join) | st.lists(PIECE, min_size=190, max_size=205).map("".join)
"""Short texts and texts around the cut (pieces of several characters move the length across it)."""
LIMIT = html_features.CELL_CHARACTERS


def cells_one_by_one(values: list, limit: int | None = LIMIT) -> list[str]:
    """What the template wrote before the bulk path: each value through `_cell`, then autoescaped."""
    return [str(escape(html_features._cell(value, limit))) for value in values]


def in_two_chunks(values: list, arrow_type: pa.DataType, split: int) -> pa.ChunkedArray:
    """A page sliced across two record batches of the source, as pages often are."""
    split = min(split, len(values))
    return pa.chunked_array([pa.array(values[:split], arrow_type), pa.array(values[split:], arrow_type)], arrow_type)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.none() | TEXT, max_size=20), split=st.integers(0, 20))
def test_text_cells_are_escaped_and_shortened_like_single_values(values, split):
    assert html_features._cells(in_two_chunks(values, pa.string(), split), LIMIT).to_pylist() == cells_one_by_one(values)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.none() | st.floats() | st.floats(min_value=-1e-3, max_value=1e-3), max_size=20), split=st.integers(0, 20))
def test_float_cells_read_as_python_writes_floats(values, split):
    assert html_features._cells(in_two_chunks(values, pa.float64(), split), LIMIT).to_pylist() == cells_one_by_one(values)


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.none() | st.integers(-(2**63), 2**63 - 1), max_size=20), split=st.integers(0, 20))
def test_integer_cells_read_as_python_writes_integers(values, split):
    assert html_features._cells(in_two_chunks(values, pa.int64(), split), LIMIT).to_pylist() == cells_one_by_one(values)


def test_other_types_take_the_per_value_path():
    columns = {
        pa.bool_(): [True, None, False],
        pa.float32(): [0.1, None, float("nan")],
        pa.date32(): [date(2024, 2, 29), None, date(1, 1, 1)],
        pa.timestamp("s"): [datetime(2024, 1, 2, 3, 4, 5), None, None],
        pa.list_(pa.string()): [["<a>", "b"], None, []],
        pa.large_string(): ["x" * 300, "<b>", None],
    }
    for arrow_type, values in columns.items():
        column = pa.array(values, arrow_type)
        assert html_features._cells(column, LIMIT).to_pylist() == cells_one_by_one(column.to_pylist()), arrow_type


def test_table_rows_put_each_feature_on_its_own_row():
    heads = pa.array(["1", "2"])
    body = html_features.table_rows(heads, [pa.array(["a", "&lt;"]), pa.chunked_array([["x"], [""]])])
    assert body == '<tr><th scope="row">1</th><td>a</td><td>x</td></tr>\n<tr><th scope="row">2</th><td>&lt;</td><td></td></tr>\n'


def through_geos(geometries: np.ndarray) -> list:
    """The general path: rounded by shapely, written by GEOS."""
    return [json.loads(text) if text else None for text in shapely.to_geojson(features._rounded(geometries.copy()))]


@settings(max_examples=60, deadline=None)
@given(coordinates=st.lists(st.tuples(*[st.floats(-1e7, 1e7) | st.floats(-1e-3, 1e-3)] * 3), min_size=1, max_size=30), with_z=st.booleans())
def test_points_in_bulk_have_the_coordinates_geos_writes(coordinates, with_z):
    points = shapely.points(np.array(coordinates)[:, : 3 if with_z else 2])
    written = features.geometry_texts(points)
    assert features._plain_points(points)
    assert [json.loads(text) for text in written] == through_geos(points)


def test_missing_empty_or_mixed_geometries_take_the_general_path():
    cases = [
        np.array([shapely.Point(1, 2), None], dtype=object),
        np.array([shapely.Point(1, 2), shapely.Point()], dtype=object),
        np.array([shapely.Point(1, 2), shapely.Point(1, 2, 3)], dtype=object),
        np.array([shapely.Point(1, 2), shapely.LineString([(0, 0), (1, 1.123456789)])], dtype=object),
    ]
    for geometries in cases:
        assert not features._plain_points(geometries)
        assert [json.loads(t) if t else None for t in features.geometry_texts(geometries)] == through_geos(geometries)
    assert features.geometry_texts(np.array([shapely.Point(1.123456789, 2)])) == ['{"type":"Point","coordinates":[1.1234568,2.0]}']
