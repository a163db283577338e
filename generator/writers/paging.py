"""Pre-paginated collections: split a sequence into pages and link the pages to each other."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from generator import layout
from generator.writers.common import link

T = TypeVar("T")


def pages(items: Sequence[T], size: int) -> Iterator[tuple[int, Sequence[T], int]]:
    """(page number from 1, the page's items, number of pages); an empty sequence still has one page."""
    count = max(1, -(-len(items) // size))
    for number in range(1, count + 1):
        yield number, items[(number - 1) * size : number * size], count


def page_links(href: Callable[[str], str], page_path: Callable[[int], str], number: int, count: int, media_type: str) -> list[dict[str, Any]]:
    """self/first/last always; prev and next where they exist, as OGC API Features clients follow them; `href`
    makes a page's href (a layout linker)."""
    def to(n: int, rel: str, title: str) -> dict[str, Any]:
        return link(rel, href(page_path(n)), media_type, title)

    result = [to(number, "self", f"Page {number} of {count}"), to(1, "first", "First page"), to(count, "last", "Last page")]
    if number > 1:
        result.append(to(number - 1, "prev", "Previous page"))
    if number < count:
        result.append(to(number + 1, "next", "Next page"))
    return result
