"""geosite as users install it: an sdist and a wheel built from the checkout, the wheel installed into a new
virtualenv in a folder outside the checkout, with no node_modules anywhere, then init, add, build, check, serve,
and a record page's map drawn in the real browser.

Slow (the build step fetches the pinned map libraries from the npm registry and tiles the basemap; the venv
installs geosite's dependencies): marked `installed`, run by `.ci/run` in its own step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.installed, pytest.mark.xdist_group("installed")]  # one worker builds and installs once
EXAMPLE = REPO / "catalogue_src" / "datasets"
DATA_FILES = {  # data files of different formats that `geosite add` drafts datasets from
    "nc-counties": EXAMPLE / "nc-counties" / "sf_nc.gpkg",
    "earthquakes": EXAMPLE / "earthquakes-2017" / "opengeos_earthquakes.geojson",
    "countries": EXAMPLE / "world-countries" / "ne_110m_admin_0_countries.geojson",
    "landsat": EXAMPLE / "landsat-rgb" / "rasterio_RGB.byte.tif",
}


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 1800) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, command))}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def clean_environment(home: Path) -> dict[str, str]:
    """No PYTHONPATH or virtualenv of ours leaks in; the npm cache of the build step is a fresh one."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["XDG_CACHE_HOME"] = str(home / "cache")
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv's bin folder, a work folder outside the checkout, environment) with geosite installed from a wheel
    that `python -m build` made from the sdist (so the sdist is proven complete too)."""
    home = tmp_path_factory.mktemp("user")
    assert not REPO.resolve().is_relative_to(home.resolve()) and not any(p.name == "node_modules" for p in home.parents)
    env = clean_environment(home)
    dist = home / "dist"
    run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)], home, env)
    wheel = next(dist.glob("geosite-*.whl"))
    run([sys.executable, "-m", "venv", str(home / "venv")], home, env)
    bin_dir = home / "venv" / "bin"
    run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], home, env)
    work = home / "work"
    work.mkdir()
    return bin_dir, work, env, wheel


def test_the_wheel_carries_templates_map_libraries_and_basemap(installed):
    import zipfile

    *_, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("generator/_bundle/site_templates/collections/items.html", "generator/_bundle/site_templates/assets/map.js",
                   "generator/_bundle/vendor/maplibre-gl.js", "generator/_bundle/vendor/pmtiles.js",
                   "generator/_bundle/basemap/world.pmtiles", "generator/schemas/dataset.schema.json"):
        assert needed in names, needed
    assert not any(name.startswith(("buildtools/", "tests/", "node_modules/")) for name in names)


def test_version_init_add_build_check_from_the_installed_wheel(installed):
    bin_dir, work, env, _ = installed
    geosite = str(bin_dir / "geosite")
    assert run([geosite, "--version"], work, env).stdout.startswith("geosite ")
    run([geosite, "init", "site"], work, env)
    for dataset_id, path in DATA_FILES.items():
        shutil.copy(path, work / path.name)
        run([geosite, "add", path.name, "--id", dataset_id, "--into", "site"], work, env)
    run([geosite, "build", "site", "-o", "out"], work, env)
    run([geosite, "check", "out"], work, env)
    for dataset_id in DATA_FILES:
        assert (work / "out" / "datasets" / dataset_id / "index.html").is_file()
    assert (work / "out" / "assets" / "vendor" / "maplibre-gl" / "maplibre-gl.js").is_file()
    assert (work / "out" / "assets" / "basemap.pmtiles").is_file()


def test_a_record_page_of_the_installed_build_draws_its_map_over_the_basemap(installed, tmp_path):
    """Served by the installed `geosite serve`, opened in Chromium: the map draws, over land and sea."""
    from tests.test_browser import chromium, wait_for

    bin_dir, work, env, _ = installed
    if not (work / "out").is_dir():
        pytest.skip("needs the build of the test before")
    server = subprocess.Popen([str(bin_dir / "geosite"), "serve", "out", "--port", "0"], cwd=work, env=env, stderr=subprocess.PIPE, text=True)
    try:
        url = next(line for line in server.stderr if "Serving" in line).split(" at ")[1].split(" ")[0]
        driver = chromium(tmp_path / "profile")
        try:
            driver.get(url + "datasets/earthquakes/index.html")
            wait_for(driver, "return document.getElementById('map').dataset.state === 'drawn'", timeout=60)
            colours = map_colours(driver, tmp_path / "installed-record.png")
        finally:
            driver.quit()
    finally:
        server.terminate()
        server.wait()
    assert colours["land"] > 0.05 and colours["sea"] > 0.05, colours  # geography under the data
    assert colours["points"] > 0.001, colours


def map_colours(driver, shot: Path) -> dict[str, float]:
    """Share of the map's pixels near the basemap's land and sea colours and the points' colour."""
    import numpy as np
    from PIL import Image

    driver.save_screenshot(str(shot))
    box = driver.execute_script("const r = document.getElementById('map').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]")
    scale = driver.execute_script("return window.devicePixelRatio")
    pixels = np.asarray(Image.open(shot).convert("RGB").crop(tuple(int(v * scale) for v in box)), dtype=float).reshape(-1, 3)
    targets = {"land": (0xE4, 0xE4, 0xDE), "sea": (0xED, 0xF3, 0xF7), "points": (0xD9, 0x48, 0x0F)}
    return {name: float((np.abs(pixels - rgb).sum(axis=1) < 24).mean()) for name, rgb in targets.items()}
