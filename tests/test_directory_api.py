"""The public API on the Open Referral UK profile (HSDS 3.0): every path and parameter, every
answer checked against the standard's compiled schemas, paging, ndjson, CORS, caching and
errors; schemathesis against our own OpenAPI document; and nothing about residents."""

from __future__ import annotations

import json
import re
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis import checks as st_checks
from werkzeug.test import TestResponse

from passport.directory import importer, openapi, postcodes, published, search
from passport.extensions import limiter
from tests.support import hsds, journeys, scenarios
from tests.support.mailbox import Mailbox

PAGING_FIELDS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}
CENTRE = ("EB1 2AB", 50.8300, -0.1400)
FAR = ("EB9 9ZZ", 52.2000, -1.5000)


def ids() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Directory:
    """What the fixture published: ids by name, and each service's document as given."""

    taxonomy: str
    other_taxonomy: str
    parent_term: str
    child_term: str
    other_term: str
    advice_org: str
    housing_org: str
    debt: str
    food: str
    housing: str
    debt_at_centre: str
    food_far_away: str
    documents: dict[str, dict[str, Any]]


def _location(location_id: str, name: str, postcode: str, lat: float, long: float) -> dict:
    return {
        "id": location_id,
        "location_type": "physical",
        "name": name,
        "latitude": lat,
        "longitude": long,
        "addresses": [
            {
                "id": ids(),
                "location_id": location_id,
                "address_1": f"1 {name} Street",
                "city": "Eastbridge",
                "state_province": "East Sussex",
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }


def publish(directory: dict[str, Any]) -> None:
    """Import the organisations, each with its services, through the directory's importer
    (one file, as a publisher would send it); and the postcodes' centroids."""
    organisations = [
        {
            **organisation,
            "services": [
                service
                for service in directory["services"]
                if service["organization_id"] == organisation["id"]
            ],
        }
        for organisation in directory["organisations"]
    ]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "directory.json"
        source.write_text(json.dumps(organisations), encoding="utf-8")
        summary = importer.import_file(source)
        assert summary.committed, summary.problems
        # The two postcodes' centroids, as the ONS Postcode Directory gives them.
        centroids = Path(folder) / "postcodes.csv"
        rows = [f"{code},{lat},{long}" for code, lat, long in (CENTRE, FAR)]
        centroids.write_text("\n".join(["pcds,lat,long", *rows]) + "\n", encoding="utf-8")
        postcodes.import_csv(centroids)


def _attribute(service_id: str, term: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": ids(),
        "link_id": service_id,
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


@pytest.fixture
def directory(app: Flask) -> Directory:
    taxonomy = {"id": ids(), "name": "Needs", "description": "What people need help with."}
    other_taxonomy = {"id": ids(), "name": "Delivery", "description": "How help is given."}
    # Taxonomies come with their terms (taxonomy_detail), as a publisher nests them.
    parent = {
        "id": ids(),
        "code": "money",
        "name": "Money",
        "description": "Money and debt.",
        "taxonomy_id": taxonomy["id"],
        "taxonomy_detail": taxonomy,
    }
    child = {
        "id": ids(),
        "code": "debt",
        "name": "Debt",
        "description": "Debts and arrears.",
        "parent_id": parent["id"],
        "taxonomy_id": taxonomy["id"],
        "taxonomy_detail": taxonomy,
    }
    other = {
        "id": ids(),
        "code": "drop-in",
        "name": "Drop-in",
        "description": "No appointment needed.",
        "taxonomy_id": other_taxonomy["id"],
        "taxonomy_detail": other_taxonomy,
    }
    advice = {
        "id": ids(),
        "name": "Eastbridge Advice",
        "description": "Free advice for Eastbridge.",
        "email": "advice@example.org",
        "website": "https://advice.example.org",
    }
    housing_org = {
        "id": ids(),
        "name": "Shelter Eastbridge",
        "description": "Housing help.",
        "email": "housing@example.org",
    }
    debt_id, food_id, housing_id = ids(), ids(), ids()
    debt_link, food_link = ids(), ids()
    centre_location, far_location = ids(), ids()
    services = [
        {
            "id": debt_id,
            "organization_id": advice["id"],
            "name": "Debt advice drop-in",
            "description": "Help with arrears, bailiffs and budgeting.",
            "status": "active",
            "email": "debt@example.org",
            "assured_date": "2026-01-05",
            "last_modified": "2026-01-10T09:00:00+00:00",
            "eligibility_description": "Anyone living in Eastbridge.",
            "attributes": [_attribute(debt_id, child)],
            "service_at_locations": [
                {
                    "id": debt_link,
                    "service_id": debt_id,
                    "location_id": centre_location,
                    "location": _location(centre_location, "Market", CENTRE[0], 50.8310, -0.1410),
                }
            ],
            "languages": [{"id": ids(), "service_id": debt_id, "name": "Welsh", "code": "cy"}],
        },
        {
            "id": food_id,
            "organization_id": advice["id"],
            "name": "Food bank",
            "description": "Emergency food parcels.",
            "status": "active",
            "last_modified": "2026-02-01T12:00:00+00:00",
            "attributes": [_attribute(food_id, other)],
            "service_at_locations": [
                {
                    "id": food_link,
                    "service_id": food_id,
                    "location_id": far_location,
                    "location": _location(far_location, "Hill", FAR[0], 51.1000, -0.1400),
                }
            ],
        },
        {
            "id": housing_id,
            "organization_id": housing_org["id"],
            "name": "Housing rights",
            "description": "Advice if you are losing your home.",
            "status": "active",
            "last_modified": "2026-02-20T08:30:00+00:00",
            "attributes": [_attribute(housing_id, parent)],
        },
    ]
    with app.app_context():
        publish(
            {
                "organisations": [advice, housing_org],
                "services": services,
            }
        )
    return Directory(
        taxonomy=taxonomy["id"],
        other_taxonomy=other_taxonomy["id"],
        parent_term=parent["id"],
        child_term=child["id"],
        other_term=other["id"],
        advice_org=advice["id"],
        housing_org=housing_org["id"],
        debt=debt_id,
        food=food_id,
        housing=housing_id,
        debt_at_centre=debt_link,
        food_far_away=food_link,
        documents={s["id"]: s for s in services}
        | {advice["id"]: advice, housing_org["id"]: housing_org},
    )


def get_json(client: FlaskClient, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.data[:300])
    assert response.mimetype == "application/json", path
    return response.get_json()


def assert_page(page: dict[str, Any], kind: str | None) -> list[dict[str, Any]]:
    """The paging fields, consistent with one another; each item valid as `kind`."""
    assert set(page) == PAGING_FIELDS
    assert page["size"] == len(page["contents"])
    assert page["empty"] == (page["size"] == 0)
    assert page["first_page"] == (page["page_number"] == 1)
    assert page["last_page"] == (page["page_number"] >= page["total_pages"])
    for item in page["contents"]:
        if kind:
            hsds.assert_valid(kind, item)
    return list(page["contents"])


def names(page: dict[str, Any]) -> list[str]:
    return [item["name"] for item in page["contents"]]


def in_id_order(items: list[dict[str, Any]]) -> list[str]:
    """The items' names, having checked they come in order of id (services, organisations
    and services at locations list so: a walk along the primary key, stable while paged)."""
    ids = [item["id"] for item in items]
    assert ids == sorted(ids)
    return [item.get("name", "") for item in items]


def by_id(directory: Directory, *names: str) -> list[str]:
    """Service names in the order the API lists them: by id."""
    ids = {"Debt advice drop-in": directory.debt, "Food bank": directory.food}
    ids["Housing rights"] = directory.housing
    return sorted(names, key=lambda name: ids[name])


# Metadata


def test_the_metadata_names_the_version_the_profile_and_the_publisher(client, directory):
    about = get_json(client, "/api/")
    assert about["version"] == "3.0"
    assert (
        about["profile"] == "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
    )
    assert about["openapi_url"] == "http://localhost/api/openapi.json"
    assert about["publisher"] == {
        "name": "Needs Passport",
        "identifier": "http://localhost",
        "website": "http://localhost",
    }
    assert "Open Referral UK" in about["description"]
    described = get_json(client, urlsplit(about["openapi_url"]).path)
    assert described["openapi"] == "3.1.0"


def test_the_publisher_comes_from_the_settings(app, client, directory):
    settings = app.config["SETTINGS"]
    changed = {
        "api_publisher_name": "Eastbridge Council",
        "api_publisher_identifier": "GB-LAE-EAS",
        "api_publisher_email": "directory@eastbridge.example",
        "api_publisher_website": "https://eastbridge.example",
    }
    app.config["SETTINGS"] = type(settings)(**{**settings.__dict__, **changed})
    try:
        publisher = get_json(client, "/api/")["publisher"]
    finally:
        app.config["SETTINGS"] = settings
    assert publisher == {
        "name": "Eastbridge Council",
        "identifier": "GB-LAE-EAS",
        "email": "directory@eastbridge.example",
        "website": "https://eastbridge.example",
    }


# Services


def test_a_service_is_fully_nested_and_valid(client, directory):
    for service_id in (directory.debt, directory.food, directory.housing):
        found = get_json(client, f"/api/services/{service_id}")
        hsds.assert_valid("service", found)
        published_as = directory.documents[service_id]
        assert {k: v for k, v in found.items() if k != "organization"} == published_as
        assert found["organization"] == directory.documents[published_as["organization_id"]]


def test_the_service_list_has_one_to_one_fields_and_pages(client, directory):
    page = get_json(client, "/api/services")
    items = assert_page(page, "service_list")
    assert (page["total_items"], page["total_pages"], page["page_number"]) == (3, 1, 1)
    assert in_id_order(items) == by_id(
        directory, "Debt advice drop-in", "Food bank", "Housing rights"
    )
    (debt,) = [item for item in items if item["id"] == directory.debt]
    assert debt["eligibility_description"] == "Anyone living in Eastbridge."
    assert "service_at_locations" not in debt and "attributes" not in debt
    assert debt["organization"]["name"] == "Eastbridge Advice"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("per_page=2", (3, 2, 1, 2, True, False, False)),
        ("per_page=2&page=2", (3, 2, 2, 1, False, True, False)),
        ("per_page=2&page=3", (3, 2, 3, 0, False, True, True)),
        ("per_page=1&page=3", (3, 3, 3, 1, False, True, False)),
        ("page=99999", (3, 1, 99999, 0, False, True, True)),
        ("per_page=3", (3, 1, 1, 3, True, True, False)),
    ],
)
def test_paging_maths(client, directory, query, expected):
    page = get_json(client, f"/api/services?{query}")
    assert_page(page, "service_list")
    fields = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page")
    assert (*(page[name] for name in fields), page["empty"]) == expected


def test_pages_follow_one_another_without_gaps_or_repeats(client, directory):
    seen = []
    for number in (1, 2, 3):
        seen += [
            item["id"]
            for item in get_json(client, f"/api/services?per_page=1&page={number}")["contents"]
        ]
    assert sorted(seen) == sorted([directory.debt, directory.food, directory.housing])


def test_a_huge_per_page_is_lowered_to_the_documented_maximum(app, client):
    with app.app_context():
        organisation = {
            "id": ids(),
            "name": "Many",
            "description": "Many services.",
            "email": "m@example.org",
        }
        services = [
            {
                "id": ids(),
                "organization_id": organisation["id"],
                "name": f"Service {number:03}",
                "description": "One of many.",
                "status": "active",
                "last_modified": "2026-01-01T00:00:00+00:00",
            }
            for number in range(published.PER_PAGE_MAX + 5)
        ]
        publish({"organisations": [organisation], "services": services})
    page = get_json(client, "/api/services?per_page=1000000")
    assert_page(page, None)
    assert page["size"] == published.PER_PAGE_MAX == 100
    assert (page["total_items"], page["total_pages"]) == (105, 2)
    default = get_json(client, "/api/services")
    assert (default["size"], default["total_pages"]) == (published.PER_PAGE, 3)
    documented = openapi.document()["components"]["parameters"]["per_page"]["description"]
    assert f"At most {published.PER_PAGE_MAX}" in documented


@pytest.mark.parametrize("name", ["search", "text"])
def test_search_finds_what_the_search_page_finds(client, directory, name):
    page = get_json(client, f"/api/services?{name}=bailiffs")
    assert_page(page, "service_list")
    assert names(page) == ["Debt advice drop-in"]
    assert get_json(client, f"/api/services?{name}=parcels&minimal=true")["contents"] == [
        {"id": directory.food, "modified_date": "2026-02-01T12:00:00+00:00"}
    ]
    assert get_json(client, f"/api/services?{name}=nothing-like-this")["empty"] is True


def test_past_the_search_count_pages_run_on_until_one_comes_back_short(
    client, directory, monkeypatch
):
    # The search engine counts matches up to search.TOTAL_CAP; past it the total is "at
    # least". Every service's organisation has "Eastbridge" in its name: three matches.
    monkeypatch.setattr(search, "TOTAL_CAP", 2)
    seen, number = [], 1
    while True:
        page = get_json(client, f"/api/services?search=eastbridge&per_page=1&page={number}")
        assert_page(page, "service_list")
        # "At least 2" while the pages run on; the page past the last has read every match.
        assert page["total_items"] == (2 if page["contents"] else 3)
        seen += [item["id"] for item in page["contents"]]
        if page["last_page"]:
            break
        number += 1
    assert sorted(seen) == sorted([directory.debt, directory.food, directory.housing])
    assert page["empty"] or number == 3
    streamed = ndjson(client.get("/api/services?search=eastbridge&format=ndjson&minimal=true"))
    assert sorted(line["id"] for line in streamed) == sorted(seen)


def test_a_page_that_counts_at_least_says_so_in_its_paging_fields():
    full = published.Page([{}] * 100, 1000, 10, 100, more=True).as_json()
    assert (full["total_pages"], full["last_page"]) == (11, False)
    short = published.Page([{}] * 7, 1000, 12, 100, more=True).as_json()
    assert (short["total_pages"], short["last_page"], short["size"]) == (12, True, 7)
    exact = published.Page([{}] * 7, 1007, 11, 100).as_json()
    assert (exact["total_pages"], exact["last_page"]) == (11, True)


@pytest.mark.parametrize(
    "hostile",
    ["' OR 1=1 --", "%", "_", '"; DROP TABLE services; --', "<script>alert(1)</script>", "\\"],
)
def test_hostile_search_text_breaks_nothing_and_finds_what_search_finds(
    app, client, directory, hostile
):
    page = get_json(client, f"/api/services?text={_quote(hostile)}")
    assert_page(page, "service_list")
    with app.test_request_context():
        found = search.find(search.Query(text=hostile, per_page=published.PER_PAGE))
        assert [item["id"] for item in page["contents"]] == [str(h.service.id) for h in found.hits]
    assert get_json(client, "/api/services")["total_items"] == 3


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("taxonomy_term_id={child_term}", ["Debt advice drop-in"]),
        ("taxonomy_term_id={parent_term}", ["Housing rights"]),
        ("taxonomy_id={taxonomy}", ["Debt advice drop-in", "Housing rights"]),
        ("taxonomy_id={other_taxonomy}", ["Food bank"]),
        ("organization_id={advice_org}", ["Debt advice drop-in", "Food bank"]),
        ("organization_id={housing_org}", ["Housing rights"]),
        ("modified_after=2026-02-01T12:00:00Z", ["Food bank", "Housing rights"]),
        ("modified_after=2026-02-01T12:00:01Z", ["Housing rights"]),
        ("modified_after=2026-02-20T09:30:00%2B01:00", ["Housing rights"]),
        ("modified_after=2026-02-20", ["Housing rights"]),
        ("modified_after=2027-01-01T00:00:00", []),
        ("organization_id={advice_org}&taxonomy_id={taxonomy}", ["Debt advice drop-in"]),
        # A term no service has (fixed, so every test worker collects the same test).
        ("taxonomy_term_id=3f0c8a52-6a4e-4c55-9d36-0f5b2a7e1c90", []),
    ],
)
def test_filters(client, directory, query, expected):
    page = get_json(client, "/api/services?" + query.format(**directory.__dict__))
    assert in_id_order(assert_page(page, "service_list")) == by_id(directory, *expected)
    assert page["total_items"] == len(expected)


