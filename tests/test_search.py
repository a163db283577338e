"""The search writer: Pagefind bundles built in memory through Pagefind's service, checked before they are written."""

from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

import orjson
import pytest

from generator import layout
from generator.errors import BuildError
from generator.output import OutputTree
from generator.source.loader import load_catalogue
from generator.writers import search
from tests.conftest import CATALOGUE_YAML, write_source

WORDS = ["alpha", "bravo", "charlie", "delta", "echo"]


@pytest.fixture
def catalogue(tmp_path, monkeypatch):
    """Five records in parts of two: three Pagefind bundles."""
    monkeypatch.setattr(layout, "PAGEFIND_PART_RECORDS", 2)
    datasets = {f"rec-{word}": f"title: Record {word} <b>\ndescription: The {word}quartz survey.\nkeywords: [{word}word]\n" for word in WORDS}
    return load_catalogue(write_source(tmp_path, datasets, CATALOGUE_YAML + "language: fr-CA\n"), inspect=False)


def build_search(catalogue, root: Path) -> OutputTree:
    out = OutputTree(root)
    search.write(catalogue, out).finish()
    return out


def fragments(bundle: Path) -> list[dict]:
    return [orjson.loads(gzip.decompress(path.read_bytes())[len(search.PAGEFIND_STREAM_PREFIX):])
            for path in sorted((bundle / "fragment").iterdir())]


def test_bundles_hold_each_record_once_with_its_id_title_url_and_language(catalogue, tmp_path):
    out = build_search(catalogue, tmp_path / "site")
    bundles = [out.root / folder for folder in layout.pagefind_dirs(5)]
    assert [b.name for b in bundles] == ["pagefind", "pagefind-2", "pagefind-3"]
    found = [fragment for bundle in bundles for fragment in fragments(bundle)]
    assert sorted((f["meta"]["id"], f["meta"]["title"], f["url"]) for f in found) == sorted(
        (f"rec-{w}", f"Record {w} <b>", f"/rec-{w}.html") for w in WORDS)
    assert all(f"{f['meta']['id'][4:]}quartz" in f["content"] for f in found)
    for bundle in bundles:
        entry = orjson.loads((bundle / "pagefind-entry.json").read_bytes())
        assert list(entry["languages"]) == ["fr"]
        assert not list(bundle.glob("pagefind-*ui*")) and not list(bundle.glob("pagefind-highlight*"))
    on_disk = sorted(p.relative_to(out.root).as_posix() for p in out.root.rglob("*") if p.is_file())
    assert on_disk == out.written and set(out.owners.values()) == {search.OWNER}  # no temporary documents left


def test_bundles_are_byte_identical_from_build_to_build(catalogue, tmp_path):
    first, second = build_search(catalogue, tmp_path / "one"), build_search(catalogue, tmp_path / "two")
    assert first.written == second.written
    assert all((first.root / rel).read_bytes() == (second.root / rel).read_bytes() for rel in first.written)


def test_a_bundle_missing_a_file_fails_the_build_naming_it(catalogue, tmp_path, monkeypatch):
    real = search._pagefind_bundle

    def losing_a_fragment(datasets, language, services):
        files = real(datasets, language, services)
        del files[min(name for name in files if name.startswith("fragment/"))]
        return files

    monkeypatch.setattr(search, "_pagefind_bundle", losing_a_fragment)
    with pytest.raises(BuildError) as error:
        build_search(catalogue, tmp_path / "site")
    message = str(error.value)
    assert message.startswith("search index: search/pagefind/fragment/") and "missing or empty" in message
    assert "\n" not in message


def test_an_empty_file_in_a_bundle_fails_the_build(catalogue, tmp_path, monkeypatch):
    real = search._pagefind_bundle
    monkeypatch.setattr(search, "_pagefind_bundle", lambda datasets, language, services: {**real(datasets, language, services), "wasm.fr.pagefind": b""})
    with pytest.raises(BuildError, match=r"search/pagefind/wasm\.fr\.pagefind is missing or empty"):
        build_search(catalogue, tmp_path / "site")


def test_an_unreadable_index_fails_the_build(catalogue, tmp_path, monkeypatch):
    real = search._pagefind_bundle

    def garbled(datasets, language, services):
        files = real(datasets, language, services)
        meta = next(name for name in files if name.endswith(".pf_meta"))
        return {**files, meta: gzip.compress(b"not pagefind")}

    monkeypatch.setattr(search, "_pagefind_bundle", garbled)
    with pytest.raises(BuildError, match="search/pagefind has an unreadable Pagefind index"):
        build_search(catalogue, tmp_path / "site")


def fake_pagefind(tmp_path: Path, script: str) -> Path:
    """A stand-in for Pagefind's binary, to see how the writer takes a service that fails."""
    path = tmp_path / "fake-pagefind"
    path.write_text(f"#!{sys.executable}\nimport base64, json, sys\n{script}\n")
    path.chmod(0o755)
    return path


def test_a_service_that_dies_fails_the_build_with_its_message(catalogue, tmp_path, monkeypatch):
    fake = fake_pagefind(tmp_path, "sys.stderr.write('out of\\nmemory'); sys.exit(3)")
    monkeypatch.setattr(search, "get_executable", lambda: fake)
    with pytest.raises(BuildError, match=r"^search index: Pagefind stopped before returning its files: out of memory$"):
        build_search(catalogue, tmp_path / "site")


def test_a_record_pagefind_refuses_is_named(catalogue, tmp_path, monkeypatch):
    reply = {"message_id": 2, "payload": {"type": "Error", "message": "Failed to add file"}}
    fake = fake_pagefind(tmp_path, f"sys.stdout.write(base64.b64encode(json.dumps({reply!r}).encode()).decode() + ','); sys.stdout.flush(); sys.stdin.read()")
    monkeypatch.setattr(search, "get_executable", lambda: fake)
    with pytest.raises(BuildError, match=r"^search index: Pagefind failed on rec-alpha: Failed to add file$"):
        build_search(catalogue, tmp_path / "site")


def test_a_failed_build_stops_pagefind_at_once(catalogue, tmp_path, monkeypatch):
    """Cancelling (another writer failed) must neither wait for the parts nor leave a Pagefind process behind."""
    fake = fake_pagefind(tmp_path, "import time; open(sys.argv[0] + '.pid', 'a').write('x'); time.sleep(60)")
    monkeypatch.setattr(search, "get_executable", lambda: fake)
    indexing = search.write(catalogue, OutputTree(tmp_path / "site"))
    while not Path(f"{fake}.pid").exists():
        time.sleep(0.01)
    running = list(indexing.services.running)
    started = time.monotonic()
    indexing.cancel()
    assert time.monotonic() - started < 10
    assert Path(f"{fake}.pid").read_text() == "x"  # the other two parts never started
    assert len(running) == 1 and running[0].poll() is not None
