"""sitemap.xml against the sitemaps.org schema, every URL resolving, and robots.txt pointing at it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.test_html import CATALOGUE, build_site, write_source

XSD = Path(__file__).resolve().parents[1] / "generator/official_schemas/www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://data.example.org/cat/"
DATASETS = {"dated": "title: Dated\nupdated: 2024-03-05\n", "undated": "title: Undated\n"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sitemap")
    return build_site(folder, write_source(folder / "src", CATALOGUE, DATASETS))


def urls(site: Path) -> dict[str, str]:
    tree = etree.parse(str(site / "sitemap.xml"))
    return {u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS) for u in tree.findall("s:url", NS)}


def test_sitemap_is_valid_against_the_official_schema(site):
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.parse(str(site / "sitemap.xml"))
    assert schema.validate(document), schema.error_log


def test_every_url_resolves_to_a_page_of_the_build(site):
    found = urls(site)
    assert BASE in found and BASE + "datasets/dated/" in found and BASE + "catalogue/" in found
    for loc in found:
        assert loc.startswith(BASE)
        path = loc[len(BASE):]
        target = site / path / "index.html" if path.endswith("/") or not path else site / path
        assert target.is_file(), loc


def test_every_html_page_but_search_is_listed(site):
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    listed = {loc[len(BASE):] for loc in urls(site)}
    listed = {p + "index.html" if p.endswith("/") or not p else p for p in listed}
    assert pages - listed == {"search/index.html"}


def test_lastmod_is_updated_else_the_deterministic_build_time(site, tmp_path, monkeypatch):
    found = urls(site)
    assert found[BASE + "datasets/dated/"] == "2024-03-05"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    again = build_site(tmp_path, write_source(tmp_path / "src", CATALOGUE, DATASETS))
    assert urls(again)[BASE + "datasets/undated/"] == "2023-11-14T22:13:20Z"
    assert urls(again)[BASE] == "2024-03-05"


def test_robots_points_at_the_sitemap(site):
    assert (site / "robots.txt").read_text().splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"


def test_no_sitemap_without_base_url(tmp_path):
    built = build_site(tmp_path, write_source(tmp_path / "src", CATALOGUE.replace(f"base_url: {BASE}\n", ""), DATASETS))
    assert not (built / "sitemap.xml").exists()
    assert "Sitemap" not in (built / "robots.txt").read_text()

