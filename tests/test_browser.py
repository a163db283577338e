"""The built site in a real browser (Debian's headless Chromium through chromedriver).

Skipped only when Chromium is absent and the CI variable is unset: in CI these tests must run.
Screenshots are kept in $GEOSITE_ARTIFACTS (default: the test's tmp folder) for people to look at.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.test_html import CATALOGUE, build_site, hostile_catalogue, write_source

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER) and not os.environ.get("CI"):
    pytest.skip("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)", allow_module_level=True)

from selenium import webdriver  # noqa: E402  (only importable where the browser tests run)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class RangeHandler(SimpleHTTPRequestHandler):
    """Python's static server plus single-range requests, which PMTiles readers need."""

    def log_message(self, *args) -> None:  # quiet test output
        pass

    def copyfile(self, source, outputfile) -> None:
        """Count the bytes each request costs, so tests can measure what a page fetches."""
        sent = 0
        while block := source.read(64 * 1024):
            outputfile.write(block)
            sent += len(block)
        self.server.served.append((self.path, sent))

    def send_head(self):
        match = RANGE.match(self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first, last = match.groups()
        start = int(first) if first else max(0, size - int(last))
        end = min(size - 1, int(last)) if first and last else size - 1
        handle = open(path, "rb")
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return _Limited(handle, end - start + 1)


class _Limited:
    """A file object that stops after `remaining` bytes, for copyfile()."""

    def __init__(self, handle, remaining: int):
        self.handle, self.remaining = handle, remaining

    def read(self, size: int = -1) -> bytes:
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.handle.read(size)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 resets connections when a map opens a burst of range requests
    daemon_threads = True


def serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    server = Server(("127.0.0.1", 0), partial(RangeHandler, directory=str(root)))
    server.served = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def chromium(profile: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader", "--window-size=1280,2000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("GEOSITE_ARTIFACTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("profile"))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def example_site(tmp_path_factory):
    site = build_site(tmp_path_factory.mktemp("site"))
    server, url = serve(site)
    yield site, url, server
    server.shutdown()


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    """The repository's example catalogue, built by the full pipeline (real vector and raster data)."""
    from generator.build import build

    site = tmp_path_factory.mktemp("example") / "site"
    build(Path(__file__).resolve().parents[1] / "catalogue_src", site, cache=False)
    server, url = serve(site)
    yield site, url, server
    server.shutdown()


def errors(driver) -> list[str]:
    """Console errors since the last call (the log is drained by reading it)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def wait_for(driver, script: str, timeout: float = 20):
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: d.execute_script(script))


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_every_page_loads_without_console_errors(browser, example_site):
    site, url, server = example_site
    errors(browser)
    for page in html_pages(site):
        browser.get(url + page)
        wait_for(browser, "return document.readyState === 'complete'")
        if browser.execute_script("return !!document.getElementById('map')"):
            wait_for(browser, "return ['drawn', 'failed'].includes(document.getElementById('map').dataset.state)")
        assert errors(browser) == [], page


def sampled_pages(site: Path, features_per_collection: int = 2) -> list[str]:
    """Every page but most single-feature pages (thousands, all alike): the first few of each collection."""
    single = re.compile(r"collections/[^/]+/items/(?!index\.html$|page-\d+\.html$)[^/]+\.html$")
    kept, seen = [], {}
    for page in html_pages(site):
        collection = page.split("/")[1] if single.match(page) else None
        seen[collection] = seen.get(collection, 0) + 1
        if collection is None or seen[collection] <= features_per_collection:
            kept.append(page)
    return kept


def test_example_catalogue_pages_load_and_maps_draw(browser, real_site, artifacts):
    site, url, server = real_site
    errors(browser)
    pages = sampled_pages(site)
    assert any(p.endswith("/items/index.html") for p in pages) and any(p.endswith("/items/1.html") for p in pages)
    for page in pages:
        browser.get(url + page)
        wait_for(browser, "return document.readyState === 'complete'")
        if browser.execute_script("return !!document.getElementById('map')"):
            wait_for(browser, "return document.getElementById('map').dataset.state === 'drawn'", timeout=45)
            if page.startswith("datasets/") or page.endswith("/items/index.html"):
                browser.save_screenshot(str(artifacts / f"example-{page.split('/')[0]}-{page.split('/')[1]}.png"))
        assert errors(browser) == [], page


def test_record_map_draws_the_dataset_tiles(browser, example_site, artifacts):
    from PIL import Image

    site, url, server = example_site
    browser.get(url + "datasets/tiny-raster/index.html")
    wait_for(browser, "return document.getElementById('map').dataset.state === 'drawn'")
    assert browser.execute_script("return document.querySelector('#map canvas.maplibregl-canvas') !== null")
    shot = artifacts / "record-page.png"
    browser.save_screenshot(str(shot))
    box = browser.execute_script("const r = document.getElementById('map').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]")
    scale = browser.execute_script("return window.devicePixelRatio")
    region = Image.open(shot).convert("RGB").crop(tuple(int(v * scale) for v in box))
    # The fixture's tiles are pure red; the background and extent outline are not.
    reds = sum(1 for r, g, b in region.getdata() if r > 200 and g < 60 and b < 60)
    assert reds > 500, "the dataset's raster tiles were not drawn"
    assert "application/vnd.pmtiles" in browser.page_source


def test_search_finds_a_word_only_in_a_description_and_a_facet_narrows(browser, example_site, artifacts):
    site, url, server = example_site
    browser.get(url + "search/index.html?q=zanzibarite")
    wait_for(browser, "return /found/.test(document.getElementById('search-status').textContent)")
    titles = browser.execute_script("return [...document.querySelectorAll('#search-results h2')].map(h => h.textContent)")
    assert titles == ["Tiny raster"]
    browser.get(url + "search/index.html")
    wait_for(browser, "return /found/.test(document.getElementById('search-status').textContent)")
    everything = len(browser.execute_script("return [...document.querySelectorAll('#search-results li')]"))
    browser.find_element("css selector", 'input[name="keyword"][value="grid"]').click()
    wait_for(browser, f"return document.querySelectorAll('#search-results li').length < {everything}")
    titles = browser.execute_script("return [...document.querySelectorAll('#search-results h2')].map(h => h.textContent)")
    assert titles == ["Tiny raster"]
    browser.save_screenshot(str(artifacts / "search-page.png"))
    assert errors(browser) == []


def test_search_merges_the_parts_of_a_big_index(browser, tmp_path, monkeypatch):
    from generator import layout

    monkeypatch.setattr(layout, "PAGEFIND_PART_RECORDS", 2)
    words = ["alpha", "bravo", "charlie", "delta", "echo"]
    datasets = {word: f"title: Record {word}\ndescription: The {word}quartz survey.\n" for word in words}
    site = build_site(tmp_path, write_source(tmp_path / "src", CATALOGUE, datasets))
    assert [p.name for p in sorted((site / "search").glob("pagefind*"))] == ["pagefind", "pagefind-2", "pagefind-3"]
    server, url = serve(site)
    try:
        for word in words:
            browser.get(url + f"search/index.html?q={word}quartz")
            wait_for(browser, "return /found/.test(document.getElementById('search-status').textContent)")
            assert browser.execute_script("return [...document.querySelectorAll('#search-results h2')].map(h => h.textContent)") == [f"Record {word}"]
        assert errors(browser) == []
    finally:
        server.shutdown()


def test_search_filters_by_area_and_time(browser, example_site):
    site, url, server = example_site
    browser.get(url + "search/index.html?west=100&south=-10&east=120&north=10")
    wait_for(browser, "return /found/.test(document.getElementById('search-status').textContent)")
    assert browser.execute_script("return [...document.querySelectorAll('#search-results h2')].map(h => h.textContent)") == ["Points in Sumatra"]
    browser.get(url + "search/index.html?from=2019-01-01&to=2019-12-31")
    wait_for(browser, "return /found/.test(document.getElementById('search-status').textContent)")
    assert browser.execute_script("return [...document.querySelectorAll('#search-results h2')].map(h => h.textContent)") == ["Tiny raster"]


def test_search_payload_is_small(example_site, tmp_path):
    """Bytes one word search fetches, Pagefind's files included, in a browser with an empty cache."""
    site, url, server = example_site
    browser = chromium(tmp_path / "profile")
    try:
        browser.get(url + "search/index.html")
        wait_for(browser, "return /found/.test(document.getElementById('search-status').textContent)")
        server.served.clear()
        browser.find_element("id", "q").send_keys("zanzibarite\n")
        wait_for(browser, "return /1 record found/.test(document.getElementById('search-status').textContent)")
    finally:
        browser.quit()
    fetched = list(server.served)
    total = sum(size for _name, size in fetched)
    print(f"search payload: {total} bytes in {len(fetched)} requests: {fetched}")
    assert any("wasm" in name for name, _size in fetched) and 0 < total < 400_000


def test_hostile_metadata_executes_nothing(browser, tmp_path):
    site = hostile_catalogue(tmp_path)
    server, url = serve(site)
    try:
        for page in ("index.html", "datasets/evil/index.html", "catalogue/index.html", "search/index.html?q=script"):
            browser.get(url + page)
            wait_for(browser, "return document.readyState === 'complete'")
            time.sleep(0.3)
            assert browser.execute_script("return window.__pwned === undefined"), page
            assert not browser.find_elements("css selector", "main script:not([type]):not([src]), main img[onerror], main a[href^='javascript']"), page
        browser.get(url + "datasets/evil/index.html")
        for block in browser.execute_script("return [...document.querySelectorAll('script[type=\"application/ld+json\"]')].map(s => s.textContent)"):
            assert json.loads(block)["name"].startswith("Evil </script>")
    finally:
        server.shutdown()


def test_legend_names_what_the_map_draws(browser, example_site):
    site, url, server = example_site
    browser.get(url + "datasets/tiny-raster/index.html")
    wait_for(browser, "return document.getElementById('map').dataset.state === 'drawn'")
    legend = browser.execute_script("return document.getElementById('map-legend').textContent")
    assert "Extent of the dataset" in legend and "Areas" not in legend
    colours = browser.execute_script("return document.querySelector('.raster-legend').textContent")
    assert "Redness" in colours and "0" in colours and "255" in colours


def test_area_can_be_drawn_on_a_map_loaded_on_demand(browser, example_site):
    from selenium.webdriver.common.action_chains import ActionChains

    site, url, server = example_site
    browser.get(url + "search/index.html")
    wait_for(browser, "return /found/.test(document.getElementById('search-status').textContent)")
    errors(browser)  # what the previous test's maps (their server now stopped) left unfinished is not this page's
    assert not browser.execute_script("return !!window.maplibregl"), "the map library loads only on request"
    browser.find_element("id", "show-map").click()
    wait_for(browser, "return !!document.querySelector('#search-map canvas') && !document.getElementById('draw-area').hidden")
    browser.find_element("id", "draw-area").click()
    canvas = browser.find_element("css selector", "#search-map canvas")
    ActionChains(browser).move_to_element_with_offset(canvas, -40, -40).click_and_hold().move_by_offset(30, 30).release().perform()
    wait_for(browser, "return document.querySelector('input[name=west]').value !== ''")
    assert browser.execute_script("return location.search").count("west=") == 1
    assert errors(browser) == []


def test_pages_fit_a_phone_screen(browser, example_site):
    site, url, server = example_site
    browser.set_window_size(400, 900)
    try:
        for page in ("index.html", "catalogue/index.html", "search/index.html", "datasets/tiny-raster/index.html", "collections/tiny-raster/index.html"):
            browser.get(url + page)
            wait_for(browser, "return document.readyState === 'complete'")
            assert browser.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth"), page
    finally:
        browser.set_window_size(1280, 2000)


class TileHandler(RangeHandler):
    """The test server, also playing a third-party XYZ tile service: every /tiles/ request gets a red tile."""

    def send_head(self):
        if not self.path.startswith("/tiles/"):
            return super().send_head()
        from tests.test_html import red_png

        body = red_png()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def red_share(browser, artifacts: Path, name: str) -> float:
    from PIL import Image

    shot = artifacts / name
    browser.save_screenshot(str(shot))
    box = browser.execute_script("const r = document.getElementById('map').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]")
    scale = browser.execute_script("return window.devicePixelRatio")
    region = Image.open(shot).convert("RGB").crop(tuple(int(v * scale) for v in box))
    return sum(1 for r, g, b in region.getdata() if r > 200 and g < 60 and b < 60) / (region.width * region.height)


BASEMAP_CREDIT = "<b>Tiles</b> & co </script><img src=x onerror=window.__pwned=1>"


def test_an_xyz_basemap_draws_under_the_data_with_its_attribution_as_text(browser, tmp_path, artifacts):
    from tests.test_html import CATALOGUE, write_source

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(TileHandler, directory=str(tmp_path)))
    server.served = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        basemap = {"url": url + "tiles/{z}/{x}/{y}.png", "attribution": BASEMAP_CREDIT, "attribution_url": "https://example.org/terms"}
        source = write_source(tmp_path / "src", CATALOGUE + f"basemap: {json.dumps(basemap)}\n", {"area": "title: Area\nbbox: [10, 40, 20, 50]\n"})
        build_site(tmp_path, source)
        errors(browser)
        browser.get(url + "site/datasets/area/index.html")
        wait_for(browser, "return document.getElementById('map').dataset.state === 'drawn'")
        assert red_share(browser, artifacts, "basemap-xyz.png") > 0.5, "the basemap tiles were not drawn"
        credit = browser.execute_script("return document.querySelector('.maplibregl-ctrl-attrib-inner').textContent")
        assert BASEMAP_CREDIT in credit
        assert browser.execute_script("return document.querySelector('.maplibregl-ctrl-attrib-inner a').href") == "https://example.org/terms"
        assert browser.execute_script("return window.__pwned === undefined && !document.querySelector('.maplibregl-ctrl-attrib img, .maplibregl-ctrl-attrib b')")
        assert any(path.startswith("/tiles/") for path, _ in server.served) and errors(browser) == []
    finally:
        server.shutdown()


def test_a_pmtiles_basemap_from_the_site_draws(browser, tmp_path, artifacts):
    from tests.test_basemap import catalogue_with, one_tile_archive
    from tests.test_html import write_source

    source = write_source(tmp_path / "src", catalogue_with("{pmtiles: base.pmtiles, attribution: Own basemap}"), {"area": "title: Area\nbbox: [10, 40, 20, 50]\n"})
    one_tile_archive(source / "base.pmtiles")
    server, url = serve(build_site(tmp_path, source))
    try:
        errors(browser)
        browser.get(url + "datasets/area/index.html")
        wait_for(browser, "return document.getElementById('map').dataset.state === 'drawn'")
        assert red_share(browser, artifacts, "basemap-pmtiles.png") > 0.5
        assert "Own basemap" in browser.execute_script("return document.querySelector('.maplibregl-ctrl-attrib-inner').textContent")
        assert errors(browser) == []
    finally:
        server.shutdown()
