"""The real clients against a build served by `geosite serve` and by the Debian nginx with the emitted snippet.

nginx tests skip only when nginx is not installed AND the CI variable is unset (in CI a missing nginx fails).
"""

from __future__ import annotations

import http.client
import os
from urllib.parse import urlsplit

import pytest

from serving_site import COG, FEATURE_COUNT, FEATURES_ID, PLAIN, PMTILES, build_site, free_port, geosite_process, nginx_binary, nginx_server

HOSTS = ["serve", "nginx"]


@pytest.fixture(scope="module", params=HOSTS)
def host(request, tmp_path_factory):
    """nginx serves a build made for its own URL, as a deployment is; `geosite serve` a build for another URL,
    which it answers for at its own origin."""
    if request.param == "nginx" and nginx_binary() is None and not os.environ.get("CI"):
        pytest.skip("nginx is not installed (apt-get install nginx); required when CI is set")
    port = free_port()
    with pytest.MonkeyPatch.context() as monkeypatch:
        built = build_site(tmp_path_factory.mktemp("clients"), monkeypatch, None if request.param == "serve" else f"http://127.0.0.1:{port}/")
    logs = tmp_path_factory.mktemp(f"{request.param}-logs")
    context = geosite_process(built, logs, port) if request.param == "serve" else nginx_server(built, logs, port)
    with context as running:
        yield running


@pytest.fixture(scope="module")
def built(host):
    return host.root


def fetch(url: str, method: str = "GET", **headers: str):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers={k.replace("_", "-"): v for k, v in headers.items()})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_range_semantics(host, built):
    data = (built / PLAIN).read_bytes()
    response, body = fetch(host.url + PLAIN, Range="bytes=100-199")
    assert response.status == 206 and body == data[100:200]
    assert response.getheader("Content-Range") == f"bytes 100-199/{len(data)}"
    response, body = fetch(host.url + PLAIN, Range="bytes=-10")
    assert response.status == 206 and body == data[-10:]
    response, _ = fetch(host.url + PLAIN, Range=f"bytes={len(data)}-")
    assert response.status == 416 and response.getheader("Content-Range") == f"bytes */{len(data)}"


def test_validators_and_if_range(host):
    first, _ = fetch(host.url + PLAIN)
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert etag and modified
    assert fetch(host.url + PLAIN, If_None_Match=etag)[0].status == 304
    assert fetch(host.url + PLAIN, If_Modified_Since=modified)[0].status == 304
    assert fetch(host.url + PLAIN, Range="bytes=0-9", If_Range=etag)[0].status == 206
    assert fetch(host.url + PLAIN, Range="bytes=0-9", If_Range='"stale-etag"')[0].status == 200


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        (COG, "image/tiff; application=geotiff; profile=cloud-optimized"),
        (PMTILES, "application/vnd.pmtiles"),
        ("collections/points/items/index.json", "application/geo+json"),
        ("collections/points/items/page-2.json", "application/geo+json"),
        ("collections/records/items/points.json", "application/geo+json"),
        ("collections/points/index.json", "application/json"),
        ("stac/catalog.json", "application/json"),
        ("openapi.json", "application/vnd.oai.openapi+json;version=3.0"),
        ("index.html", "text/html; charset=utf-8"),
    ],
)
def test_content_types(host, path, media_type):
    response, _ = fetch(host.url + path)
    assert response.status == 200
    assert response.getheader("Content-Type") == media_type


def test_cache_policy(host):
    assert fetch(host.url + PMTILES)[0].getheader("Cache-Control") == "public, max-age=3600"
    assert fetch(host.url + "index.json")[0].getheader("Cache-Control") == "public, max-age=0, must-revalidate"


