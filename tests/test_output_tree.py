from __future__ import annotations

import pytest

from generator.errors import BuildError
from generator.output import OutputTree, describe_file


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
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == '{\n "b": 1,\n "a": "é"\n}\n'
    with pytest.raises(ValueError):
        out.write_json("b.json", {"x": float("nan")}, "t")


def test_describe_file_is_a_sha256_multihash(tmp_path):
    (tmp_path / "f").write_bytes(b"abc")
    size, checksum = describe_file(tmp_path / "f")
    assert size == 3
    assert checksum == "1220ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
