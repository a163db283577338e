"""Setuptools hook: the package also carries its templates, the pinned map libraries and a basemap (buildtools)."""

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from buildtools import bundle  # noqa: E402


class BuildPyWithBundle(build_py):
    def run(self) -> None:
        super().run()
        editable = getattr(self, "editable_mode", False)
        package_dir = ROOT / "generator" if editable else Path(self.build_lib) / "generator"
        bundle.write(ROOT, package_dir, editable)


setup(cmdclass={"build_py": BuildPyWithBundle})