def test_browser_style_cors_range_request(host):
    """What pmtiles.js / geotiff.js do from another origin: a preflight, then a ranged GET whose headers they read."""
    preflight, _ = fetch(host.url + PMTILES, method="OPTIONS", Origin="https://maps.example", Access_Control_Request_Method="GET", Access_Control_Request_Headers="range,if-match")
    assert preflight.status in (200, 204)
    assert preflight.getheader("Access-Control-Allow-Origin") == "*"
    assert "range" in preflight.getheader("Access-Control-Allow-Headers").lower()
    response, body = fetch(host.url + PMTILES, Origin="https://maps.example", Range="bytes=0-126")
    assert response.status == 206 and len(body) == 127 and body[:7] == b"PMTiles"
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    exposed = {h.strip().lower() for h in response.getheader("Access-Control-Expose-Headers").split(",")}
    assert {"content-range", "content-length", "etag", "accept-ranges"} <= exposed


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("api", "/index.json"),
        ("api?f=json", "/index.json"),
        ("api/collections", "/hosting/api-collections.json"),
        ("api/collections/points", "/collections/points/index.json"),
        ("api/collections/points/items?limit=2", "/collections/points/items/index.json"),
        ("api/collections/points/items/3", "/collections/points/items/3.json"),
        ("api/conformance", "/conformance.json"),
        ("api/api", "/openapi.json"),
    ],
)
def test_api_redirects(host, path, location):
    response, _ = fetch(host.url + path)
    assert response.status == 302
    assert response.getheader("Location") in (location, host.url.rstrip("/") + location)
    assert response.getheader("Access-Control-Allow-Origin") == "*"


def test_owslib_features_and_records(host):
    from owslib.ogcapi.features import Features
    from owslib.ogcapi.records import Records

    api = host.url + "api"
    features = Features(api)
    assert {c["id"] for c in features.collections()["collections"]} == {"records", FEATURES_ID}
    assert features.collection(FEATURES_ID)["itemType"] == "feature"
    page = features.collection_items(FEATURES_ID, limit=100)
    assert page["type"] == "FeatureCollection" and page["numberMatched"] == FEATURE_COUNT
    assert features.collection_item(FEATURES_ID, "3")["properties"]["n"] == 3
    assert "conformsTo" in features.conformance()
    records = Records(api)
    assert records.collection_items("records")["features"][0]["id"] == FEATURES_ID
    with_query = Features(api + "/?f=json")  # OWSLib joins paths onto a query-string URL only after a '/'
    assert FEATURES_ID in {c["id"] for c in with_query.collections()["collections"]}


def test_gdal_oapif_lists_collections_and_reads_every_feature(host):
    import pyogrio

    url = "OAPIF:" + host.url + "api"
    layers = {name for name, _ in pyogrio.list_layers(url)}
    assert FEATURES_ID in layers
    frame = pyogrio.read_dataframe(url, layer=FEATURES_ID)
    assert sorted(frame["n"]) == list(range(1, FEATURE_COUNT + 1))
    assert host.count("/collections/points/items/page-3.json") >= 1


GDAL_CLOUD = {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR", "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif", "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "YES", "VSI_CACHE": "FALSE"}


def test_rasterio_reads_a_cog_window_in_few_requests(host, built):
    import rasterio
    from rasterio.windows import Window

    before = host.count("image.tif")
    with rasterio.Env(**GDAL_CLOUD), rasterio.open(f"/vsicurl/{host.url}{COG}") as src:
        window = src.read(window=Window(256, 512, 256, 256))
    with rasterio.open(built / COG) as local:
        assert (window == local.read(window=Window(256, 512, 256, 256))).all()
    requests = host.count("image.tif") - before
    assert 1 <= requests <= 4, host.requests()


def test_pmtiles_reader_fetches_a_tile_in_three_requests(host):
    from pmtiles.reader import Reader

    before = host.count("tiles.pmtiles")

    def get_bytes(offset: int, length: int) -> bytes:
        response, body = fetch(host.url + PMTILES, Range=f"bytes={offset}-{offset + length - 1}")
        assert response.status == 206
        return body

    assert Reader(get_bytes).get(1, 1, 1) == b"tile 1/1/1"
    assert host.count("tiles.pmtiles") - before <= 3


def test_pystac_opens_and_walks_the_stac_root(host):
    import pystac

    catalog = pystac.Catalog.from_file(host.url + "stac/catalog.json")
    children = list(catalog.get_children())
    assert {child.id for child in children} == {FEATURES_ID}
    assert children[0].get_self_href().startswith(host.url)
