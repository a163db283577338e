"""HTML items pages and feature pages, which the vector stage writes beside its JSON pages."""

from __future__ import annotations


import pyarrow as pa
import pytest

from generator import layout
from generator.output import OutputTree
from generator.source.loader import load_catalogue
from generator.writers import html_features
from tests.test_html import CATALOGUE, write_source


@pytest.fixture
def catalogue(tmp_path):
    return load_catalogue(write_source(tmp_path / "src", CATALOGUE, {"roads": "title: Roads\nbbox: [0, 0, 1, 1]\n"}))


def features(first: int, count: int) -> dict:
    """A page's ids and properties, as the vector stage passes them (Arrow columns)."""
    rows = [{"name": f"Road {i}", "lanes": i % 3 or None, "note": "<script>x</script>"} for i in range(first, first + count)]
    return {"ids": pa.array(range(first, first + count)), "properties": pa.Table.from_pylist(rows)}


def test_items_page_is_a_table_with_pagination(catalogue, tmp_path):
    out = OutputTree(tmp_path / "out")
    dataset = catalogue.dataset("roads")
    html_features.write_items_page(catalogue, dataset, out, 2, total=25, page_size=10, **features(11, 10), with_singles=True)
    text = (tmp_path / "out" / layout.features_page_html("roads", 2)).read_text()
    assert "Features 11–20 of 25 (page 2 of 3)" in text
    assert '<th scope="col">name</th><th scope="col">lanes</th><th scope="col">note</th>' in text
    assert '<a href="./11.html">11</a></th><td>Road 11</td><td>2</td>' in text
    assert '<td>Road 12</td><td></td>' in text
    assert 'rel="prev" href="./index.html"' in text and 'rel="next" href="./page-3.html"' in text
    assert 'href="./page-2.json"' in text
    assert "<script>x" not in text and "&lt;script&gt;x" in text


def test_items_without_single_documents_do_not_link_them(catalogue, tmp_path):
    out = OutputTree(tmp_path / "out")
    html_features.write_items_page(catalogue, catalogue.dataset("roads"), out, 1, total=3, page_size=10, **features(1, 3), with_singles=False)
    text = (tmp_path / "out" / layout.features_page_html("roads", 1)).read_text()
    assert '<th scope="row">1</th>' in text and "./1.html" not in text and 'class="pager"' not in text


def test_feature_page_lists_properties(catalogue, tmp_path):
    out = OutputTree(tmp_path / "out")
    html_features.write_feature_page(catalogue, catalogue.dataset("roads"), out, (7, {"name": "Road 7", "when": None}))
    text = (tmp_path / "out" / layout.feature_html("roads", "7")).read_text()
    assert '<th scope="row">name</th><td>Road 7</td>' in text and 'href="./7.json"' in text and "../../../datasets/roads/index.html" in text


def test_pager_links_the_neighbouring_page_numbers(catalogue, tmp_path):
    out = OutputTree(tmp_path / "out")
    html_features.write_items_page(catalogue, catalogue.dataset("roads"), out, 5, total=100, page_size=10, **features(41, 10), with_singles=False)
    text = (tmp_path / "out" / layout.features_page_html("roads", 5)).read_text()
    numbers = [n for n in range(1, 11) if f'aria-label="Page {n}">{n}</a>' in text]
    assert numbers == [3, 4, 6, 7] and '<span aria-current="page">Page 5 of 10</span>' in text


def test_cached_feature_pages_go_stale_with_the_site_but_rasters_do_not(catalogue, tmp_path):
    from generator.cache import DataCache

    dataset = catalogue.dataset("roads")
    before = html_features.site_fingerprint(catalogue)
    (catalogue.src_dir / "catalogue.yaml").write_text(CATALOGUE.replace("Test catalogue", "Renamed catalogue"))
    after = html_features.site_fingerprint(catalogue)
    assert before != after
    old, new = (DataCache(tmp_path / "cache", None, {"vector": fingerprint}) for fingerprint in (before, after))
    assert old.key(dataset, "vector") != new.key(dataset, "vector") and old.key(dataset, "raster") == new.key(dataset, "raster")
