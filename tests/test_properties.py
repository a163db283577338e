"""Property-based: no string in any text field can open a tag, end a script block or become a live link.

Arbitrary strings go through the real writers (records, STAC, API, HTML with its JSON-LD) on an in-memory model,
fast enough for many examples. Plain-text fields must leave every page's tag structure exactly as a harmless
string of the same shape does; Markdown descriptions may only produce Markdown's own tags, never script or
event handlers or javascript: links; every script block stays one parseable JSON document.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.model import Catalogue, Contact, Dataset, ExternalLink, License, Publisher
from generator.output import OutputTree
from generator.writers import api, html, records, stac

NASTY = ["<", ">", "&", '"', "'", "/", "!", "-", "=", "`", " ", "\n", "script", "</script", "<!--", "-->", "<![CDATA[", "javascript:", "onerror", "img", "\u2028", "\x00", "é", "\\", "{{", "}}", "]]>"]
TEXT = st.lists(st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=3)), min_size=1, max_size=12).map("".join)
MARKDOWN_TAGS = {"p", "em", "strong", "a", "code", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "br", "img", "table", "thead", "tbody", "tr", "th", "td"}
SCRIPT_BLOCK = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)


class Page(HTMLParser):
    """The start tags of a page with their attributes, and its live links."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def neutral(text: str) -> str:
    """A harmless string of the same shape: letters where `text` has anything but whitespace."""
    return "".join(c if c.isspace() else "a" for c in text)


def model(text: str, description: str, href: str = "https://example.org/doc") -> Catalogue:
    """A catalogue of one dataset with `text` in every plain-text field and `href` in every link the YAML gives."""
    catalogue = Catalogue(Path(tempfile.gettempdir()), title=f"Cat {text}", description=description, publisher=Publisher(f"Pub {text}"), keywords=(f"k {text}",), license=License("CC0-1.0"))
    dataset = Dataset(
        "ds", Path("dataset.yaml"), f"T {text}", description=description, keywords=(f"k {text}", "plain"),
        license=License("other", f"L {text}", href), rights=f"R {text}",
        contacts=(Contact(name=f"N {text}", organization=f"O {text}", position=f"P {text}", url=href, roles=("originator",)),),
        links=(ExternalLink(href, title=f"Link {text}"),), declared_bbox=(0.0, 0.0, 1.0, 1.0), bbox=(0.0, 0.0, 1.0, 1.0),
    )
    catalogue.datasets.append(dataset)
    return catalogue


def render(catalogue: Catalogue) -> dict[str, str]:
    root = Path(tempfile.mkdtemp(prefix="geosite-props-"))
    try:
        out = OutputTree(root)
        for writer in (records.write, stac.write, api.write, html.write):
            writer(catalogue, out)
        return {rel: (root / rel).read_text(encoding="utf-8") for rel in out.written if rel.endswith((".html", ".json"))}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def assert_inert(rel: str, text: str) -> Page:
    """No event handler, no javascript: link, and every script block a whole JSON document (or empty, with src)."""
    page = Page(text)
    for name, value in page.attributes:
        assert not name.startswith("on"), (rel, name)
        if name in ("href", "src", "action", "formaction"):
            assert not re.sub(r"[\x00-\x20]", "", value).lower().startswith(("javascript:", "vbscript:", "data:text")), (rel, value)
    blocks = SCRIPT_BLOCK.findall(text)
    assert len(blocks) == page.tags.count("script") == len(re.findall(r"</script", text, re.I)), rel
    for attributes, body in blocks:
        if "json" in attributes:
            json.loads(body)
            assert "<!--" not in body and "</script" not in body.lower(), rel
        else:
            assert body.strip() == "" and "src=" in attributes, (rel, body[:80])
    return page


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_plain_text_fields_cannot_change_any_page_structure(text):
    pages = render(model(text, "Fixed description."))
    harmless = render(model(neutral(text), "Fixed description."))
    assert len(pages) == len(harmless)  # browse pages are named by slugs of the text: compare those present in both
    for rel, content in pages.items():
        if rel.endswith(".json"):
            json.loads(content)
            continue
        page = assert_inert(rel, content)
        if rel in harmless:
            assert page.tags == Page(harmless[rel]).tags, rel
    record = json.loads(pages["collections/records/items/ds.json"])
    assert record["properties"]["title"] == f"T {text}"  # the text itself survives, as data


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, link=st.sampled_from(["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:x", "data:text/html,<script>x</script>", "vbscript:x", "https://example.org/ok"]))
def test_markdown_descriptions_produce_only_markdown(text, link):
    description = f"{text}\n\n[click]({link}) ![i]({link}) <script>alert(1)</script> {text}"
    pages = render(model("x", description, link))
    harmless = render(model("x", "Fixed description."))
    for rel, content in pages.items():
        if rel.endswith(".json"):
            json.loads(content)
            continue
        page = assert_inert(rel, content)
        extra = set(page.tags) - set(Page(harmless[rel]).tags)
        assert extra <= MARKDOWN_TAGS, (rel, extra)
