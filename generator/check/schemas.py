"""Validate the build's JSON documents against the official schemas, offline, from the vendored mirror."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
import yaml
from jsonschema_specifications import REGISTRY as META_SCHEMAS

from generator.check.findings import Finding
from generator.output import read_file

MIRROR = Path(__file__).resolve().parents[1] / "official_schemas"
OVERRIDES = Path(__file__).resolve().parents[1] / "official_schemas_overrides"

FEATURES = "https://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/schemas/"
RECORDS = "https://schemas.opengis.net/ogcapi/records/part1/1.0/openapi/schemas/"
STAC = "https://schemas.stacspec.org/v1.1.0/"
RECORD_CORE = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core"

SCHEMA_FOR_KIND = {
    "stac-catalog": STAC + "catalog-spec/json-schema/catalog.json",
    "stac-collection": STAC + "collection-spec/json-schema/collection.json",
    "stac-item": STAC + "item-spec/json-schema/item.json",
    "record": RECORDS + "recordGeoJSON.yaml",
    "records-catalogue": RECORDS + "collection.yaml",
    "feature": FEATURES + "featureGeoJSON.yaml",
    "feature-collection": FEATURES + "featureCollectionGeoJSON.yaml",
    "collection": FEATURES + "collection.yaml",
    "collections": FEATURES + "collections.yaml",
    "conformance": FEATURES + "confClasses.yaml",
    "landing-page": RECORDS + "landingPage.yaml",
    "tileset": "https://schemas.opengis.net/tms/2.0/json/tileSet.json",
}


def document_kind(document: Any) -> str | None:
    """What an OGC API / STAC document is, from its content (so a build can be checked without its source)."""
    if not isinstance(document, dict):
        return None
    kind = document.get("type")
    if "stac_version" in document:
        return {"Catalog": "stac-catalog", "Collection": "stac-collection", "Feature": "stac-item"}.get(kind)
    if "openapi" in document or "tilejson" in document or "tilesets" in document:
        return None
    if kind == "Feature":
        return "record" if RECORD_CORE in document.get("conformsTo", ()) else "feature"
    if kind == "FeatureCollection":
        return "feature-collection"
    if kind == "Collection" and document.get("itemType") == "record":
        return "records-catalogue"
    if "tileMatrixSetURI" in document or ("dataType" in document and "tileMatrixSetLimits" in document):
        return "tileset"
    if "collections" in document:
        return "collections"
    if "conformsTo" in document and "links" not in document:
        return "conformance"
    if "id" in document and "links" in document:
        return "collection"
    if "links" in document:
        return "landing-page"
    return None


def validate_document(document: Any) -> list[str]:
    """Messages for every way `document` breaks the official schema(s) of its kind; [] when valid or unknown."""
    kind = document_kind(document)
    if kind is None:
        return []
    urls = [SCHEMA_FOR_KIND[kind]]
    if kind == "record":
        urls.append(SCHEMA_FOR_KIND["feature"])  # a record is also an OGC API Features feature
    if kind.startswith("stac-"):
        urls += document.get("stac_extensions", [])
    messages = [msg for url in urls for msg in _errors(url, document)]
    if kind == "feature-collection" and any(RECORD_CORE in f.get("conformsTo", ()) for f in document.get("features", [])):
        messages += [f"features[{i}]: {m}" for i, f in enumerate(document["features"]) for m in _errors(SCHEMA_FOR_KIND["record"], f)]
    return messages


def load_json(path: Path) -> tuple[Any, str | None]:
    """(document, None), or (None, why it is not JSON)."""
    try:
        return orjson.loads(read_file(path)), None
    except orjson.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc}"


def schema_findings(rel: str, document: Any) -> list[Finding]:
    return [Finding(rel, message, "schema") for message in validate_document(document)]


def _errors(url: str, document: Any) -> list[str]:
    """Messages naming the JSON path of each error; a valid document (nearly all) costs one fast is_valid."""
    try:
        validator = _validator(url)
    except ValueError as exc:  # an extension or $ref outside the mirror: say so rather than crash the check
        return [f"(document): cannot validate against {url}: {str(exc).splitlines()[0][:300]}"]
    if validator.is_valid(document):
        return []
    return [f"{'/'.join(str(p) for p in e.instance_path) or '(document)'}: {e.message[:300]} [{url.rsplit('/', 1)[-1]}]" for e in validator.iter_errors(document)]


@cache
def _validator(url: str) -> jsonschema_rs.Validator:
    """The schema at `url` compiled once by jsonschema-rs (Rust, ~100x jsonschema); its $refs resolve offline."""
    return jsonschema_rs.validator_for({"$ref": url}, registry=_registry(), validate_formats=False)


@cache
def _registry() -> jsonschema_rs.Registry:
    """The mirror as a registry; STAC refers to the draft-07 meta-schema by its URL without '#'."""
    draft7 = "http://json-schema.org/draft-07/schema"
    return jsonschema_rs.Registry([(draft7, META_SCHEMAS.contents(draft7 + "#"))], retriever=_retrieve_contents)


@cache
def _retrieve_contents(uri: str) -> Any:
    """The mirrored file behind `uri` (override first); OpenAPI 3.0 YAML is turned into JSON Schema."""
    relative = uri.split("://", 1)[-1].split("#", 1)[0]
    for base in (OVERRIDES, MIRROR):
        path = base / relative
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if path.suffix in (".yaml", ".yml"):
                return _openapi_to_jsonschema(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
            return json.loads(text)
    raise LookupError(f"{uri} is not in the schema mirror")


def _exclusive_geometry_branches(branches: Any) -> bool:
    """Branches that are GeoJSON geometry types: distinguished by their `type`, so at most one can match."""
    refs = [b.get("$ref", "") for b in branches if isinstance(b, dict)]
    return len(refs) > 1 and len(refs) == len(branches) and all(r.endswith("GeoJSON.yaml") and "feature" not in r.lower() for r in refs)


def _openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` becomes a null type (JSON Schema has no `nullable`); `example` is dropped."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(v) for v in node]
    if not isinstance(node, dict):
        return node
    result = {k: _openapi_to_jsonschema(v) for k, v in node.items() if k not in ("nullable", "example")}
    if any(branch == {"enum": [None]} for branch in result.get("oneOf", ())):
        result["anyOf"] = result.pop("oneOf")  # "null or X" where X is itself nullable: both branches match null
    if _exclusive_geometry_branches(result.get("oneOf", ())):
        result["anyOf"] = result.pop("oneOf")  # same meaning (a geometry has one type), and stops at the first match
    if node.get("nullable") is True:
        if "type" in result:
            result["type"] = [result["type"], "null"] if isinstance(result["type"], str) else [*result["type"], "null"]
        if "enum" in result:
            result["enum"] = [*result["enum"], None]
        if "type" not in result and "enum" not in result:
            result = {"anyOf": [copy.deepcopy(result), {"type": "null"}]}
    return result
