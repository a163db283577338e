"""`geosite serve`: ranges, validators, CORS, content types, the API redirects, concurrency and --watch."""

from __future__ import annotations

import http.client
import json
import threading
import time
from pathlib import Path

import pytest

from generator import serve as serve_module
from generator.serve import Reloader, make_server, watch
from generator.writers import hosting

DATA = bytes(range(256)) * 40  # 10240 bytes


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    (root / "datasets" / "d").mkdir(parents=True)
    (root / "collections" / "d" / "items").mkdir(parents=True)
    (root / "datasets" / "d" / "data.bin").write_bytes(DATA)
    (root / "datasets" / "d" / "d.pmtiles").write_bytes(DATA[:100])
    (root / "datasets" / "d" / "empty.fgb").write_bytes(b"")
    (root / "datasets" / "d" / "index.html").write_text("<html><body>dataset</body></html>", encoding="utf-8")
    (root / "index.json").write_text('{"links": []}', encoding="utf-8")
    (root / "collections" / "d" / "items" / "index.json").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    (root / "collections" / "d" / "items" / "f1.json").write_text('{"type": "Feature"}', encoding="utf-8")
    (root / "collections" / "d" / "index.json").write_text('{"id": "d"}', encoding="utf-8")
    return root


@pytest.fixture
def server(site):
    running = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=running.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def get(server, path: str, method: str = "GET", **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    connection.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_whole_file_with_validators_and_cors(server):
    response, body = get(server, "/datasets/d/data.bin")
    assert response.status == 200 and body == DATA
    assert response.getheader("Content-Length") == str(len(DATA))
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("ETag").startswith('"') and response.getheader("Last-Modified").endswith("GMT")
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    exposed = {h.strip() for h in response.getheader("Access-Control-Expose-Headers").split(",")}
    assert {"Content-Range", "Content-Length", "ETag", "Accept-Ranges"} <= exposed


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=10000-", 10000, 10239), ("bytes=-40", 10200, 10239), ("bytes=10200-99999", 10200, 10239), ("bytes=-99999", 0, 10239)],
)
def test_single_ranges(server, header, first, last):
    response, body = get(server, "/datasets/d/data.bin", Range=header)
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes {first}-{last}/{len(DATA)}"
    assert body == DATA[first : last + 1]
    assert response.getheader("Content-Length") == str(last - first + 1)


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-30000", "bytes=-0"])
def test_unsatisfiable_range_is_416(server, header):
    response, body = get(server, "/datasets/d/data.bin", Range=header)
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{len(DATA)}"


def test_any_range_of_an_empty_file_is_416(server):
    response, _ = get(server, "/datasets/d/empty.fgb", Range="bytes=0-10")
    assert response.status == 416 and response.getheader("Content-Range") == "bytes */0"


@pytest.mark.parametrize("header", ["bytes=5-1", "bytes=a-b", "items=0-5", "bytes=", "bytes=1-2-3"])
def test_malformed_range_is_ignored(server, header):
    response, body = get(server, "/datasets/d/data.bin", Range=header)
    assert response.status == 200 and body == DATA


def test_multiple_ranges_are_multipart(server):
    response, body = get(server, "/datasets/d/data.bin", Range="bytes=0-3,100-103")
    assert response.status == 206
    content_type = response.getheader("Content-Type")
    assert content_type.startswith("multipart/byteranges; boundary=")
    boundary = content_type.split("boundary=")[1]
    parts = [p for p in body.split(f"--{boundary}".encode()) if p.strip() not in (b"", b"--")]
    assert len(parts) == 2
    assert b"Content-Range: bytes 0-3/10240" in parts[0] and parts[0].endswith(b"\r\n\r\n" + DATA[0:4] + b"\r\n")
    assert b"Content-Range: bytes 100-103/10240" in parts[1] and parts[1].endswith(b"\r\n\r\n" + DATA[100:104] + b"\r\n")
    assert int(response.getheader("Content-Length")) == len(body)


