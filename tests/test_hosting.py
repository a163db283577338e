"""Host configurations: one route table and one content-type policy, emitted for Netlify, nginx and GitHub Pages."""

from __future__ import annotations

import json
import posixpath
import re

import pytest
import yaml

from generator import layout
from generator.check.schemas import validate_document
from generator.source.loader import load_catalogue
from generator.writers import hosting


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from serving_site import build_site

    with pytest.MonkeyPatch.context() as monkeypatch:
        return build_site(tmp_path_factory.mktemp("hosting"), monkeypatch)


API_CASES = [
    ("/api", "index.json"),
    ("/api/", "index.json"),
    ("/api/conformance", "conformance.json"),
    ("/api/api", "openapi.json"),
    ("/api/collections", layout.API_COLLECTIONS),
    ("/api/collections/points", "collections/points/index.json"),
    ("/api/collections/points/items", "collections/points/items/index.json"),
    ("/api/collections/points/items/3", "collections/points/items/3.json"),
    ("/api/collections/records/items/points", "collections/records/items/points.json"),
    ("/api/collections/points/queryables", "collections/points/queryables.json"),
    ("/api/collections/points/tiles", "collections/points/tiles/index.json"),
]


@pytest.mark.parametrize(("path", "target"), API_CASES)
def test_route_table_maps_ogc_api_paths_onto_layout_files(path, target):
    assert hosting.resolve_route(path) == target


@pytest.mark.parametrize("path", ["/apix", "/api/unknown", "/api/collections/a/b/c/d", "/collections", "/"])
def test_other_paths_are_not_routes(path):
    assert hosting.resolve_route(path) is None


@pytest.mark.parametrize(("path", "target"), API_CASES)
def test_netlify_redirects_and_nginx_agree_with_the_route_table(built, path, target):
    """Apply the emitted _redirects (Netlify placeholder rules) and nginx regexes: same answer as serve's table."""
    assert _netlify_target(built / "_redirects", path) == "/" + target
    assert _nginx_target(built / layout.NGINX_CONF, path) == "/" + target


def _netlify_target(redirects, path: str) -> str | None:
    for line in redirects.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        source, target, status = line.split()
        assert status == str(hosting.REDIRECT_STATUS)
        names = re.findall(r":([a-z]+)", source)
        match = re.fullmatch(re.sub(r":[a-z]+", "([^/]+)", source) + "/?", path)
        if match:
            assert target.startswith("https://serving.example.org/")  # absolute Location: QGIS 3.22 needs it
            target = target.removeprefix("https://serving.example.org")
            return re.sub(r":([a-z]+)", lambda m: match.group(names.index(m.group(1)) + 1), target)
    return None


def _nginx_target(conf, path: str) -> str | None:
    for regex, target in re.findall(r'location ~ "([^"]+)" \{[^}]*?\}\s*add_header[^\n]*\n\s*return \d+ (\S+);', conf.read_text()):
        match = re.fullmatch(regex.replace("(?<", "(?P<"), path)
        if match:
            assert target.startswith("$scheme://$http_host/")  # absolute Location: QGIS 3.22 needs it
            return re.sub(r"\$([a-z]+)", lambda m: match.group(m.group(1)), target.removeprefix("$scheme://$http_host"))
    return None


@pytest.mark.parametrize(
    ("rel", "media_type"),
    [
        ("datasets/a/a.pmtiles", "application/vnd.pmtiles"),
        ("datasets/a/a.fgb", "application/vnd.flatgeobuf"),
        ("datasets/a/a.parquet", "application/vnd.apache.parquet"),
        ("datasets/a/a.gpkg", "application/geopackage+sqlite3"),
        ("datasets/a/a.tif", "image/tiff; application=geotiff; profile=cloud-optimized"),
        ("datasets/a/a.geojson", "application/geo+json"),
        ("collections/a/items/index.json", "application/geo+json"),
        ("collections/a/items/page-2.json", "application/geo+json"),
        ("collections/records/items/a.json", "application/geo+json"),
        ("stac/a/items/2020-01.json", "application/geo+json"),
        ("collections/a/items/index.html", "text/html; charset=utf-8"),
        ("collections/a/items/7.html", "text/html; charset=utf-8"),
        ("collections/a/index.json", "application/json"),
        ("collections/index.json", "application/json"),
        ("stac/catalog.json", "application/json"),
        ("openapi.json", "application/vnd.oai.openapi+json;version=3.0"),
        ("index.html", "text/html; charset=utf-8"),
        ("datasets/a/unknown.xyz", "application/octet-stream"),
    ],
)
def test_content_types(rel, media_type):
    assert hosting.content_type(rel) == media_type


def test_geojson_paths_cover_the_layout_functions():
    for rel in (layout.features_page("x", 1), layout.features_page("x", 5), layout.feature_json("x", "f"), layout.record_json("x"), layout.records_items_page(2), layout.stac_item("x", "i")):
        assert hosting.content_type(rel) == "application/geo+json", rel


