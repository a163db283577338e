"""HTML pages for people and crawlers, rendered from Jinja2 templates laid out like the output tree.

Pages: the landing page, the paginated catalogue listing, one browse page per facet value, a page per record,
a page per OGC API collection, and the search page. Every page carries its content without JavaScript.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from generator import layout, parallel, resources
from generator.model import Catalogue, Dataset
from generator.output import OutputTree
from generator.writers import html_context as ctx
from generator.writers.common import GEOJSON, license_texts, plain_summary
from generator.writers.html_snippets import snippets
from generator.writers.jsonld import catalogue_jsonld, dataset_jsonld, script_json, script_jsonld
from generator.writers.site_assets import maps_available, vendor

class PackagedTemplates(FileSystemLoader):
    """geosite's own templates, from the installed package: one missing is a broken installation, said as such."""

    def __init__(self) -> None:
        super().__init__(str(resources.templates_dir()))

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        try:
            return super().get_source(environment, template)
        except TemplateNotFound:
            raise resources.missing(Path(self.searchpath[0]) / template) from None

USER_TEMPLATES = "templates"
"""A folder of that name in the source folder overrides any default template of the same path."""

OWNER = "html"
SAFE_SCHEMES = ("http", "https", "ftp", "mailto", "")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> Markup:
    """Markdown to HTML with raw HTML disabled and unsafe link schemes (javascript:, data:) refused."""
    return Markup(_markdown.render(text))


def safe_href(href: str | None) -> str | None:
    """The URL when following it cannot run script (http(s), ftp, mailto or relative), else None."""
    if not href:
        return None
    scheme = urlsplit(href.strip()).scheme.lower()
    return href if scheme in SAFE_SCHEMES and not href.strip().lower().startswith(("javascript", "data", "vbscript")) else None