def test_minimal_is_the_id_and_modified_date_alone(client, directory):
    page = get_json(client, "/api/services?minimal=true&per_page=2")
    modified = {
        directory.debt: "2026-01-10T09:00:00+00:00",
        directory.food: "2026-02-01T12:00:00+00:00",
        directory.housing: "2026-02-20T08:30:00+00:00",
    }
    first_two = sorted(modified)[:2]
    assert page["contents"] == [{"id": i, "modified_date": modified[i]} for i in first_two]
    assert (page["total_items"], page["total_pages"]) == (3, 2)
    for item in page["contents"]:
        assert datetime.fromisoformat(item["modified_date"]).tzinfo is not None


def test_full_nests_every_service(client, directory):
    page = get_json(client, "/api/services?full=true")
    for item in assert_page(page, "service"):
        assert {k: v for k, v in item.items() if k != "organization"} == directory.documents[
            item["id"]
        ]
    assert get_json(client, "/api/services?full=false") == get_json(client, "/api/services")


def ndjson(response: TestResponse) -> list[dict[str, Any]]:
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.is_streamed
    text = response.get_data(as_text=True)
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_ndjson_streams_every_service_without_pages(client, directory):
    lines = ndjson(client.get("/api/services?format=ndjson"))
    for line in lines:
        hsds.assert_valid("service_list", line)
    assert in_id_order(lines) == by_id(
        directory, "Debt advice drop-in", "Food bank", "Housing rights"
    )
    full = ndjson(client.get("/api/services?format=ndjson&full=true"))
    for line in full:
        hsds.assert_valid("service", line)
        assert line == {**directory.documents[line["id"]], "organization": line["organization"]}
    filtered = ndjson(
        client.get(
            f"/api/services?format=ndjson&minimal=true&organization_id={directory.advice_org}"
        )
    )
    assert [line["id"] for line in filtered] == sorted([directory.debt, directory.food])
    assert [
        line["name"] for line in ndjson(client.get("/api/services?format=ndjson&search=housing"))
    ] == ["Housing rights"]
    assert get_json(client, "/api/services?format=json&per_page=1")["size"] == 1


