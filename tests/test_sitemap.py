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



INDEX_XSD = XSD.with_name("siteindex.xsd")


def many_records(tmp_path: Path, count: int):
    from generator.model import Catalogue, Dataset, Publisher

    datasets = [Dataset(f"d{i:03d}", tmp_path / f"d{i:03d}.yaml", f"Record {i}", updated=f"2024-01-{1 + i % 28:02d}") for i in range(count)]
    return Catalogue(tmp_path, "Big", "Many records", Publisher("P"), base_url=BASE, datasets=datasets)


def write_sitemaps(catalogue, folder: Path, **limits) -> Path:
    from generator.output import OutputTree
    from generator.writers import sitemap

    sitemap.write(catalogue, OutputTree(folder), **limits)
    return folder


def listed(folder: Path, name: str) -> list[str]:
    return [u.findtext("s:loc", namespaces=NS) for u in etree.parse(str(folder / name)).findall("s:url", NS)]


def test_more_urls_than_the_limit_split_into_sitemaps_behind_an_index(tmp_path):
    from generator.writers.html_context import site_pages

    catalogue = many_records(tmp_path, 45)
    folder = write_sitemaps(catalogue, tmp_path / "out", max_urls=20)
    index = etree.parse(str(folder / "sitemap.xml"))
    assert etree.XMLSchema(etree.parse(str(INDEX_XSD))).validate(index)
    locs = [s.findtext("s:loc", namespaces=NS) for s in index.findall("s:sitemap", NS)]
    pages = site_pages(catalogue)
    parts = -(-len(pages) // 20)
    assert locs == [f"{BASE}sitemap-{n}.xml" for n in range(1, parts + 1)]
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    everything = []
    for n in range(1, parts + 1):
        assert schema.validate(etree.parse(str(folder / f"sitemap-{n}.xml")))
        everything += listed(folder, f"sitemap-{n}.xml")
    assert len(everything) == len(pages) == len(set(everything)) and all(len(listed(folder, f"sitemap-{n}.xml")) <= 20 for n in range(1, parts + 1))
    assert (folder / "robots.txt").read_text().splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"


def test_the_index_lastmod_is_each_sitemaps_newest(tmp_path):
    folder = write_sitemaps(many_records(tmp_path, 45), tmp_path / "out", max_urls=20)
    index = etree.parse(str(folder / "sitemap.xml"))
    for entry in index.findall("s:sitemap", NS):
        part = etree.parse(str(folder / entry.findtext("s:loc", namespaces=NS)[len(BASE):]))
        assert entry.findtext("s:lastmod", namespaces=NS) == max(u.findtext("s:lastmod", namespaces=NS) for u in part.findall("s:url", NS))


def test_the_byte_limit_splits_too(tmp_path):
    folder = write_sitemaps(many_records(tmp_path, 10), tmp_path / "out", max_bytes=1000)
    parts = sorted(folder.glob("sitemap-*.xml"))
    assert len(parts) > 1 and all(p.stat().st_size <= 1000 for p in parts)


def test_a_small_site_has_one_sitemap_and_no_index(tmp_path):
    folder = write_sitemaps(many_records(tmp_path, 3), tmp_path / "out")
    assert etree.parse(str(folder / "sitemap.xml")).getroot().tag == "{%s}urlset" % NS["s"] and not list(folder.glob("sitemap-*.xml"))


def test_the_build_check_validates_a_sitemap_index(tmp_path):
    from generator.check.pages import sitemap_problems

    folder = write_sitemaps(many_records(tmp_path, 45), tmp_path / "out", max_urls=20)
    assert sitemap_problems(folder / "sitemap.xml") == []
    (folder / "sitemap.xml").write_text(f'<?xml version="1.0"?>\n<sitemapindex xmlns="{NS["s"]}"><sitemap><lastmod>2024</lastmod></sitemap></sitemapindex>\n')
    assert sitemap_problems(folder / "sitemap.xml")
