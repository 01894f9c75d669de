"""Our OpenAPI 3.1 description of /api/, written by hand: the parameters we take and the
answers we give, with bodies described by the HSDS 3.0 schemas themselves (by reference).

Kept as Python rather than a JSON file so that the limits it documents are the ones the
code applies (per_page, proximity, the length of a search).
"""

from __future__ import annotations

import functools
from typing import Any

from passport.directory import published, search

DESCRIPTION = (
    "The community directory of Needs Passport, read-only, on the Open Referral UK profile "
    "of HSDS 3.0: organisations, their services, where they are delivered, and the "
    "taxonomies they are described with. Nothing about the people who use the service is "
    "published here."
)
# The standard's published schemas (Open Referral, CC BY-SA 4.0), as their bodies' types.
HSDS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
SERVICE = HSDS + "compiled/service.json"
SERVICE_LIST_ITEM = HSDS + "compiled/service_list.json"
ORGANIZATION = HSDS + "compiled/organization.json"
TAXONOMY = HSDS + "taxonomy.json"
TAXONOMY_TERM = HSDS + "taxonomy_term.json"
SERVICE_AT_LOCATION = HSDS + "compiled/service_at_location.json"
SERVICE_AT_LOCATION_LIST_ITEM = HSDS + "compiled/service_at_location_list.json"
# Public data: a browser or a shared cache may keep an answer this long (seconds). Short, so
# a listing changed on import is published within a minute.
CACHE_SECONDS = 60
RATE_LIMIT = "300 per minute"


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


UUID = {"type": "string", "format": "uuid"}
BOOLEAN = {"type": "boolean"}

PARAMETERS: dict[str, dict[str, Any]] = {
    "page": _query(
        "page",
        "The page wanted, from 1. A page past the last is an empty page, not an error.",
        {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "default": 1},
    ),
    "per_page": _query(
        "per_page",
        f"Items a page holds, {published.PER_PAGE} unless asked. At most "
        f"{published.PER_PAGE_MAX}: a larger number is lowered to {published.PER_PAGE_MAX}.",
        {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "default": published.PER_PAGE},
    ),
    "search": _query(
        "search",
        "Words to search for, as the directory's search page finds them: relevance first, "
        "services no longer running (inactive, defunct) left out, and matches counted up "
        f"to {search.TOTAL_CAP} (past that, total_items is 'at least' and last_page is true "
        "on the first page that comes back short).",
        {"type": "string", "maxLength": published.SEARCH_MAX},
    ),
    "text": _query(
        "text",
        "Another name for search, for clients of the older Open Referral UK profile.",
        {"type": "string", "maxLength": published.SEARCH_MAX},
    ),
    "taxonomy_term_id": _query(
        "taxonomy_term_id", "Only services described with this taxonomy term.", UUID
    ),
    "taxonomy_id": _query(
        "taxonomy_id", "Only services described with any term of this taxonomy.", UUID
    ),
    "organization_id": _query("organization_id", "Only the services of this organization.", UUID),
    "modified_after": _query(
        "modified_after",
        "Only services modified on or after this moment (UTC if no offset is given). "
        "Cannot be combined with search.",
        {"type": "string", "format": "date-time"},
    ),
    "minimal": _query("minimal", "true: each service as its id and modified_date alone.", BOOLEAN),
    "full": _query("full", "true: each item fully nested.", BOOLEAN),
    "format": _query(
        "format",
        "ndjson: every matching service, one JSON document a line, streamed without pages "
        "(leave out page and per_page).",
        {"type": "string", "enum": ["json", "ndjson"], "default": "json"},
    ),
    "full_service": _query(
        "full_service", "true: each organization with its services fully nested.", BOOLEAN
    ),
    "top_only": _query("top_only", "true: only terms without a parent.", BOOLEAN),
    "parent_id": _query("parent_id", "Only the children of this term.", UUID),
    "term_taxonomy_id": _query("taxonomy_id", "Only the terms of this taxonomy.", UUID),
    "postcode": _query(
        "postcode",
        "A UK postcode: the nearest first, within proximity of its centroid. An unknown "
        "postcode is a 400, not an empty list.",
        {"type": "string", "maxLength": 10},
    ),
    "proximity": _query(
        "proximity",
        f"How far from the postcode, in metres ({published.PROXIMITY_DEFAULT} unless asked, "
        f"at most {published.PROXIMITY_MAX}). Needs a postcode.",
        {"type": "integer", "minimum": 1, "maximum": published.PROXIMITY_MAX},
    ),
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"$ref": "#/components/responses/BadParameter"},
    "429": {"$ref": "#/components/responses/TooMany"},
}
NOT_FOUND = {"404": {"$ref": "#/components/responses/NotFound"}}


def _page_of(items: dict[str, Any]) -> dict[str, Any]:
    return {
        "allOf": [{"$ref": "#/components/schemas/Page"}],
        "properties": {"contents": {"type": "array", "items": items}},
    }


def _list(summary: str, parameters: list[str], items: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": [_ref(name) for name in parameters],
            "responses": {"200": _json(_page_of(items), "A page of results."), **ERRORS},
        }
    }


def _one(summary: str, schema: dict[str, Any], what: str) -> dict[str, Any]:
    return {
        "parameters": [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": f"The {what}'s id (a UUID); any other id is not found.",
                "schema": {"type": "string"},
            }
        ],
        "get": {
            "summary": summary,
            "responses": {"200": _json(schema, f"The {what}."), **NOT_FOUND, **ERRORS},
        },
    }


