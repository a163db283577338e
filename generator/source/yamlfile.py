"""Read YAML as plain data while remembering the line of every key, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem, SourceError

STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
Location = tuple[str | int, ...]
"""Path to a value inside a document: mapping keys and sequence indexes."""


class _StringDatesLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that leaves dates and times as the strings the author typed; libyaml's parser when PyYAML
    has it (ten times faster, and its nodes keep their line marks just the same)."""


    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """PyYAML's resolver without its path-resolver machinery (unused here): libyaml calls it for every node."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return STR_TAG
        return SEQ_TAG if kind is yaml.SequenceNode else MAP_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to track while descending (libyaml calls this for every node)."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track."""


_StringDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
assert None not in _StringDatesLoader.yaml_implicit_resolvers, "resolve() assumes no wildcard resolvers"


@dataclass
class YamlDocument:
    """A parsed YAML file and the 1-based line of each value in it."""

    path: Path
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int | None:
        """Line of the value at `location`, or of its nearest ancestor that has one."""
        location = tuple(location)
        while location:
            if location in self.lines:
                return self.lines[location]
            location = location[:-1]
        return self.lines.get((), None)

    def problem(self, location: Location, message: str) -> Problem:
        return Problem(message, self.path, self.line_of(location), dotted(location) or None)


def dotted(location: Location) -> str:
    """`('contacts', 0, 'email')` -> `contacts[0].email`, the way people refer to YAML keys."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_yaml(path: Path) -> YamlDocument:
    """Parse `path`; syntax errors, duplicate keys and non-mapping documents raise SourceError."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(Problem(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", path)) from None
    except OSError as exc:
        raise SourceError(Problem(f"cannot read: {exc.strerror}", path)) from None
    loader = _StringDatesLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise SourceError(_syntax_problem(path, exc)) from None
    finally:
        loader.dispose()
    doc = YamlDocument(path, None)
    doc.data = _construct(node, (), doc, loader) if node is not None else None
    if not isinstance(doc.data, dict):
        raise SourceError(Problem("expected a mapping of keys to values at the top level", path, 1))
    return doc


def _construct(node: yaml.Node, location: Location, doc: YamlDocument, loader: yaml.SafeLoader) -> Any:
    doc.lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, loader)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                raise SourceError(Problem(f"duplicate key '{key}'", doc.path, key_node.start_mark.line + 1, dotted(location + (key,))))
            doc.lines[location + (key,)] = key_node.start_mark.line + 1
            result[key] = _construct(value_node, location + (key,), doc, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, location + (i,), doc, loader) for i, item in enumerate(node.value)]
    return _scalar(node, loader)


def _scalar(node: yaml.Node, loader: yaml.SafeLoader) -> Any:
    """Strings, most of any document, are the node's text: skip PyYAML's general (and slow) construction."""
    if node.tag == STR_TAG and isinstance(node, yaml.ScalarNode):
        return node.value
    return loader.construct_object(node, deep=True)


def _syntax_problem(path: Path, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {reason}" + (f" ({context})" if context else "")
    return Problem(message, path, mark.line + 1 if mark else None)
