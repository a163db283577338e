"""The HTML writer's shortcuts give the same bytes as the long way: links from a page, shared page parts, JSON-LD,
and templates read once per build."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

from markupsafe import Markup

from generator import layout
from generator.model import Catalogue
from generator.source.loader import load_catalogue
from generator.writers import html
from generator.writers import html_context as ctx
from generator.writers.jsonld import catalogue_jsonld, dataset_jsonld, script_json, script_jsonld
from tests.test_html import CATALOGUE, HOSTILE, build_site, write_source

PAGES = [
    "index.html", "search/index.html", "catalogue/page-3.html", "collections/index.html", "collections/records/index.html",
    "collections/x/index.html", "collections/x/items/page-2.html", "collections/x/items/f1.html", "datasets/a/index.html",
    "browse/keyword/index.html", "browse/keyword/foo.html", "browse/keyword/foo/page-2.html", "assets/x.html",
    "stac/index.html", "a/./b.html", "../x.html", "x//y/z.html", "/abs/x.html",
]
TARGETS = [
    *ctx.SITE_TARGETS.values(), ".nojekyll", "datasets/a/index.html", "datasets/b/x.json", "collections/x/index.json",
    "browse/keyword/foo.html", "datasets", "collections", "datasets/a", "a/../b", "./x", "x//y", "/abs", "a/",
]


def test_linker_gives_the_hrefs_of_href():
    for page, target in itertools.product(PAGES, TARGETS):
        assert layout.linker(page)(target) == layout.href(page, target), (page, target)


def test_site_links_are_the_hrefs_from_the_page_itself():
    for page in PAGES:
        links = ctx.site_links(page)
        assert links == tuple(layout.href(page, target) for target in ctx.SITE_TARGETS.values()), page
    assert ctx.site_links("datasets/a/index.html") is ctx.site_links("browse/keyword/foo.html")  # one depth, one answer


def test_frames_are_shared_by_pages_with_the_same_links_and_escaped(tmp_path):
    catalogue = _catalogue(tmp_path, f"title: {json.dumps('Cat ' + HOSTILE)}\npublisher: {{name: {json.dumps(HOSTILE)}, url: 'https://example.org/?a=1&b=2'}}\n")
    env, site = html.environment(catalogue.src_dir.resolve()), {}
    record, browse, landing = ("datasets/a/index.html", "browse/theme/x.html", "index.html")
    frame = html.site_frame(env, site, catalogue, ctx.site_links(record))
    assert html.site_frame(env, site, catalogue, ctx.site_links(browse)) is frame
    assert html.site_frame(env, site, catalogue, ctx.site_links(landing)) is not frame
    assert 'href="../../assets/site.css"' in frame.head_links and 'href="../../catalogue/index.html"' in frame.site_nav
    parts = "".join(getattr(frame, name) for name in html.FRAME_PARTS)
    assert all(isinstance(getattr(frame, name), Markup) for name in html.FRAME_PARTS)
    assert "<script>" not in parts and "<img" not in parts and "&lt;img src=x" in parts and "?a=1&amp;b=2" in parts


def test_jsonld_documents_serialise_to_the_bytes_of_script_json(tmp_path):
    awkward = json.dumps(HOSTILE + ' é € 😀 \t \\ "', ensure_ascii=False)
    catalogue = _catalogue(tmp_path, f"title: {json.dumps('Cat ' + HOSTILE)}\npublisher: {{name: {json.dumps(HOSTILE)}}}\n", {
        "evil": f"title: {json.dumps(HOSTILE)}\ndescription: {awkward}\nkeywords: [{json.dumps(HOSTILE)}]\n"})
    documents = [catalogue_jsonld(catalogue), *(dataset_jsonld(catalogue, dataset) for dataset in catalogue.datasets)]
    rng = random.Random(8)
    characters = [chr(code) for code in range(0x80)] + ["é", "\u2028", "\u2029", "😀", "\ufeff", "\x7f"]
    documents += [{"name": "".join(rng.choice(characters) for _ in range(20)), "n": [1, None, True]} for _ in range(300)]
    for document in documents:
        assert script_jsonld(document) == script_json(document)
        assert "</" not in script_jsonld(document) and "\u2028" not in script_jsonld(document)


def test_templates_edited_between_builds_are_read_again(tmp_path):
    source = write_source(tmp_path / "src", CATALOGUE, {"one": "title: One\n"})
    (source / "templates").mkdir()
    landing = source / "templates/index.html"
    landing.write_text('{% extends "base.html" %}{% block main %}<h1>First landing</h1>{% endblock %}')
    html.environment.cache_clear()
    assert "First landing" in (build_site(tmp_path / "a", source) / "index.html").read_text()
    landing.write_text('{% extends "base.html" %}{% block main %}<h1>Second landing</h1>{% endblock %}')
    assert "Second landing" in (build_site(tmp_path / "b", source) / "index.html").read_text()
    assert html.environment(source.resolve()).auto_reload  # other stages render pages too: they check for edits
    html.environment.cache_clear()


def _catalogue(folder: Path, catalogue: str, datasets: dict[str, str] | None = None) -> Catalogue:
    return load_catalogue(write_source(folder / "src", catalogue + "description: Links.\nlicense: CC-BY-4.0\n", datasets or {"a": "title: A\n"}))
