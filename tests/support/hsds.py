"""The HSDS 3.0 compiled schemas (the copy in the package), as Draft 2020-12 validators that
check formats too, and as local stand-ins for the schemas our OpenAPI document names by URL.

The standard publishes compiled schemas for a service, a service list item and an
organization; a taxonomy, a taxonomy term and a service at location are taken from inside
the compiled service schema, where the standard nests them.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from passport.directory import openapi

SCHEMAS = Path(__file__).resolve().parents[2] / "passport" / "directory" / "standards" / "hsds-3.0"


@functools.cache
def schema(kind: str) -> dict[str, Any]:
    if kind in ("service", "organization", "service_list"):
        text = (SCHEMAS / f"schema_compiled_{kind}.json").read_text(encoding="utf-8")
        return dict(json.loads(text))
    service = schema("service")["properties"]
    term = service["attributes"]["items"]["properties"]["taxonomy_term"]
    nested = {
        "taxonomy_term": term,
        "taxonomy": term["properties"]["taxonomy_detail"],
        "service_at_location": service["service_at_locations"]["items"],
    }
    return dict(nested[kind])


@functools.cache
def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(kind: str, document: Any) -> list[str]:
    """Every way the document breaks the schema, each with its JSON path ([] when valid)."""
    return [
        f"{error.json_path}: {error.message[:200]}"
        for error in validator(kind).iter_errors(document)
    ]


def assert_valid(kind: str, document: Any) -> None:
    found = problems(kind, document)
    assert found == [], (kind, found)


# The schemas our OpenAPI document references by URL, for tools that must not fetch them.
BY_URL = {
    openapi.SERVICE: "service",
    openapi.SERVICE_LIST_ITEM: "service_list",
    openapi.ORGANIZATION: "organization",
    openapi.TAXONOMY: "taxonomy",
    openapi.TAXONOMY_TERM: "taxonomy_term",
    openapi.SERVICE_AT_LOCATION: "service_at_location",
    openapi.SERVICE_AT_LOCATION_LIST_ITEM: "service_at_location",
}


def with_local_schemas(document: Any) -> Any:
    """The OpenAPI document with each HSDS schema URL replaced by the schema itself."""
    if isinstance(document, dict):
        ref = document.get("$ref")
        if isinstance(ref, str) and ref in BY_URL:
            return schema(BY_URL[ref])
        return {key: with_local_schemas(value) for key, value in document.items()}
    if isinstance(document, list):
        return [with_local_schemas(value) for value in document]
    return document
