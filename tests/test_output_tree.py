from __future__ import annotations

import os
import stat
import time

import numpy as np
import pytest

from generator.errors import BuildError
from generator.output import OutputTree, describe_file, replace_tree, write_file


def test_two_writes_to_one_path_are_refused(tmp_path):
    out = OutputTree(tmp_path)
    out.write_text("a/b.json", "{}", "first")
    with pytest.raises(BuildError, match="two outputs aimed at a/b.json: first and second"):
        out.write_text("a//b.json", "{}", "second")


@pytest.mark.parametrize("rel", ["../x", "/etc/passwd", "a/../../x", "a\\..\\x", ""])
def test_paths_leaving_the_tree_are_refused(tmp_path, rel):
    with pytest.raises(BuildError, match="outside the output folder"):
        OutputTree(tmp_path).write_text(rel, "x", "test")


def test_json_is_deterministic_and_rejects_nan(tmp_path):
    out = OutputTree(tmp_path)
    out.write_json("a.json", {"b": 1, "a": "é"}, "t")
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == '{\n  "b": 1,\n  "a": "é"\n}\n'
    for number in (float("nan"), float("-inf"), np.float64("nan")):
        with pytest.raises(ValueError):
            out.write_json("b.json", {"x": [None, {"y": (1, number)}]}, "t")
    out.write_json("c.json", {"x": None, "y": [1.5, np.float32(2.5)], 3: "int key"}, "t", compact=True)
    assert (tmp_path / "c.json").read_text() == '{"x":null,"y":[1.5,2.5],"3":"int key"}\n'


def test_describe_file_is_a_sha256_multihash(tmp_path):
    (tmp_path / "f").write_bytes(b"abc")
    size, checksum = describe_file(tmp_path / "f")
    assert size == 3
    assert checksum == "1220ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_replaced_output_is_deleted_in_the_background(tmp_path):
    dest, staging = tmp_path / "site", tmp_path / ".site.staging-1"
    for folder, name in ((dest, "old.txt"), (staging, "new.txt")):
        (folder / "deep" / "er").mkdir(parents=True)
        (folder / "deep" / "er" / name).write_text(name)
    replace_tree(staging, dest)
    assert [p.name for p in dest.rglob("*.txt")] == ["new.txt"]
    deadline = time.monotonic() + 30
    while list(tmp_path.glob(".site.trash-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_write_file_replaces_the_whole_content_with_the_usual_permissions(tmp_path):
    target = tmp_path / "doc.json"
    write_file(target, b"x" * (3 << 20) + b"end")
    write_file(target, b"short")
    assert target.read_bytes() == b"short"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
