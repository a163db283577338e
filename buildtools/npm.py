"""Files of the npm packages pinned in package-lock.json, taken from node_modules or from the registry.

The lockfile names each package's version and sha512 integrity; a tarball fetched from the registry is
checked against it, so a wheel carries exactly the pinned bytes whether or not `npm ci` ran first.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import urllib.request
from pathlib import Path

DEFAULT_REGISTRY = "https://registry.npmjs.org/"


def cache_dir() -> Path:
    """Where fetched tarballs are kept between builds (a pip install -e repeats the build step)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "geosite-build"


def locked(root: Path, name: str) -> tuple[str, str]:
    """(version, integrity) of `name` as package-lock.json pins it."""
    lock = json.loads((root / "package-lock.json").read_text())
    entry = lock["packages"].get(f"node_modules/{name}")
    if entry is None:
        raise SystemExit(f"geosite build step: {name} is not in package-lock.json; run `npm install --save-exact {name}`")
    return entry["version"], entry["integrity"]


def package_files(root: Path, name: str, members: list[str]) -> dict[str, bytes]:
    """The named files of the pinned package (paths inside the package, e.g. 'dist/maplibre-gl.js')."""
    version, integrity = locked(root, name)
    installed = root / "node_modules" / name
    manifest = installed / "package.json"
    if manifest.is_file() and json.loads(manifest.read_text()).get("version") == version:
        return {member: (installed / member).read_bytes() for member in members}
    with tarfile.open(fileobj=io.BytesIO(_tarball(name, version, integrity))) as archive:
        return {member: archive.extractfile(f"package/{member}").read() for member in members}


def _tarball(name: str, version: str, integrity: str) -> bytes:
    algorithm, _, expected = integrity.partition("-")
    cached = cache_dir() / f"{name.replace('/', '+')}-{version}.tgz"
    if cached.is_file() and _digest(algorithm, cached.read_bytes()) == expected:
        return cached.read_bytes()
    registry = os.environ.get("npm_config_registry") or DEFAULT_REGISTRY
    url = f"{registry.rstrip('/')}/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    if _digest(algorithm, data) != expected:
        raise SystemExit(f"geosite build step: {url} does not match the integrity pinned in package-lock.json")
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return data


def _digest(algorithm: str, data: bytes) -> str:
    return base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
