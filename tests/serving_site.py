"""A small built site for the serving tests, and the two servers it is checked behind (geosite serve, nginx).

The features pages come from a stand-in data stage (the real vector pipeline is tested elsewhere) so the
OGC API clients have a collection with several pages; a COG and a PMTiles archive are written into the
build afterwards, as any data stage's files would be.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

from generator import build as build_module
from generator import layout
from generator.model import ApiLink, Asset, Catalogue, OgcCollection
from generator.output import OutputTree
from generator.serve import make_server
from generator.writers.common import GEOJSON
from generator.writers.paging import page_links, pages

FEATURES_ID = "points"
FEATURE_COUNT = 7
PAGE_SIZE = 3
COG = "datasets/points/image.tif"
PMTILES = "datasets/points/tiles.pmtiles"
PLAIN = "datasets/points/bytes.bin"

CATALOGUE = """\
title: Serving test catalogue
description: A catalogue the serving tests build.
base_url: https://serving.example.org/
publisher:
  name: Test publisher
license: CC0-1.0
"""
DATASET = """\
title: Some points
description: Seven points in a row, published as three pages of features.
license: CC0-1.0
"""


def features_stage(catalogue: Catalogue, out: OutputTree) -> None:
    """Stand-in for the vector pipeline: pre-paginated items, one file per feature, and the collection."""
    dataset = catalogue.dataset(FEATURES_ID)
    features = [{"type": "Feature", "id": n, "geometry": {"type": "Point", "coordinates": [n, n / 2]}, "properties": {"n": n, "name": f"point {n}"}} for n in range(1, FEATURE_COUNT + 1)]
    for number, items, count in pages(features, PAGE_SIZE):
        path = layout.features_page(FEATURES_ID, number)
        links = page_links(layout.json_linker(catalogue.base_url, path), lambda n: layout.features_page(FEATURES_ID, n), number, count, GEOJSON)
        out.write_json(path, {"type": "FeatureCollection", "features": list(items), "numberMatched": FEATURE_COUNT, "numberReturned": len(items), "links": links}, "test")
    for feature in features:
        out.write_json(layout.feature_json(FEATURES_ID, str(feature["id"])), feature, "test")
    dataset.bbox = (1.0, 0.5, 7.0, 3.5)
    dataset.collection = OgcCollection(item_type="feature", links=[ApiLink("items", layout.features_page(FEATURES_ID, 1), GEOJSON, "The features")])
    dataset.assets.append(Asset("image", COG, "Image", "image/tiff; application=geotiff; profile=cloud-optimized"))


def build_site(root: Path, monkeypatch, base_url: str | None = None) -> Path:
    """Build the test catalogue with the stand-in stage, then add the data files; `base_url` replaces the
    catalogue's (a host the tests start serves the build at its own URL, as a real deployment does)."""
    src = root / "src"
    (src / "datasets" / FEATURES_ID).mkdir(parents=True)
    catalogue = CATALOGUE if base_url is None else CATALOGUE.replace("https://serving.example.org/", base_url)
    (src / "catalogue.yaml").write_text(catalogue, encoding="utf-8")
    (src / "datasets" / FEATURES_ID / "dataset.yaml").write_text(DATASET, encoding="utf-8")
    monkeypatch.setattr(build_module, "POST_DATA", (features_stage, *build_module.POST_DATA))
    out = root / "build"
    build_module.build(src, out, check=False, cache=False)
    write_cog(out / COG)
    write_pmtiles(out / PMTILES)
    (out / PLAIN).write_bytes(bytes(range(256)) * 40)
    return out


def write_cog(path: Path) -> None:
    """A 1024x1024 RGB COG with 256x256 tiles and overviews."""
    rows, cols = np.mgrid[0:1024, 0:1024]
    data = np.stack([(rows % 256), (cols % 256), ((rows + cols) % 256)]).astype("uint8")
    profile = {"driver": "COG", "width": 1024, "height": 1024, "count": 3, "dtype": "uint8", "crs": "EPSG:3857", "transform": from_origin(0, 1024 * 10, 10, 10), "blocksize": 256, "compress": "deflate"}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)


def write_pmtiles(path: Path) -> None:
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    with open(path, "wb") as handle:
        writer = Writer(handle)
        for z, x, y in ((0, 0, 0), (1, 0, 0), (1, 1, 1)):
            writer.write_tile(zxy_to_tileid(z, x, y), f"tile {z}/{x}/{y}".encode())
        header = {"tile_type": TileType.MVT, "tile_compression": Compression.NONE, "min_zoom": 0, "max_zoom": 1, "min_lon_e7": -1800000000, "min_lat_e7": -850000000, "max_lon_e7": 1800000000, "max_lat_e7": 850000000, "center_zoom": 0, "center_lon_e7": 0, "center_lat_e7": 0}
        writer.finalize(header, {"name": "test"})


@dataclass
class Running:
    """A server on loopback and a way to read which requests it answered."""

    url: str
    requests: callable
    root: Path | None = None  # the build it serves

    def count(self, path_part: str) -> int:
        """Requests (GET and HEAD) whose path contains `path_part`, counted on the server side."""
        return sum(1 for method, path, _ in self.requests() if path_part in path and method in ("GET", "HEAD"))


@contextmanager
def geosite_server(root: Path) -> Iterator[Running]:
    server = make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Running(server.url, lambda: list(server.request_log))
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def geosite_process(root: Path, logs: Path, port: int | None = None) -> Iterator[Running]:
    """`geosite serve` in its own process: GDAL and rasterio hold the GIL while they read, so a client
    in the test process would starve an in-process server."""
    port = port or free_port()
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / "serve.log"
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}
    with open(log, "wb") as handle:
        process = subprocess.Popen([sys.executable, "-m", "generator", "--debug", "serve", str(root), "--port", str(port)], stdout=handle, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_for_port(port, process, log)
        yield Running(f"http://127.0.0.1:{port}/", lambda: _serve_log(log), root)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _serve_log(path: Path) -> list[tuple[str, str, int]]:
    time.sleep(0.05)
    return [(m[1], m[2], int(m[3])) for m in re.finditer(r'"([A-Z]+) (\S+) HTTP/1\.[01]" (\d{3})', path.read_text(errors="replace"))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


NGINX_CONF = """\
daemon off;
worker_processes 1;
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    log_format geosite '$request_method $request_uri $status';
    access_log {prefix}/access.log geosite;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        include {root}/hosting/nginx.conf;
    }}
}}
"""


@contextmanager
def nginx_server(root: Path, prefix: Path, port: int | None = None) -> Iterator[Running]:
    """The Debian nginx with the build's emitted snippet, as an unprivileged process on loopback."""
    if nginx_binary() is None:
        raise RuntimeError("nginx is not installed: apt-get install -y nginx")
    prefix.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(NGINX_CONF.format(prefix=prefix, port=port, root=root, user=user), encoding="utf-8")
    process = subprocess.Popen([nginx_binary(), "-p", str(prefix), "-c", str(prefix / "nginx.conf")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, prefix / "error.log")
        yield Running(f"http://127.0.0.1:{port}/", lambda: _access_log(prefix / "access.log"), root)
    finally:
        process.terminate()
        process.wait(timeout=10)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"server exited: {output}{log.read_text() if log.exists() else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("server did not start")


def _access_log(path: Path) -> list[tuple[str, str, int]]:
    time.sleep(0.05)  # nginx writes the log line after the response
    entries = []
    for line in path.read_text().splitlines() if path.exists() else []:
        method, uri, status = line.split(" ")
        entries.append((method, uri, int(status)))
    return entries
