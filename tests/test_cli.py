"""The thin CLI: help on every command, exit codes, and `geosite check`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from generator.build import build


def geosite(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("command", [[], ["build"], ["check"]])
def test_help_everywhere(command):
    result = geosite(*command, "--help")
    assert result.returncode == 0 and "Usage" in result.stdout


def test_build_defaults_to_catalogue_src_and_build(make_source, tmp_path):
    src = make_source({"a": "title: A\n"})
    (src.parent / "catalogue_src").symlink_to(src)
    result = geosite("build", cwd=src.parent)
    assert result.returncode == 0, result.stderr
    assert (src.parent / "build/index.json").is_file()


def test_check_passes_a_good_build_and_fails_a_broken_one(make_source, tmp_path):
    out = tmp_path / "site"
    build(make_source({"a": "title: A\n"}), out)
    assert geosite("check", str(out)).returncode == 0
    (out / "stac/a/collection.json").unlink()
    result = geosite("check", str(out), "--json")
    assert result.returncode == 1
    findings = json.loads(result.stdout)
    assert findings and all(f["check"] == "links" for f in findings)
    assert geosite("check", str(tmp_path / "nothing")).returncode == 1


def test_two_builds_are_byte_identical(make_source, tmp_path):
    src = make_source({"a": "title: A\nkeywords: [x, y]\ntime: 2020-01-01\n", "b": "title: B\n"})
    first, second = tmp_path / "one", tmp_path / "two"
    build(src, first)
    build(src, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