@cache
def environment(src_dir: Path | None) -> Environment:
    """The one Jinja environment of a build: autoescaping on, undefined variables are errors."""
    loaders = [FileSystemLoader(str(src_dir / USER_TEMPLATES))] if src_dir and (src_dir / USER_TEMPLATES).is_dir() else []
    env = Environment(
        loader=ChoiceLoader([*loaders, PackagedTemplates()]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(markdown=render_markdown, summary=plain_summary, safe_href=safe_href, script_json=script_json, script_jsonld=script_jsonld)
    env.filters.update(human_size=ctx.human_size, format_name=ctx.format_name, degrees=ctx.degrees, legend_number=ctx.legend_number)
    env.globals.update(license_texts=license_texts, licence_label=ctx.licence_label, facet_names=ctx.FACETS, vendor=vendor, shown=ctx.SHOWN_VALUES)
    env.globals.update(record_entries=RecordEntries(env), facet_sidebar=FacetSidebar(env))
    return env


ROOT_MARK = "\x00\x01geosite-root\x01/"
"""Stands for the way from a page to the site's root in listing entries rendered once for every page."""


class RecordEntries:
    """Listing entries, each rendered once (with links from the root) and placed on every page that lists it:
    a big catalogue lists each record on half a dozen browse pages, and Jinja would render it every time."""

    def __init__(self, env: Environment):
        self.env = env
        self.macro: Any = None
        self.rendered: dict[tuple[str, int], str] = {}

    def reset(self) -> None:
        """Forget the last build's entries (and template: it may have been edited since)."""
        self.macro, self.rendered = None, {}

    def __call__(self, datasets: list[Dataset], url: Any, level: int) -> Markup:
        """The entries of `datasets`, each on lines of its own as a loop in the template would place them."""
        to_root = url(layout.LANDING_HTML)[: -len(layout.LANDING_HTML)]
        return Markup("".join(f"\n{self._entry(dataset, level)}\n" for dataset in datasets).replace(ROOT_MARK, to_root))

    def _entry(self, dataset: Dataset, level: int) -> str:
        key = (dataset.id, level)
        if key not in self.rendered:
            self.macro = self.macro or self.env.get_template("_macros.html").module.record_item
            self.rendered[key] = str(self.macro(dataset, lambda target: ROOT_MARK + target, layout, level))
        return self.rendered[key]


class FacetSidebar:
    """The facets beside a listing, rendered once for each run of pages in one folder with the same chosen value
    (the catalogue's pages, a value's browse pages): it has more links than the rest of such a page."""

    def __init__(self, env: Environment):
        self.env = env
        self.last: tuple[tuple, Markup] | None = None

    def reset(self) -> None:
        """Forget the last build's sidebar (its facets, and its template: it may have been edited since)."""
        self.last = None

    def __call__(self, facets: dict[str, list[ctx.FacetValue]], page: str, url: Any, chosen: ctx.FacetValue | None) -> Markup:
        key = (posixpath.dirname(page), chosen)
        if self.last is None or self.last[0] != key:
            facet_nav = self.env.get_template("_macros.html").module.facet_nav
            self.last = (key, facet_nav(facets, ctx.FACETS, url, layout, ctx.SHOWN_VALUES["sidebar"], chosen))
        return self.last[1]


class Page(NamedTuple):
    """A page to render: its template, its output path and what the template needs besides the site."""

    template: str
    path: str
    context: dict[str, Any]


def write(catalogue: Catalogue, out: OutputTree) -> None:
    env = environment(catalogue.src_dir.resolve())
    env.globals["record_entries"].reset()
    env.globals["facet_sidebar"].reset()
    site = site_context(catalogue)
    with templates_read_once(env):
        parallel.for_each(catalogue, out, _pages(catalogue, site), lambda cat, tree, page: render(env, tree, page.template, page.path, cat, site, **page.context))
        parallel.for_each(catalogue, out, catalogue.datasets, lambda cat, tree, dataset: _write_record(env, tree, cat, site, dataset))


@contextmanager
def templates_read_once(env: Environment) -> Iterator[None]:
    """Templates read afresh, then not checked for edits (a stat) at every page and every template a page extends
    or imports: thousands of times in a big catalogue."""
    env.cache.clear()
    env.auto_reload = False
    try:
        yield
    finally:
        env.auto_reload = True


def _pages(catalogue: Catalogue, site: dict) -> list[Page]:
    """Every page but the records' own."""
    collections = [d for d in ctx.sorted_by_title(catalogue.datasets) if d.collection is not None]
    return [
        Page("index.html", layout.LANDING_HTML, {"json_alternate": layout.LANDING_JSON, "jsonld": catalogue_jsonld(catalogue), "newest": ctx.newest(catalogue.datasets)}),
        Page("search/index.html", layout.SEARCH_HTML, {"json_alternate": layout.RECORDS_CATALOGUE}),
        Page("collections/index.html", layout.COLLECTIONS_HTML, {"json_alternate": layout.COLLECTIONS, "datasets": collections}),
        *_listing_pages(catalogue),
        *_browse_pages(catalogue, site),
    ]


def site_context(catalogue: Catalogue) -> dict[str, Any]:
    """What every page may show of the whole site, worked out once per build."""
    facets = ctx.facets(catalogue.datasets)
    return {"facets": facets, "keyword_ranks": ctx.ranks(facets["keyword"]), "maps": maps_available()}


def _listing_pages(catalogue: Catalogue) -> list[Page]:
    """The whole catalogue, a page at a time, with the facets beside it."""
    pages = ctx.pages_of(ctx.sorted_by_title(catalogue.datasets))
    return [Page("catalogue/index.html", layout.catalogue_html(number), {
        "json_alternate": layout.RECORDS_CATALOGUE, "datasets": datasets, "heading": "All records", "chosen": None,
        "pager": {"number": number, "count": len(pages), "path": layout.catalogue_html, "numbers": ctx.page_numbers(number, len(pages))},
    }) for number, datasets in enumerate(pages, start=1)]


def _browse_pages(catalogue: Catalogue, site: dict) -> list[Page]:
    """Pages per keyword, theme, type and licence: crawlable browsing without a search server."""
    members = ctx.facet_members(catalogue.datasets)
    pages = []
    for facet, values in site["facets"].items():
        if values:
            pages.append(Page("browse/facet.html", layout.browse_index_html(facet), {"json_alternate": layout.RECORDS_CATALOGUE, "facet": facet, "values": values}))
        for value in values:
            pages += _value_pages(facet, value, members[facet, value.value])
    return pages


def _value_pages(facet: str, value: ctx.FacetValue, datasets: list[Dataset]) -> list[Page]:
    parts = ctx.pages_of(datasets, ctx.BROWSE_PAGE_SIZE)
    return [Page("catalogue/index.html", value.page(number), {
        "json_alternate": layout.RECORDS_CATALOGUE, "datasets": part, "heading": f"{ctx.FACETS[facet][:-1]}: {value.value}", "chosen": value,
        "pager": {"number": number, "count": len(parts), "path": value.page, "numbers": ctx.page_numbers(number, len(parts))},
    }) for number, part in enumerate(parts, start=1)]


def _write_record(env: Environment, out: OutputTree, catalogue: Catalogue, site: dict, dataset: Dataset) -> None:
    path = layout.record_html(dataset.id)
    render(env, out, "datasets/record.html", path, catalogue, site, **_dataset_context(catalogue, site, dataset, path), json_alternate=layout.record_json(dataset.id),
           json_type=GEOJSON, jsonld=dataset_jsonld(catalogue, dataset), snippets=snippets(dataset), thumbnail=ctx.thumbnail(dataset),
           keywords=ctx.keyword_links(path, site["keyword_ranks"], dataset.keywords))
    if dataset.collection is not None:
        page = layout.collection_html(dataset.id)
        render(env, out, "collections/collection.html", page, catalogue, site, **_dataset_context(catalogue, site, dataset, page), json_alternate=layout.collection_json(dataset.id))


def _dataset_context(catalogue: Catalogue, site: dict, dataset: Dataset, page: str) -> dict[str, Any]:
    """What a dataset's record page and collection page both show."""
    page_map = ctx.map_config(catalogue, dataset, page) if site["maps"] else None
    return {"dataset": dataset, "dataset_links": ctx.dataset_links(page, dataset), "map": page_map}


FRAME_PARTS = ("head_links", "site_nav", "quick_search", "site_footer")
"""The macros of `_site.html`: what base.html shows on every page that differs only by the page's links."""


def site_frame(env: Environment, site: dict, catalogue: Catalogue, links: ctx.SiteLinks) -> SimpleNamespace:
    """The FRAME_PARTS for pages with these links, rendered once per build (in `site`) for each set of links:
    pages in folders at one depth share them (a big catalogue's record pages all do)."""
    frames = site.setdefault("frames", {})
    if links not in frames:
        module = env.get_template("_site.html").module
        frames[links] = SimpleNamespace(**{name: getattr(module, name)(links, catalogue) for name in FRAME_PARTS})
    return frames[links]


def render(env: Environment, out: OutputTree, template: str, path: str, catalogue: Catalogue, site: dict, **context: Any) -> None:
    """Render `template` to `path`; `url(target)` in templates gives the href from this page to any output path."""
    links = ctx.site_links(path)
    html = env.get_template(template).render(
        catalogue=catalogue,
        layout=layout,
        site=site,
        page=path,
        url=layout.linker(path),
        links=links,
        frame=site_frame(env, site, catalogue, links),
        canonical=layout.absolute(catalogue.base_url, path),
        absolute=lambda target: layout.absolute(catalogue.base_url, target),
        **context,
    )
    out.write_text(path, html, OWNER)
