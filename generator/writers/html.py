"""HTML pages for people and crawlers, rendered from Jinja2 templates laid out like the output tree."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from generator import layout
from generator.model import Catalogue
from generator.output import OutputTree
from generator.writers.common import license_texts, plain_summary

SITE_TEMPLATES = Path(__file__).resolve().parents[2] / "site_templates"
"""The default templates, beside the package in the repository (the package is installed editable)."""

USER_TEMPLATES = "templates"
"""A folder of that name in the source folder overrides any default template of the same path."""

OWNER = "html"

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> Markup:
    """Markdown to HTML with raw HTML disabled and unsafe link schemes (javascript:, data:) refused."""
    return Markup(_markdown.render(text))


@cache
def environment(src_dir: Path | None) -> Environment:
    """The one Jinja environment of a build: autoescaping on, undefined variables are errors."""
    loaders = [FileSystemLoader(str(src_dir / USER_TEMPLATES))] if src_dir and (src_dir / USER_TEMPLATES).is_dir() else []
    env = Environment(
        loader=ChoiceLoader([*loaders, FileSystemLoader(str(SITE_TEMPLATES))]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = render_markdown
    env.filters["summary"] = plain_summary
    env.globals["license_texts"] = license_texts
    return env


def write(catalogue: Catalogue, out: OutputTree) -> None:
    env = environment(catalogue.src_dir.resolve())
    render(env, out, "index.html", layout.LANDING_HTML, catalogue, json_alternate=layout.LANDING_JSON)
    for dataset in catalogue.datasets:
        path = layout.record_html(dataset.id)
        render(env, out, "datasets/record.html", path, catalogue, dataset=dataset, json_alternate=layout.record_json(dataset.id))


def render(env: Environment, out: OutputTree, template: str, path: str, catalogue: Catalogue, **context: Any) -> None:
    """Render `template` to `path`; `url(target)` in templates gives the href from this page to any output path."""
    html = env.get_template(template).render(
        catalogue=catalogue,
        layout=layout,
        url=lambda target: layout.href(path, target),
        canonical=layout.absolute(catalogue.base_url, path),
        **context,
    )
    out.write_text(path, html, OWNER)