def test_cache_policy():
    assert hosting.cache_control("index.html") == hosting.CACHE_REVALIDATE
    assert hosting.cache_control("collections/a/items/index.json") == hosting.CACHE_REVALIDATE
    assert hosting.cache_control("datasets/a/a.pmtiles") == hosting.CACHE_DATA
    assert hosting.cache_control("datasets/a/a.3f9a2b1c7d.pmtiles") == hosting.CACHE_IMMUTABLE
    assert hosting.cache_control("datasets/a/a.3f9a2b1c7d.json") == hosting.CACHE_REVALIDATE


def test_every_build_emits_the_host_files(built):
    for rel in (layout.NETLIFY_HEADERS, layout.NETLIFY_REDIRECTS, layout.NOJEKYLL, layout.NGINX_CONF, layout.GITHUB_PAGES_WORKFLOW, layout.API_COLLECTIONS):
        assert (built / rel).is_file(), rel
    headers = (built / "_headers").read_text()
    assert headers.startswith("/*\n  Access-Control-Allow-Origin: *\n  Access-Control-Expose-Headers: Content-Range")
    assert "/*.pmtiles\n  Content-Type: application/vnd.pmtiles\n" in headers
    assert "/collections/:id/items/*.json\n  Content-Type: application/geo+json\n" in headers and "/stac/:id/items/*.json\n" in headers
    assert "/datasets/points/image.tif\n  Cache-Control: public, max-age=3600\n" in headers


def test_netlify_headers_never_set_one_header_twice_for_a_path(built):
    """Netlify joins the values of a header set by two matching rules; each header must come from one rule."""
    blocks = re.findall(r"^(/\S*)\n((?:  .+\n)+)", (built / "_headers").read_text(), re.M)
    by_name: dict[str, list[str]] = {}
    for path, lines in blocks:
        for line in lines.splitlines():
            by_name.setdefault(line.split(":")[0].strip(), []).append(path)
    assert by_name["Access-Control-Allow-Origin"] == ["/*"]
    content_type_paths = by_name["Content-Type"]
    assert not any(p.endswith(".json") for p in content_type_paths if p.startswith("/*")), "a glob would double the items' type"
    assert len(by_name["Cache-Control"]) == len(set(by_name["Cache-Control"]))


def test_github_pages_workflow_builds_this_source_folder(built):
    workflow = yaml.safe_load((built / layout.GITHUB_PAGES_WORKFLOW).read_text())
    steps = [step.get("run", "") for step in workflow["jobs"]["build"]["steps"]]
    assert "geosite build src -o _site" in steps
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_api_collections_list_is_absolute_under_the_site_url_and_resolves(built):
    document = json.loads((built / layout.API_COLLECTIONS).read_text())
    assert validate_document(document) == []
    hrefs = [link["href"] for c in document["collections"] for link in c["links"]] + [l["href"] for l in document["links"]]
    assert {c["id"] for c in document["collections"]} == {"records", "points"}
    site = "https://serving.example.org/"
    for href in hrefs:
        if not href.startswith(site):
            continue
        assert (built / href[len(site):]).is_file(), href
    items = next(l for c in document["collections"] if c["id"] == "points" for l in c["links"] if l["rel"] == "items")
    assert items["href"] == site + "collections/points/items/index.json"


def test_a_sub_path_base_url_prefixes_every_rule(make_source):
    src = make_source({}, catalogue="title: T\ndescription: D\npublisher: {name: P}\nbase_url: https://example.org/data/cat/\n")
    catalogue = load_catalogue(src)
    assert hosting.site_path(catalogue) == "/data/cat/"
    assert hosting.api_url(catalogue) == "https://example.org/data/cat/api"
    assert "/data/cat/api/collections/:id/items  https://example.org/data/cat/collections/:id/items/index.json  302" in hosting.netlify_redirects(catalogue)
    assert 'location ~ "^/data/cat/api/collections/(?<id>[^/]+)/items/?$"' in hosting.nginx_conf(catalogue)
    rooted = hosting.api_collections(catalogue)
    assert all(l["href"].startswith("https://example.org/data/cat/") for l in rooted["links"])


def test_netlify_toml_builds_and_publishes_the_example():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[1] / "netlify.toml").read_text())
    assert config["build"]["publish"] == "build"
    assert "geosite build" in config["build"]["command"] and "pip install" in config["build"]["command"]


def test_nginx_snippet_mentions_every_content_type():
    conf_types = set(re.findall(r'"([^"]+)" [a-z0-9 ]+;', hosting.nginx_conf(load_catalogue_stub())))
    assert set(hosting.CONTENT_TYPES.values()) <= conf_types


def load_catalogue_stub():
    from pathlib import Path

    from generator.model import Catalogue, Publisher

    return Catalogue(src_dir=Path("src"), title="T", description="D", publisher=Publisher("P"))


def test_posix_paths_only():
    assert all(not posixpath.isabs(route.target) for route in hosting.ROUTES)