def test_if_none_match_and_if_modified_since_give_304(server):
    first, _ = get(server, "/datasets/d/data.bin")
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert get(server, "/datasets/d/data.bin", If_None_Match=etag)[0].status == 304
    assert get(server, "/datasets/d/data.bin", If_None_Match=f'"other", W/{etag}')[0].status == 304
    assert get(server, "/datasets/d/data.bin", If_None_Match='"other"')[0].status == 200
    assert get(server, "/datasets/d/data.bin", If_Modified_Since=modified)[0].status == 304
    assert get(server, "/datasets/d/data.bin", If_Modified_Since="Mon, 01 Jan 2001 00:00:00 GMT")[0].status == 200


def test_if_range_honours_the_range_only_while_the_file_is_unchanged(server, site):
    etag = get(server, "/datasets/d/data.bin")[0].getheader("ETag")
    assert get(server, "/datasets/d/data.bin", Range="bytes=0-9", If_Range=etag)[0].status == 206
    response, body = get(server, "/datasets/d/data.bin", Range="bytes=0-9", If_Range='"stale"')
    assert response.status == 200 and body == DATA
    assert get(server, "/datasets/d/data.bin", Range="bytes=0-9", If_Range=f"W/{etag}")[0].status == 200


def test_if_match_mismatch_is_412(server):
    assert get(server, "/datasets/d/data.bin", If_Match='"nope"')[0].status == 412


def test_head_sends_headers_only(server):
    response, body = get(server, "/datasets/d/data.bin", method="HEAD")
    assert response.status == 200 and body == b"" and response.getheader("Content-Length") == str(len(DATA))


def test_cors_preflight(server):
    response, _ = get(server, "/datasets/d/data.bin", method="OPTIONS", Origin="https://maps.example", Access_Control_Request_Headers="range")
    assert response.status == 204
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert "Range" in response.getheader("Access-Control-Allow-Headers")


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/datasets/d/d.pmtiles", "application/vnd.pmtiles"),
        ("/datasets/d/empty.fgb", "application/vnd.flatgeobuf"),
        ("/index.json", "application/json"),
        ("/collections/d/index.json", "application/json"),
        ("/collections/d/items/index.json", "application/geo+json"),
        ("/collections/d/items/f1.json", "application/geo+json"),
        ("/datasets/d/", "text/html; charset=utf-8"),
    ],
)
def test_content_types_follow_the_hosting_policy(server, path, media_type):
    response, _ = get(server, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == media_type == hosting.content_type(path.lstrip("/") + ("index.html" if path.endswith("/") else ""))


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/api", "/index.json"),
        ("/api/", "/index.json"),
        ("/api?f=json", "/index.json"),
        ("/api/conformance?f=json", "/conformance.json"),
        ("/api/api", "/openapi.json"),
        ("/api/collections", "/hosting/api-collections.json"),
        ("/api/collections/d", "/collections/d/index.json"),
        ("/api/collections/d/items?limit=10&bbox=1,2,3,4", "/collections/d/items/index.json"),
        ("/api/collections/d/items/f1", "/collections/d/items/f1.json"),
        ("/api/collections/d/queryables", "/collections/d/queryables.json"),
    ],
)
def test_api_urls_redirect_to_the_files(server, path, location):
    response, _ = get(server, path)
    assert response.status == hosting.REDIRECT_STATUS
    assert response.getheader("Location") == server.url.rstrip("/") + location  # absolute: QGIS 3.22 needs it
    assert response.getheader("Access-Control-Allow-Origin") == "*"


def test_folders_redirect_to_their_slash_and_serve_index_html(server):
    response, _ = get(server, "/datasets/d")
    assert response.status == 301 and response.getheader("Location") == server.url + "datasets/d/"
    response, body = get(server, "/datasets/d/")
    assert response.status == 200 and b"dataset" in body


