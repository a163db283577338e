"""Validate source YAML against the published JSON Schemas, reporting each error as one line for people."""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from generator.errors import Problem
from generator.source.yamlfile import YamlDocument

SCHEMA_FILES = ("catalogue.schema.json", "dataset.schema.json")


@cache
def source_schema(name: str) -> dict[str, Any]:
    """The published schema of a source file, e.g. 'dataset.schema.json'."""
    return json.loads(resources.files("generator.schemas").joinpath(name).read_text(encoding="utf-8"))


@cache
def _validator(name: str) -> Draft202012Validator:
    schemas = {n: source_schema(n) for n in SCHEMA_FILES}
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas.values())
    return Draft202012Validator(schemas[name], registry=registry)


@cache
def _fast_validator(name: str) -> jsonschema_rs.Validator:
    """The same schemas compiled by jsonschema-rs: it tells a valid document in microseconds."""
    schemas = {n: source_schema(n) for n in SCHEMA_FILES}
    registry = jsonschema_rs.Registry([(s["$id"], s) for s in schemas.values()])
    return jsonschema_rs.validator_for(schemas[name], registry=registry, validate_formats=False)


REGEX_DIVERGENCE = (b"\\u001c", b"\\u001d", b"\\u001e", b"\\u001f")
"""Separators Python's `\\s` matches and Rust's does not (as JSON escapes): such documents go to jsonschema."""


def _surely_valid(data: Any, schema_name: str) -> bool:
    if any(code in orjson.dumps(data, default=str, option=orjson.OPT_NON_STR_KEYS) for code in REGEX_DIVERGENCE):
        return False
    try:
        return _fast_validator(schema_name).is_valid(data)
    except (ValueError, TypeError, OverflowError):  # a value JSON cannot hold: let jsonschema judge it
        return False


def validate_document(doc: YamlDocument, schema_name: str) -> list[Problem]:
    """Every way `doc` breaks the schema, in file order, one Problem each.

    Valid documents (nearly all of a big catalogue) are passed by jsonschema-rs; jsonschema, which is ~100 times
    slower, looks only at the others, for the detailed errors people read."""
    if _surely_valid(doc.data, schema_name):
        return []
    problems: list[Problem] = []
    for error in _validator(schema_name).iter_errors(doc.data):
        problems.extend(_describe(error, doc))
    unique = {(p.line, p.key, p.message): p for p in problems}
    return sorted(unique.values(), key=lambda p: (p.line or 0, p.key or ""))


def _describe(error: ValidationError, doc: YamlDocument) -> list[Problem]:
    location = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        return [_unknown_key(doc, location, key, error.schema) for key in _unexpected_keys(error)]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [doc.problem(location, f"missing required key '{missing}'")]
    if error.validator in ("oneOf", "anyOf"):
        specific = _errors_for_matching_branch(error)
        if specific:
            return [p for sub in specific for p in _describe(sub, doc)]
    if error.validator == "maxLength":
        return [doc.problem(location, f"too long ({len(error.instance)} characters; at most {error.validator_value})")]
    return [doc.problem(location, f"expected {_hint(error)}; got {_show(error.instance)}")]


def _unexpected_keys(error: ValidationError) -> list[str]:
    allowed = set(error.schema.get("properties", {}))
    return sorted(k for k in error.instance if k not in allowed)


def _unknown_key(doc: YamlDocument, location: tuple, key: str, schema: dict) -> Problem:
    known = sorted(schema.get("properties", {}))
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if not close:
        close = [k for k in known if k.lower() == key.lower().replace("-", "_")]
    suggestion = f"; did you mean '{close[0]}'?" if close else f" (allowed here: {', '.join(known)})"
    return doc.problem(location + (key,), f"unknown key '{key}'{suggestion}")


def _errors_for_matching_branch(error: ValidationError) -> list[ValidationError]:
    """Within a oneOf/anyOf, the errors of the branch whose type fits the value: they say the most."""
    fitting = [sub for sub in error.context if not (sub.validator == "type" and sub.relative_schema_path[-1] == "type" and len(sub.relative_path) == 0)]
    by_branch: dict[Any, list[ValidationError]] = {}
    for sub in fitting:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    typed = [errs for errs in by_branch.values() if not any(e.validator in ("const", "enum", "pattern") and len(e.relative_path) == 0 for e in errs)]
    return typed[0] if len(typed) == 1 else []


def _hint(error: ValidationError) -> str:
    if "x-hint" in error.schema:
        return error.schema["x-hint"]
    if error.validator == "type":
        return f"a value of type {error.validator_value}"
    if error.validator in ("minItems", "maxItems"):
        return f"{error.validator} {error.validator_value}"
    return error.message


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