def test_ndjson_streams_past_a_batch(app, client, monkeypatch):
    monkeypatch.setattr(published, "STREAM_BATCH", 7)
    with app.app_context():
        organisation = {
            "id": ids(),
            "name": "Many",
            "description": "Many services.",
            "email": "m@example.org",
        }
        services = [
            {
                "id": ids(),
                "organization_id": organisation["id"],
                "name": f"Service {number:02}",
                "description": "One of many.",
                "status": "active",
                "last_modified": "2026-01-01T00:00:00+00:00",
            }
            for number in range(30)
        ]
        publish({"organisations": [organisation], "services": services})
    lines = ndjson(client.get("/api/services?format=ndjson&minimal=true"))
    assert sorted(line["id"] for line in lines) == sorted(s["id"] for s in services)


# Organisations


def test_organisations_list_and_nest_their_services(client, directory):
    page = get_json(client, "/api/organizations")
    items = assert_page(page, "organization")
    assert sorted(in_id_order(items)) == ["Eastbridge Advice", "Shelter Eastbridge"]
    assert all("services" not in item for item in items)
    full = assert_page(get_json(client, "/api/organizations?full=true"), "organization")
    (advice,) = [item for item in full if item["id"] == directory.advice_org]
    # An organisation's own services come in order of name.
    assert [s["name"] for s in advice["services"]] == ["Debt advice drop-in", "Food bank"]
    assert "service_at_locations" not in advice["services"][0]
    nested = assert_page(get_json(client, "/api/organizations?full_service=true"), "organization")
    (advice,) = [item for item in nested if item["id"] == directory.advice_org]
    assert advice["services"][0] == directory.documents[directory.debt]