SERVICE_ITEMS = {
    "oneOf": [
        {"$ref": SERVICE_LIST_ITEM},
        {"$ref": "#/components/schemas/MinimalService"},
    ]
}
SERVICE_PAGE = _page_of(SERVICE_ITEMS)


def _services() -> dict[str, Any]:
    parameters = [
        "search",
        "text",
        "page",
        "per_page",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "minimal",
        "full",
        "format",
    ]
    page = {
        "description": (
            "A page of services: their one-to-one fields (compiled/service_list.json), "
            "fully nested with full=true (compiled/service.json), or id and modified_date "
            "with minimal=true. With format=ndjson, one service a line."
        ),
        "content": {
            "application/json": {"schema": SERVICE_PAGE},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
    return {
        "get": {
            "summary": "Services, a page at a time, searched and filtered",
            "parameters": [_ref(name) for name in parameters],
            "responses": {"200": page, **ERRORS},
        }
    }


@functools.cache
def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Needs Passport directory (Open Referral UK, HSDS 3.0)",
            "version": "3.0",
            "description": DESCRIPTION
            + f" Every answer may be read from any site (CORS *) and cached for {CACHE_SECONDS}"
            f" seconds; each address may ask {RATE_LIMIT}. Errors are JSON with status, "
            "error and message. Services, organizations and services at locations are listed "
            "in order of id (stable while you page through them), taxonomies and terms by "
            "name, a search by relevance, and services near a postcode nearest first.",
            "license": {"name": "CC BY-SA 4.0 (the HSDS schemas referenced)"},
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": "/api"}],
        "paths": {
            "/": {
                "get": {
                    "summary": "About this API and its relationship with HSDS",
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Metadata"}, "About the API."),
                        **ERRORS,
                    },
                }
            },
            "/services": _services(),
            "/services/{id}": _one("A service, fully nested", {"$ref": SERVICE}, "service"),
            "/organizations": _list(
                "Organizations, a page at a time",
                ["page", "per_page", "full", "full_service"],
                {"$ref": ORGANIZATION},
            ),
            "/organizations/{id}": _one(
                "An organization with its services", {"$ref": ORGANIZATION}, "organization"
            ),
            "/taxonomies": _list(
                "Taxonomies, a page at a time", ["page", "per_page"], {"$ref": TAXONOMY}
            ),
            "/taxonomies/{id}": _one("A taxonomy", {"$ref": TAXONOMY}, "taxonomy"),
            "/taxonomy_terms": _list(
                "Taxonomy terms, a page at a time",
                ["page", "per_page", "top_only", "parent_id", "term_taxonomy_id"],
                {"$ref": TAXONOMY_TERM},
            ),
            "/taxonomy_terms/{id}": _one(
                "A taxonomy term", {"$ref": TAXONOMY_TERM}, "taxonomy term"
            ),
            "/service_at_locations": _list(
                "Where services are delivered, a page at a time; nearest first from a postcode",
                ["page", "per_page", "postcode", "proximity"],
                {"$ref": SERVICE_AT_LOCATION_LIST_ITEM},
            ),
            "/service_at_locations/{id}": _one(
                "A service at a location, with the location and the service fully nested",
                {"$ref": SERVICE_AT_LOCATION},
                "service at location",
            ),
        },
        "components": {
            "parameters": PARAMETERS,
            "schemas": {
                "Page": {
                    "type": "object",
                    "required": [
                        "total_items",
                        "total_pages",
                        "page_number",
                        "size",
                        "first_page",
                        "last_page",
                        "empty",
                        "contents",
                    ],
                    "properties": {
                        "total_items": {"type": "integer", "minimum": 0},
                        "total_pages": {"type": "integer", "minimum": 1},
                        "page_number": {"type": "integer", "minimum": 1},
                        "size": {"type": "integer", "minimum": 0},
                        "first_page": {"type": "boolean"},
                        "last_page": {"type": "boolean"},
                        "empty": {"type": "boolean"},
                        "contents": {"type": "array"},
                    },
                },
                "MinimalService": {
                    "type": "object",
                    "required": ["id", "modified_date"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "modified_date": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
                "Metadata": {
                    "type": "object",
                    "required": ["version", "profile", "openapi_url", "publisher"],
                    "properties": {
                        "version": {"const": "3.0"},
                        "profile": {"type": "string", "format": "uri"},
                        "openapi_url": {"type": "string", "format": "uri"},
                        "description": {"type": "string"},
                        "publisher": {
                            "type": "object",
                            "required": ["name", "identifier", "website"],
                            "properties": {
                                "name": {"type": "string"},
                                "identifier": {"type": "string"},
                                "email": {"type": "string", "format": "email"},
                                "website": {"type": "string", "format": "uri"},
                            },
                        },
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["status", "error", "message"],
                    "properties": {
                        "status": {"type": "integer"},
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
            },
            "responses": {
                "BadParameter": _json(
                    {"$ref": "#/components/schemas/Error"},
                    "A parameter this path does not take, or a value it cannot use.",
                ),
                "NotFound": _json(
                    {"$ref": "#/components/schemas/Error"}, "No such item (or no such id)."
                ),
                "TooMany": _json(
                    {"$ref": "#/components/schemas/Error"}, "Too many requests: wait a minute."
                ),
            },
        },
    }