@pytest.mark.parametrize("path", ["/../secret", "/datasets/%2e%2e/%2e%2e/secret", "/datasets/d/..%2f..%2fsecret", "/nothing-here", "/api/unknown"])
def test_nothing_outside_the_folder_and_404_for_missing(server, site, path):
    (site.parent / "secret").write_text("secret", encoding="utf-8")
    response, body = get(server, path)
    assert response.status == 404 and b"secret" not in body


def test_symlink_out_of_the_folder_is_refused(server, site):
    (site.parent / "outside.txt").write_text("outside", encoding="utf-8")
    (site / "link.txt").symlink_to(site.parent / "outside.txt")
    assert get(server, "/link.txt")[0].status == 404


def test_a_slow_client_does_not_block_others(server):
    """A client that sent half a request holds its thread; the others are answered meanwhile."""
    import socket

    stalled = socket.create_connection(server.server_address[:2])
    stalled.sendall(b"GET /datasets/d/data.bin HTTP/1.1\r\nHost: x\r\n")  # no end of headers: the thread waits
    results: list[int] = []

    def fetch() -> None:
        results.append(get(server, "/datasets/d/data.bin", Range="bytes=0-9")[0].status)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    stalled.close()
    assert results == [206] * 8
    assert time.monotonic() - started < 5


def test_watch_rebuilds_on_change_and_wakes_waiting_pages(tmp_path, site):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.yaml").write_text("one", encoding="utf-8")
    builds: list[str] = []
    reloader, stop = Reloader(), threading.Event()
    thread = threading.Thread(target=watch, args=(src, site, lambda s, d: builds.append((s / "a.yaml").read_text()), reloader, stop, 0.05), daemon=True)
    thread.start()
    time.sleep(0.2)
    (src / "a.yaml").write_text("two!", encoding="utf-8")
    version = reloader.wait(0, timeout=5)
    stop.set()
    assert version == 1 and builds == ["two!"]


def test_watch_keeps_serving_after_a_failed_build(tmp_path, site):
    src = tmp_path / "src"
    src.mkdir()
    reloader, stop = Reloader(), threading.Event()

    def failing(s, d):
        raise ValueError("broken yaml")

    thread = threading.Thread(target=watch, args=(src, site, failing, reloader, stop, 0.05), daemon=True)
    thread.start()
    time.sleep(0.2)
    (src / "b.yaml").write_text("x", encoding="utf-8")
    time.sleep(0.4)
    alive = thread.is_alive()
    stop.set()
    assert reloader.version == 0 and alive
    assert (site / "index.json").exists()


def test_live_pages_get_the_reload_script_and_the_poll_answers(site):
    reloader = Reloader()
    running = make_server(site, "127.0.0.1", 0, reloader)
    threading.Thread(target=running.serve_forever, args=(0.05,), daemon=True).start()
    try:
        response, body = get(running, "/datasets/d/")
        assert serve_module.RELOAD_PATH.encode() in body and body.rstrip().endswith(b"</script></body></html>")
        assert response.getheader("Content-Length") == str(len(body))
        threading.Timer(0.2, reloader.bump).start()
        poll, answer = get(running, f"{serve_module.RELOAD_PATH}?since=0")
        assert poll.status == 200 and json.loads(answer) == {"version": 1}
        assert serve_module.RELOAD_PATH.encode() not in get(running, "/index.json")[1]
    finally:
        running.shutdown()
        running.server_close()


def test_cli_serve_refuses_a_missing_folder(tmp_path):
    from typer.testing import CliRunner

    from generator.cli import app

    result = CliRunner().invoke(app, ["serve", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "no such folder" in result.output


def test_watch_ignores_an_output_folder_inside_the_source(tmp_path):
    from generator.serve import source_snapshot

    src = tmp_path / "src"
    (src / "build").mkdir(parents=True)
    (src / ".build.staging-1").mkdir()
    (src / "catalogue.yaml").write_text("x", encoding="utf-8")
    (src / "build" / "index.html").write_text("x", encoding="utf-8")
    (src / ".build.staging-1" / "index.html").write_text("x", encoding="utf-8")
    assert [Path(p).name for p in source_snapshot(src, src / "build")] == ["catalogue.yaml"]