def test_an_organisation_comes_with_its_services(client, directory):
    found = get_json(client, f"/api/organizations/{directory.advice_org}")
    hsds.assert_valid("organization", found)
    assert found["name"] == "Eastbridge Advice"
    assert [s["id"] for s in found["services"]] == [directory.debt, directory.food]
    assert found["services"][0] == directory.documents[directory.debt]


# Taxonomies and their terms


def test_taxonomies(client, directory):
    page = get_json(client, "/api/taxonomies")
    assert [item["name"] for item in assert_page(page, "taxonomy")] == ["Delivery", "Needs"]
    one = get_json(client, f"/api/taxonomies/{directory.taxonomy}")
    hsds.assert_valid("taxonomy", one)
    assert one["name"] == "Needs"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Debt", "Drop-in", "Money"]),
        ("top_only=true", ["Drop-in", "Money"]),
        ("top_only=false", ["Debt", "Drop-in", "Money"]),
        ("parent_id={parent_term}", ["Debt"]),
        ("parent_id={child_term}", []),
        ("taxonomy_id={taxonomy}", ["Debt", "Money"]),
        ("taxonomy_id={taxonomy}&top_only=true", ["Money"]),
        ("per_page=1&page=2", ["Drop-in"]),
    ],
)
def test_taxonomy_terms(client, directory, query, expected):
    page = get_json(client, "/api/taxonomy_terms?" + query.format(**directory.__dict__))
    assert names({"contents": assert_page(page, "taxonomy_term")}) == expected


def test_a_taxonomy_term(client, directory):
    term = get_json(client, f"/api/taxonomy_terms/{directory.child_term}")
    hsds.assert_valid("taxonomy_term", term)
    assert (term["name"], term["parent_id"]) == ("Debt", directory.parent_term)


# Services at locations


def test_services_at_locations_list_with_their_location_and_service(client, directory):
    page = get_json(client, "/api/service_at_locations")
    items = assert_page(page, "service_at_location")
    assert [item["id"] for item in items] == sorted(
        [directory.debt_at_centre, directory.food_far_away]
    )
    for item in items:
        hsds.assert_valid("service_list", item["service"])
        assert item["location"]["id"] == item["location_id"]
    assert "distance" not in items[0]


def test_a_service_at_a_location_nests_the_whole_service(client, directory):
    found = get_json(client, f"/api/service_at_locations/{directory.debt_at_centre}")
    hsds.assert_valid("service_at_location", found)
    hsds.assert_valid("service", found["service"])
    assert found["service"]["id"] == directory.debt
    assert found["location"]["name"] == "Market"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("postcode=EB1 2AB", ["debt_at_centre"]),
        ("postcode=eb12ab", ["debt_at_centre"]),
        ("postcode=EB1 2AB&proximity=500", ["debt_at_centre"]),
        ("postcode=EB1 2AB&proximity=100", []),
        ("postcode=EB1 2AB&proximity=40000", ["debt_at_centre", "food_far_away"]),
        ("postcode=EB9 9ZZ&proximity=200000", ["food_far_away", "debt_at_centre"]),
        ("postcode=EB1 2AB&proximity=40000&per_page=1&page=2", ["food_far_away"]),
    ],
)
def test_services_near_a_postcode_come_nearest_first(client, directory, query, expected):
    page = get_json(client, f"/api/service_at_locations?{query}")
    items = assert_page(page, "service_at_location")
    assert [item["id"] for item in items] == [getattr(directory, name) for name in expected]
    distances = [item["distance"] for item in items]
    assert distances == sorted(distances)


def test_distance_is_in_metres(client, directory):
    (item,) = get_json(client, "/api/service_at_locations?postcode=EB1 2AB")["contents"]
    # 0.001 degrees of latitude and of longitude at 50.83 N: about 111 m and 70 m.
    assert 125 <= item["distance"] <= 140
    assert published.distance_metres((50.83, -0.14), (51.83, -0.14)) == pytest.approx(
        111_195, rel=1e-3
    )


# Errors


ONE_PATHS = ["services", "organizations", "taxonomies", "taxonomy_terms", "service_at_locations"]


@pytest.mark.parametrize("path", ONE_PATHS)
@pytest.mark.parametrize(
    "bad_id", ["{unknown}", "not-a-uuid", "1", "%27%20OR%201%3D1", "{unknown}x"]
)
def test_unknown_or_malformed_ids_are_not_found_in_json(client, directory, path, bad_id):
    body = get_json(client, f"/api/{path}/{bad_id.format(unknown=uuid.uuid4())}", 404)
    assert body == {"status": 404, "error": "not-found", "message": "Not found."}


def test_an_id_of_another_kind_is_not_found(client, directory):
    get_json(client, f"/api/services/{directory.advice_org}", 404)
    get_json(client, f"/api/organizations/{directory.debt}", 404)
    get_json(client, f"/api/taxonomy_terms/{directory.taxonomy}", 404)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("/services?colour=blue", "Unknown parameter 'colour'"),
        ("/services?page=0", "page must be from 1"),
        ("/services?page=-1", "page must be a whole number"),
        ("/services?page=1.5", "page must be a whole number"),
        ("/services?page=abc", "page must be a whole number"),
        ("/services?page=99999999999999999999999", "page must be a whole number"),
        ("/services?page=1&page=2", "given more than once"),
        ("/services?per_page=0", "per_page must be from 1"),
        ("/services?per_page=ten", "per_page must be a whole number"),
        ("/services?minimal=maybe", "minimal must be true or false"),
        ("/services?minimal=true&full=true", "minimal or full"),
        ("/services?organization_id=nope", "organization_id must be a UUID"),
        ("/services?taxonomy_term_id=1", "taxonomy_term_id must be a UUID"),
        ("/services?taxonomy_id=", "taxonomy_id must be a UUID"),
        ("/services?modified_after=yesterday", "modified_after must be a date and time"),
        ("/services?modified_after=2026-13-01", "modified_after must be a date and time"),
        ("/services?format=xml", "format must be json or ndjson"),
        ("/services?format=ndjson&page=2", "leave out page and per_page"),
        ("/services?search=a&text=b", "only one of search or text"),
        ("/services?search=debt&modified_after=2026-01-01", "cannot be combined"),
        ("/services?search=" + "a" * 101, "at most 100 characters"),
        ("/?page=1", "this path takes no parameters"),
        ("/organizations?full_service=yes", "full_service must be true or false"),
        ("/organizations?search=advice", "Unknown parameter 'search'"),
        ("/taxonomy_terms?top_only=true&parent_id={parent_term}", "not a top term"),
        ("/taxonomy_terms?parent_id=x", "parent_id must be a UUID"),
        ("/service_at_locations?proximity=500", "measured from a postcode"),
        ("/service_at_locations?postcode=EB1 2AB&proximity=0", "proximity must be from 1"),
        ("/service_at_locations?postcode=EB1 2AB&proximity=200001", "to 200000"),
        ("/service_at_locations?postcode=EB1 ABC", "is not a postcode"),
        ("/service_at_locations?postcode=ZZ9 9ZZ", "We do not know the postcode"),
        ("/services/{debt}?full=true", "this path takes no parameters"),
    ],
)
def test_bad_parameters_are_a_400_that_says_which(client, directory, query, says):
    body = get_json(client, "/api" + query.format(**directory.__dict__), 400)
    assert body["status"] == 400
    assert body["error"] in ("bad-parameter", "unknown-postcode")
    assert says in body["message"], body["message"]


def test_a_nul_byte_is_refused_in_json(client, directory):
    body = get_json(client, "/api/services?search=debt%00", 400)
    assert (body["status"], body["error"]) == (400, "bad-request")


def test_the_api_is_read_only(client, directory):
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.open("/api/services", method=method)
        assert response.status_code == 405, method
        assert response.mimetype == "application/json", method
    assert get_json(client, "/api/services")["total_items"] == 3


def test_an_unknown_path_under_the_api_is_json(client):
    assert get_json(client, "/api/people", 404)["error"] == "not-found"


# CORS, caching and headers


def test_every_answer_is_open_to_every_site(client, directory):
    for path, status in (
        ("/api/", 200),
        ("/api/services", 200),
        (f"/api/services/{directory.debt}", 200),
        ("/api/services?page=0", 400),
        ("/api/services/x", 404),
        ("/api/nothing", 404),
    ):
        response = client.get(path, headers={"Origin": "https://elsewhere.example"})
        assert response.status_code == status, path
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert "Access-Control-Allow-Credentials" not in response.headers, path
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
    redirected = client.get("/api", headers={"Origin": "https://elsewhere.example"})
    assert redirected.status_code == 308
    assert urlsplit(redirected.headers["Location"]).path == "/api/"
    assert redirected.headers["Access-Control-Allow-Origin"] == "*"
    pages = client.get("/directory")
    assert "Access-Control-Allow-Origin" not in pages.headers
    assert pages.headers["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "https://elsewhere.example"}, {"Sec-Fetch-Site": "cross-site"}],
)
def test_a_method_that_would_change_something_is_a_json_405(client, directory, method, headers):
    response = client.open("/api/services", method=method, headers=headers, data="x=1")
    assert response.status_code == 405, response.data[:300]
    assert response.mimetype == "application/json"
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert response.get_json() == {
        "status": 405,
        "error": "method-not-allowed",
        "message": f"The API only reads: {method} is not allowed. Use GET.",
    }
    missing = client.open("/api/nowhere", method=method, headers=headers)
    assert (missing.status_code, missing.get_json()["error"]) == (404, "not-found")


def test_a_preflight_is_answered(client, directory):
    response = client.options(
        "/api/services?search=debt",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Accept",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert set(response.headers["Access-Control-Allow-Methods"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
    }
    assert response.headers["Access-Control-Allow-Headers"] == "Accept"
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert response.data == b""
    custom = client.options(
        "/api/",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-requested-with, if-none-match",
        },
    )
    assert custom.headers["Access-Control-Allow-Headers"] == "x-requested-with, if-none-match"
    odd = client.options(
        "/api/",
        headers={"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "a\tb"},
    )
    assert odd.headers["Access-Control-Allow-Headers"] == "Accept, Accept-Language, Content-Type"


def test_answers_are_cached_briefly_and_errors_not_at_all(client, directory):
    assert client.get("/api/services").headers["Cache-Control"] == "public, max-age=60"
    assert (
        client.get(f"/api/organizations/{directory.advice_org}").headers["Cache-Control"]
        == "public, max-age=60"
    )
    for path in ("/api/services/x", "/api/services?page=x", "/api/nothing"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_no_answer_carries_a_cookie_even_for_someone_signed_in(client, mailbox: Mailbox, directory):
    journeys.sign_up(client, mailbox, f"api-{scenarios.marker()}@example.net")
    assert client.get("/passport").status_code == 200
    for path in ("/api/", "/api/services", "/api/services/x", "/api/services?format=ndjson"):
        response = client.get(path)
        response.get_data()
        assert response.headers.getlist("Set-Cookie") == [], path
    # Still signed in: the API neither read nor ended the session.
    assert client.get("/passport").status_code == 200


def test_the_api_is_rate_limited_in_json(client, directory):
    limit = int(openapi.RATE_LIMIT.split()[0])
    for _ in range(limit):
        assert client.get("/api/").status_code == 200
    body = get_json(client, "/api/", 429)
    assert (body["status"], body["error"]) == (429, "too-many-requests")
    assert client.get("/api/services").headers["Access-Control-Allow-Origin"] == "*"


# Our OpenAPI document, and schemathesis against it


def test_the_openapi_document_describes_every_api_route(app, client):
    described = get_json(client, "/api/openapi.json")
    assert described["openapi"] == "3.1.0"
    assert described["servers"] == [{"url": "/api"}]
    # Every route under /api/ (but the document itself), as OpenAPI writes a path.
    served = {
        re.sub(r"<(?:\w+:)?(\w+)>", "{id}", rule.rule.removeprefix("/api")) or "/"
        for rule in api_rules(app)
        if rule.rule != "/api/openapi.json"
    }
    assert set(described["paths"]) == served == set(OPERATIONS)
    parameters = described["components"]["parameters"]
    for operation in (path["get"] for path in described["paths"].values()):
        for parameter in operation.get("parameters", []):
            assert parameter["$ref"].rsplit("/", 1)[1] in parameters
    # Each list documents the parameters it takes, no more and no fewer.
    for path, query in (
        ("/services", "?minimal=true"),
        ("/organizations", "?full=true"),
        ("/taxonomies", "?page=1"),
        ("/taxonomy_terms", "?top_only=true"),
        ("/service_at_locations", "?per_page=1"),
    ):
        documented = {
            parameters[p["$ref"].rsplit("/", 1)[1]]["name"]
            for p in described["paths"][path]["get"]["parameters"]
        }
        refused = get_json(client, f"/api{path}?nonsense=1", 400)["message"]
        assert refused.endswith(f"this path takes {', '.join(sorted(documented))}."), path
        assert client.get(f"/api{path}{query}").status_code == 200, path


OPERATIONS = [
    "/",
    "/services",
    "/services/{id}",
    "/organizations",
    "/organizations/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
]
# Positive data may still be refused (proximity without a postcode, minimal with full):
# those rules are not in the schema, so "accepted" is not among the checks.
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


@pytest.fixture
def api_schema(app: Flask, directory: Directory) -> Iterator[Any]:
    """Our OpenAPI document as served, the HSDS schemas it names read from the package, and
    the app called through WSGI; no rate limit while it asks a few hundred times."""
    served = app.test_client().get("/api/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(hsds.with_local_schemas(served))
    schema.app = app
    limiter.enabled = False
    yield schema
    limiter.enabled = True


@pytest.mark.parametrize(
    ("path", "mode"),
    [(path, GenerationMode.POSITIVE) for path in OPERATIONS]
    # Only the lists take parameters that can be wrong (any text can be an id: not found).
    + [(path, GenerationMode.NEGATIVE) for path in OPERATIONS[1:] if "{" not in path],
)
def test_schemathesis_finds_no_answer_that_breaks_our_openapi_document(
    api_schema: Any, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def answers_as_described(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    answers_as_described()


# A peer Open Referral UK client reading the whole demo directory


def every_page(client: FlaskClient, path: str, kind: str) -> list[dict[str, Any]]:
    """Every item of a list, page after page as a client follows them, each page checked."""
    items, number = [], 1
    while True:
        page = get_json(client, f"{path}{'&' if '?' in path else '?'}per_page=7&page={number}")
        items += assert_page(page, kind)
        if page["last_page"]:
            assert page["total_pages"] == number
            assert page["total_items"] == len(items)
            return items
        number += 1


def test_a_peer_client_reads_the_demo_directory_and_every_answer_is_valid(client, demo_directory):
    services = every_page(client, "/api/services", "service_list")
    assert len(services) == 40
    for item in services:
        hsds.assert_valid("service", get_json(client, f"/api/services/{item['id']}"))
    organisations = every_page(client, "/api/organizations", "organization")
    assert len(organisations) == 15
    for item in organisations:
        found = get_json(client, f"/api/organizations/{item['id']}")
        hsds.assert_valid("organization", found)
    named = sum(
        len(get_json(client, f"/api/organizations/{item['id']}")["services"])
        for item in organisations
    )
    assert named == 40
    for item in every_page(client, "/api/taxonomies", "taxonomy"):
        hsds.assert_valid("taxonomy", get_json(client, f"/api/taxonomies/{item['id']}"))
    terms = every_page(client, "/api/taxonomy_terms", "taxonomy_term")
    assert terms
    for item in terms:
        hsds.assert_valid("taxonomy_term", get_json(client, f"/api/taxonomy_terms/{item['id']}"))
    links = every_page(client, "/api/service_at_locations", "service_at_location")
    assert links
    for item in links:
        found = get_json(client, f"/api/service_at_locations/{item['id']}")
        hsds.assert_valid("service_at_location", found)
        hsds.assert_valid("service", found["service"])
    streamed = ndjson(client.get("/api/services?format=ndjson&full=true"))
    assert sorted(line["id"] for line in streamed) == sorted(item["id"] for item in services)
    for line in streamed:
        hsds.assert_valid("service", line)


def test_a_service_in_the_standards_full_shape_comes_back_as_published(app, client):
    # Every kind of nested object, as in the standard's own example (examples/service_full.json).
    from tests.test_directory_import import full_service

    published_as = full_service()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "service.json"
        source.write_text(json.dumps(published_as), encoding="utf-8")
        with app.app_context():
            assert importer.import_file(source).committed
    found = get_json(client, f"/api/services/{published_as['id']}")
    hsds.assert_valid("service", found)
    assert found == published_as
    (item,) = get_json(client, "/api/services")["contents"]
    hsds.assert_valid("service_list", item)
    assert item["organization"]["id"] == published_as["organization"]["id"]
    organisation = get_json(client, f"/api/organizations/{published_as['organization']['id']}")
    hsds.assert_valid("organization", organisation)
    (link,) = get_json(client, "/api/service_at_locations")["contents"]
    hsds.assert_valid("service_at_location", link)
    assert link["location"] == published_as["service_at_locations"][0]["location"]


# Nothing about residents, referrals or shares


def api_rules(app: Flask) -> list[Any]:
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]


def test_nothing_about_residents_referrals_or_shares_is_reachable(
    app, client, mailbox: Mailbox, demo_directory
):
    referred = scenarios.resident_with_referral(client, mailbox)
    passport = client.get("/passport")
    need_ids = scenarios.ids_in(passport, "/passport/needs/{id}/edit")
    grant_ids = scenarios.ids_in(passport, "/passport/shares/{id}/stop")
    assert need_ids and grant_ids
    referral_id = referred.referral.rsplit("/", 1)[1]
    share_token = referred.share_link.rsplit("/", 1)[1]
    resident_ids = [referral_id, *need_ids, *grant_ids]
    secrets = [referred.email, referred.story, referred.message, share_token, *resident_ids]

    adapter = app.url_map.bind("localhost")
    answers: list[tuple[str, str]] = []

    def read(url: str, response: TestResponse) -> tuple[str, str]:
        # Read at once: a streamed answer holds its request open until it is read.
        body = response.get_data(as_text=True)
        response.close()
        assert response.headers.getlist("Set-Cookie") == [], url
        return url, body

    walked = set()
    for browser in (client, app.test_client()):  # the resident's own browser, and a stranger's
        for rule in api_rules(app):
            walked.add(rule.rule)
            if rule.arguments:
                (argument,) = rule.arguments
                for asked in [*resident_ids, share_token]:
                    url = adapter.build(rule.endpoint, {argument: asked})
                    response = browser.get(url)
                    assert response.status_code == 404, url
                    answers.append(read(url, response))
                continue
            url = adapter.build(rule.endpoint, {})
            queries = [""]
            if rule.rule in ("/api/services", "/api/organizations"):
                queries += ["?full=true&per_page=100", "?full_service=true&per_page=100"]
            if rule.rule == "/api/services":
                queries = [q for q in queries if "full_service" not in q]
                queries += ["?format=ndjson&full=true", f"?search={_quote(referred.story)}"]
                queries += [f"?organization_id={asked}" for asked in resident_ids]
            for query in queries:
                answers.append(read(url + query, browser.get(url + query)))
    assert walked == {rule.rule for rule in api_rules(app)}
    assert len(walked) == 12

    # Every service and organisation the lists name, fetched one by one, says nothing either.
    services = get_json(client, "/api/services?minimal=true&per_page=100")["contents"]
    assert services, "The demo directory should be published"
    for item in services:
        answers.append(read(item["id"], client.get(f"/api/services/{item['id']}")))

    for url, body in answers:
        for secret in secrets:
            assert secret not in body, (url, secret)
    described = get_json(client, "/api/openapi.json")
    assert all(
        path.split("/")[1]
        in {"", "services", "organizations", "taxonomies", "taxonomy_terms", "service_at_locations"}
        for path in described["paths"]
    )
    for word in ("passport", "referral", "share", "need", "resident"):
        assert not any(word in path for path in described["paths"]), word
        assert not any(word in rule.rule for rule in api_rules(app)), word
