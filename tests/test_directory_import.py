"""`passport directory import` and `export`: HSDS 3.0 (Open Referral UK) files in every shape
the standard publishes, upserted by id in one transaction, what each listing's document
projects into, and every kind of bad or hostile file refused with a clear message."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from passport.database import db
from passport.directory import hsds, importer
from passport.directory.models import (
    PASSPORT_TAXONOMY_ID,
    Capacity,
    Delivery,
    Location,
    OpeningTime,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceLanguage,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)
from tests.support import database, journeys, pages
from tests.support.directory_files import (
    new_id,
    organization,
    service,
    with_services,
    write,
)
from tests.support.mailbox import Mailbox
from tests.test_landed_data import EMAIL as LANDED_EMAIL
from tests.test_landed_data import EXPECTED as LANDED
from tests.test_landed_data import landed_app  # noqa: F401 (a fixture)


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def import_file(app: Flask, path: Path, *options: str):
    return run(app, "directory", "import", str(path), *options)


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        organisations = db.session.scalar(select(func.count()).select_from(Organisation))
        services = db.session.scalar(select(func.count()).select_from(Service))
        return organisations or 0, services or 0


def stored(app: Flask, service_id: str) -> Service:
    with app.app_context():
        found = db.session.get(Service, uuid.UUID(service_id))
        assert found is not None
        db.session.expunge(found)
        return found


def rows(app: Flask, model, service_id: str) -> list:
    with app.app_context():
        return list(
            db.session.execute(select(model).where(model.service_id == uuid.UUID(service_id)))
            .scalars()
            .all()
        )


def assert_refused(result) -> None:
    """A clear message and a non-zero exit, never a traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception


# Every shape of file ------------------------------------------------------------------------


def test_an_organization_with_its_services_nested(app, tmp_path):
    first, second = service("Debt advice"), service("Benefits check")
    org = organization("Eastbridge Advice")
    result = import_file(app, write(tmp_path, with_services(org, first, second)))

    assert result.exit_code == 0, result.output
    assert "Organisations: 1 added, 0 updated, 0 unchanged." in result.output
    assert "Services: 2 added, 0 updated, 0 unchanged." in result.output
    assert counts(app) == (1, 2)
    kept = stored(app, first["id"])
    assert str(kept.organisation_id) == org["id"]
    assert kept.document == first  # as published
    with app.app_context():
        organisation = db.session.get(Organisation, uuid.UUID(org["id"]))
        assert organisation.document == org  # without its services
        assert organisation.referral_email == org["email"]
        assert organisation.slug == "eastbridge-advice"


def test_one_service_with_its_organization_nested(app, tmp_path):
    org = organization()
    one = service(organization=org)
    result = import_file(app, write(tmp_path, one))

    assert result.exit_code == 0, result.output
    assert counts(app) == (1, 1)
    kept = stored(app, one["id"])
    assert "organization" not in kept.document
    assert str(kept.organisation_id) == org["id"]


def test_one_service_naming_an_organization_already_in_the_directory(app, tmp_path):
    org = organization()
    assert import_file(app, write(tmp_path, org, "org.json")).exit_code == 0
    one = service(organization_id=org["id"])
    result = import_file(app, write(tmp_path, one))

    assert result.exit_code == 0, result.output
    assert "Organisations: 0 added, 0 updated, 0 unchanged." in result.output
    assert str(stored(app, one["id"]).organisation_id) == org["id"]


def test_a_page_of_services_as_the_api_returns_it(app, tmp_path):
    org = organization()
    listed = [service(f"Service {n}", organization=org) for n in range(3)]
    page = {
        "total_items": 3,
        "total_pages": 1,
        "page_number": 1,
        "size": 3,
        "first_page": True,
        "last_page": True,
        "empty": False,
        "contents": listed,
    }
    result = import_file(app, write(tmp_path, page))

    assert result.exit_code == 0, result.output
    # The organization is nested in every service: it is one organisation, added once.
    assert "Organisations: 1 added, 0 updated, 0 unchanged." in result.output
    assert counts(app) == (1, 3)


def test_an_array_of_organizations_services_and_pages(app, tmp_path):
    first_org, second_org = organization("First"), organization("Second")
    page = {"total_items": 1, "contents": [service("Paged", organization=second_org)]}
    records = [
        with_services(first_org, service("Nested")),
        service("Alone", organization=second_org),
        service("By id", organization_id=first_org["id"]),
        page,
    ]
    result = import_file(app, write(tmp_path, records))

    assert result.exit_code == 0, result.output
    assert counts(app) == (2, 4)


def test_a_service_may_come_before_its_organization_in_the_file(app, tmp_path):
    org = organization()
    early = service(organization_id=org["id"])
    result = import_file(app, write(tmp_path, [early, org]))

    assert result.exit_code == 0, result.output
    assert str(stored(app, early["id"]).organisation_id) == org["id"]


# Upserting by id ----------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_and_says_so(app, tmp_path):
    path = write(tmp_path, with_services(organization(), service(), service("Food bank")))
    assert import_file(app, path).exit_code == 0
    with app.app_context():
        before = db.session.execute(select(Service.id, Service.slug, Service.created_at)).all()

    again = import_file(app, path)
    assert again.exit_code == 0, again.output
    assert "Organisations: 0 added, 0 updated, 1 unchanged." in again.output
    assert "Services: 0 added, 0 updated, 2 unchanged." in again.output
    assert "Nothing changed: the directory already holds every record in this file." in (
        again.output
    )
    with app.app_context():
        assert db.session.execute(select(Service.id, Service.slug, Service.created_at)).all() == (
            before
        )


def test_a_changed_service_is_updated_its_rows_rebuilt_and_its_slug_kept(app, tmp_path):
    org = organization()
    one = service(
        "Debt advice",
        schedules=[{"id": new_id(), "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00",
                    "closes_at": "12:00"}],
        languages=[{"id": new_id(), "code": "pl"}],
    )  # fmt: skip
    assert import_file(app, write(tmp_path, with_services(org, one))).exit_code == 0

    one.update(name="Money advice", languages=[{"id": new_id(), "code": "ro"}])
    one["schedules"][0]["byday"] = "TU,TH"
    result = import_file(app, write(tmp_path, with_services(org, one)))

    assert result.exit_code == 0, result.output
    assert "Services: 0 added, 1 updated, 0 unchanged." in result.output
    kept = stored(app, one["id"])
    assert (kept.name, kept.slug) == ("Money advice", "debt-advice")
    assert sorted(row.weekday for row in rows(app, OpeningTime, one["id"])) == [1, 3]
    assert [row.code for row in rows(app, ServiceLanguage, one["id"])] == ["ro"]


def test_slugs_are_made_unique_and_referral_email_set_by_hand_is_kept(app, tmp_path):
    org = organization("Advice Trust", email="first@advice.example.org")
    twins = [service("Debt advice"), service("Debt advice")]
    assert import_file(app, write(tmp_path, with_services(org, *twins))).exit_code == 0
    assert {stored(app, s["id"]).slug for s in twins} == {"debt-advice", "debt-advice-2"}

    with app.app_context():
        organisation = db.session.get(Organisation, uuid.UUID(org["id"]))
        organisation.referral_email = "by-hand@advice.example.org"
        db.session.commit()
    org["email"] = "changed@advice.example.org"
    assert import_file(app, write(tmp_path, with_services(org, *twins))).exit_code == 0
    with app.app_context():
        organisation = db.session.get(Organisation, uuid.UUID(org["id"]))
        assert organisation.referral_email == "by-hand@advice.example.org"
        assert organisation.document["email"] == "changed@advice.example.org"


def test_a_new_organisation_takes_a_services_email_when_it_has_none(app, tmp_path):
    org = organization()
    del org["email"]
    one = service(email="desk@advice.example.org")
    assert import_file(app, write(tmp_path, with_services(org, one))).exit_code == 0
    with app.app_context():
        organisation = db.session.get(Organisation, uuid.UUID(org["id"]))
        assert organisation.referral_email == "desk@advice.example.org"


def test_a_new_organisation_with_no_email_anywhere_is_refused(app, tmp_path):
    org = organization()
    del org["email"]
    result = import_file(app, write(tmp_path, with_services(org, service())))

    assert_refused(result)
    assert f"organization {org['id']}: $.email: a new organization needs an e-mail address" in (
        result.output
    )
    assert counts(app) == (0, 0)


# Round trip ---------------------------------------------------------------------------------


def test_export_then_import_into_an_empty_directory_gives_the_same_file(app, tmp_path):
    with app.app_context():
        importer.load_demo()
    exported = tmp_path / "export.json"
    result = run(app, "directory", "export", str(exported))
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 40 services to {exported}.\n"
    records = json.loads(exported.read_text(encoding="utf-8"))
    assert [record["id"] for record in records] == sorted(record["id"] for record in records)
    for record in records:
        hsds_problems = hsds.schema_problems(hsds.ORGANIZATION, "export", record)
        assert hsds_problems == []

    with app.app_context():
        database.empty_tables()
    assert counts(app) == (0, 0)
    assert import_file(app, exported).exit_code == 0
    again = tmp_path / "again.json"
    assert run(app, "directory", "export", str(again)).exit_code == 0
    assert again.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")


# All or nothing -----------------------------------------------------------------------------


def test_one_invalid_record_means_nothing_is_imported_and_every_error_is_listed(app, tmp_path):
    good = with_services(organization(), service("Good"))
    bad_name = service("Bad", organization=organization())
    bad_name["name"] = 5
    no_status = service("No status", organization=organization())
    del no_status["status"]
    result = import_file(app, write(tmp_path, [good, bad_name, no_status]))

    assert_refused(result)
    assert f'service {bad_name["id"]}: $.name: 5 is not of type "string"' in result.output
    assert f"service {no_status['id']}: $.status: required" in result.output
    assert "2 problems in directory.json: nothing was imported." in result.output
    assert counts(app) == (0, 0)


def test_skip_invalid_imports_the_valid_records_and_lists_the_rest(app, tmp_path):
    good = with_services(organization(), service("Good"))
    bad = service("Bad", organization=organization())
    bad["phones"] = [{"id": new_id()}]
    result = import_file(app, write(tmp_path, [good, bad]), "--skip-invalid")

    assert result.exit_code == 0, result.output
    assert f"service {bad['id']}: $.phones[0].number: required" in result.output
    assert "Services: 1 added, 0 updated, 0 unchanged." in result.output
    assert "Skipped the records with the 1 problem listed." in result.output
    assert "Nothing changed" not in result.output
    assert counts(app) == (1, 1)


def test_skip_invalid_says_so_when_every_record_had_problems(app, tmp_path):
    bad = service("Bad", organization=organization())
    bad["phones"] = [{"id": new_id()}]
    worse = service("Worse", organization=organization())
    worse["name"] = 5
    result = import_file(app, write(tmp_path, [bad, worse]), "--skip-invalid")

    assert_refused(result)
    assert (
        "Every record in directory.json had problems (2 problems): nothing was imported."
    ) in result.output
    assert "Nothing changed" not in result.output
    assert counts(app) == (0, 0)


@pytest.mark.parametrize("records", [[], {"contents": []}])
def test_a_file_with_no_records_says_so(app, tmp_path, records):
    result = import_file(app, write(tmp_path, records), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert result.output == "directory.json holds no organizations or services.\n"


def test_a_failed_import_leaves_what_was_there_before(app, tmp_path):
    org = organization()
    one = service("Before")
    assert import_file(app, write(tmp_path, with_services(org, one))).exit_code == 0
    one["name"] = "After"
    broken = service("Broken")
    broken["minimum_age"] = "eighteen"
    assert_refused(import_file(app, write(tmp_path, with_services(org, one, broken))))
    assert stored(app, one["id"]).name == "Before"
    assert counts(app) == (1, 1)


# Bad and hostile files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "directory.json is empty: there is nothing to import."),
        ("   \n", "directory.json is empty: there is nothing to import."),
        ("this is not JSON", "directory.json is not valid JSON at line 1, column 1"),
        ("<html><body>Not found</body></html>", "is not valid JSON at line 1, column 1"),
        ('[{"id": "a"}] trailing', "is not valid JSON at line 1, column 15: Extra data"),
        ('{"id": NaN}', "directory.json is not valid JSON: NaN is not a JSON number"),
    ],
)
def test_a_file_that_is_not_json_is_refused_with_where(app, tmp_path, text, message):
    path = tmp_path / "directory.json"
    path.write_text(text, encoding="utf-8")
    result = import_file(app, path)
    assert_refused(result)
    assert message in result.output


def test_a_file_nesting_deeper_than_hsds_is_refused_and_says_so(app, tmp_path):
    deep = service("Deep", organization=organization())
    path = tmp_path / "directory.json"
    text = json.dumps([deep])[:-2] + ', "x": ' + "[" * 1_000 + "]" * 1_000 + "}]"
    path.write_text(text, encoding="utf-8")

    result = import_file(app, path)
    assert_refused(result)
    assert (
        f"directory.json nests deeper than {importer.MAX_DEPTH} levels in record 1: "
        "it is not an HSDS file"
    ) in result.output
    assert counts(app) == (0, 0)


def test_reading_a_file_nested_100000_deep_stops_early_in_little_memory(tmp_path):
    """Before anything that deep is built: in a process allowed 1.5 GB (it used 23 GB)."""
    path = tmp_path / "deep.json"
    path.write_text('{"id": "x", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    script = (
        "import resource, sys; from pathlib import Path\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))\n"
        "from passport.directory import importer\n"
        "try:\n"
        "    list(importer.read_values(Path(sys.argv[1])))\n"
        "except importer.SourceError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"deep.json nests deeper than {importer.MAX_DEPTH} levels" in done.stdout


def test_a_document_the_schema_validator_gives_up_on_is_a_problem_not_a_crash():
    document: dict = {"id": "not a uuid"}  # an error makes it quote the document
    inner = document
    for _ in range(1_000):
        inner["x"] = {}
        inner = inner["x"]
    problems = hsds.schema_problems(hsds.SERVICE, "service deep", document)
    assert [(p.record, p.path) for p in problems] == [("service deep", "$")]
    assert problems[0].message.startswith("cannot be checked against the standard")


def test_a_utf8_byte_order_mark_is_skipped(app, tmp_path):
    one = service("After a BOM")
    path = tmp_path / "directory.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(with_services(organization(), one)).encode())
    result = import_file(app, path)
    assert result.exit_code == 0, result.output
    assert stored(app, one["id"]).name == "After a BOM"


def test_a_number_too_long_to_read_is_refused_in_plain_words(app, tmp_path):
    path = tmp_path / "directory.json"
    path.write_text('{"id": "x", "minimum_age": ' + "9" * 5_000 + "}", encoding="utf-8")
    result = import_file(app, path)
    assert_refused(result)
    assert "directory.json is not valid JSON: it holds a number with 5,000 digits" in result.output
    assert "sys.set_int_max_str_digits" not in result.output


def test_a_truncated_file_says_where_it_ends(app, tmp_path):
    whole = json.dumps([with_services(organization(), service(), service())], indent=1)
    path = tmp_path / "directory.json"
    path.write_text(whole[: whole.rindex("\n", 0, len(whole) // 2)], encoding="utf-8")
    lines = path.read_text().splitlines()

    result = import_file(app, path)
    assert_refused(result)
    assert f"directory.json is not valid JSON at line {len(lines)}, column" in result.output
    assert "the file ends too soon. Nothing was imported." in result.output
    assert counts(app) == (0, 0)


def test_a_truncated_array_imports_nothing_even_after_good_records(app, tmp_path):
    records = [with_services(organization(), service()) for _ in range(3)]
    whole = json.dumps(records)
    path = tmp_path / "directory.json"
    path.write_text(whole[: whole.rindex("{")], encoding="utf-8")  # the last record cut off
    assert_refused(import_file(app, path))
    assert counts(app) == (0, 0)


def test_records_of_the_wrong_type_are_refused(app, tmp_path):
    result = import_file(app, write(tmp_path, [42, "a service", None, [], organization()]))
    assert_refused(result)
    for number in (1, 2, 3, 4):
        assert f"record {number}: $: must be an object (an organization or a service)" in (
            result.output
        )
    assert counts(app) == (0, 0)


def test_missing_and_malformed_ids_are_refused(app, tmp_path):
    no_id = service("No id", organization=organization())
    del no_id["id"]
    not_uuid = service("Not a UUID", organization=organization())
    not_uuid["id"] = "12345"
    result = import_file(app, write(tmp_path, [no_id, not_uuid]))

    assert_refused(result)
    assert "record 1: $.id: required" in result.output
    assert 'service 12345: $.id: "12345" is not a "uuid"' in result.output
    assert counts(app) == (0, 0)


def test_a_service_id_twice_in_one_file_is_refused(app, tmp_path):
    org = organization()
    one = service("First")
    again = {**service("Second"), "id": one["id"]}
    result = import_file(app, write(tmp_path, with_services(org, one, again)))

    assert_refused(result)
    assert f"service {one['id']}: $.id: appears again (first in record 1)" in result.output
    assert counts(app) == (0, 0)


def test_an_organization_twice_with_different_contents_is_refused(app, tmp_path):
    org = organization()
    changed = {**org, "name": "Someone else"}
    records = [service("One", organization=org), service("Two", organization=changed)]
    result = import_file(app, write(tmp_path, records))
    assert_refused(result)
    assert f"organization {org['id']}: $: appears again in the file with different contents" in (
        result.output
    )


def test_a_service_naming_an_unknown_organization_is_refused(app, tmp_path):
    unknown = new_id()
    one = service(organization_id=unknown)
    result = import_file(app, write(tmp_path, one))
    assert_refused(result)
    assert f"organization {unknown} is neither in the directory nor in this file" in (result.output)


@pytest.mark.parametrize(
    ("field", "character"),
    [("name", "\x00"), ("name", "\r"), ("name", "\u2028"), ("description", "\x1b")],
)
def test_control_characters_are_refused_wherever_they_are(app, tmp_path, field, character):
    one = service()
    one[field] = f"Debt{character}advice"
    org = organization()
    org["phones"] = [{"id": new_id(), "number": f"01632{character}960123"}]
    result = import_file(app, write(tmp_path, with_services(org, one)))

    assert_refused(result)
    code = f"U+{ord(character):04X}"
    assert f"service {one['id']}: $.{field}: holds a control character ({code})" in result.output
    assert f"organization {org['id']}: $.phones[0].number: holds a control character" in (
        result.output
    )
    assert counts(app) == (0, 0)


def test_line_breaks_are_kept_in_descriptions(app, tmp_path):
    one = service(description="First line.\n\nSecond line.", eligibility_description="A\nB")
    assert import_file(app, write(tmp_path, with_services(organization(), one))).exit_code == 0
    kept = stored(app, one["id"])
    assert (kept.description, kept.eligibility) == ("First line.\n\nSecond line.", "A\nB")


def test_huge_strings_and_numbers_out_of_range_are_refused(app, tmp_path):
    long_name = service("x" * 100_000)
    old = service(minimum_age=1e300)
    result = import_file(app, write(tmp_path, with_services(organization(), long_name, old)))

    assert_refused(result)
    assert f"service {long_name['id']}: $.name: longer than 200 characters" in result.output
    assert "x" * 300 not in result.output  # the value is not echoed back whole
    assert f"service {old['id']}: $.minimum_age: must be a whole number of years" in result.output
    assert counts(app) == (0, 0)


def test_dates_that_cannot_be_read_or_are_in_the_future_are_refused(app, tmp_path):
    typo = service(assured_date="2026-02-30")
    later = service(assured_date="2999-01-01", last_modified="2999-01-01T10:00:00Z")
    unreadable = service(last_modified="2026-02-30T10:00:00Z")
    records = with_services(organization(last_modified="2999-01-01T00:00:00Z"))
    result = import_file(
        app, write(tmp_path, [with_services(organization(), typo, later, unreadable), records])
    )

    assert_refused(result)
    assert f'service {typo["id"]}: $.assured_date: "2026-02-30" is not a date' in result.output
    assert f'service {later["id"]}: $.assured_date: "2999-01-01" is in the future' in result.output
    assert f'service {later["id"]}: $.last_modified: "2999-01-01T10:00:00Z" is in the future' in (
        result.output
    )
    assert f'service {unreadable["id"]}: $.last_modified: "2026-02-30T10:00:00Z" is not' in (
        result.output
    )
    assert f'organization {records["id"]}: $.last_modified: "2999-01-01T00:00:00Z" is in the' in (
        result.output
    )
    assert counts(app) == (0, 0)


def test_text_and_records_over_the_size_limits_are_refused(app, tmp_path):
    longest = service(description="x" * hsds.TEXT_MAX)
    too_long = service(
        description="x" * (hsds.TEXT_MAX + 1),
        service_areas=[{"id": new_id(), "name": "Eastbridge", "extent": "y" * 30_000}],
    )
    funding = [{"id": new_id(), "source": "z" * 15_000} for _ in range(70)]
    too_big = service(funding=funding)
    org = organization(description="w" * (hsds.TEXT_MAX + 1))
    result = import_file(
        app,
        write(tmp_path, [with_services(organization(), longest, too_long, too_big), org]),
        "--skip-invalid",
    )

    assert f"service {too_long['id']}: $.description: longer than 20,000 characters" in (
        result.output
    )
    assert f"service {too_long['id']}: $.service_areas[0].extent: longer than 20,000" in (
        result.output
    )
    assert f"service {too_big['id']}: $: is 1,05" in result.output
    assert "a record may be at most 1,000,000" in result.output
    assert f"organization {org['id']}: $.description: longer than 20,000" in result.output
    assert "x" * 300 not in result.output
    assert counts(app) == (1, 1)
    assert len(stored(app, longest["id"]).description) == hsds.TEXT_MAX


def test_text_that_looks_like_an_injection_is_kept_as_text(app, tmp_path):
    hostile = "Robert'); DROP TABLE services;-- <script>alert(1)</script> {{ 7*7 }} %s"
    one = service(hostile, description=hostile)
    assert import_file(app, write(tmp_path, with_services(organization(), one))).exit_code == 0
    kept = stored(app, one["id"])
    assert (kept.name, kept.description) == (hostile, hostile)
    assert counts(app) == (1, 1)  # the table is still there


# The standard's own shape -------------------------------------------------------------------


def full_service() -> dict:
    """A service with every kind of nested object, in the shape of the standard's published
    example (examples/service_full.json), with values that are valid."""
    org_id, location_id, term_id, taxonomy_id = new_id(), new_id(), new_id(), new_id()
    phone = {"id": new_id(), "number": "01632 960000", "extension": 100, "type": "voice",
             "languages": [{"id": new_id(), "name": "Welsh", "code": "cy"}]}  # fmt: skip
    schedule = {
        "id": new_id(), "valid_from": "2026-01-01", "valid_to": "2027-01-01",
        "dtstart": "2026-01-01", "freq": "WEEKLY", "interval": 1, "byday": "MO,WE,FR",
        "opens_at": "09:30", "closes_at": "16:00", "description": "Weekdays, mornings",
    }  # fmt: skip
    return {
        "id": new_id(),
        "organization_id": org_id,
        "name": "Community Counselling",
        "alternate_name": "Counselling",
        "description": "Free counselling for adults.",
        "url": "https://counselling.example.org",
        "email": "hello@counselling.example.org",
        "status": "active",
        "interpretation_services": "Interpreters on request",
        "application_process": "Phone us",
        "fees_description": "Free",
        "wait_time": "3 weeks",
        "accreditations": "BACP",
        "eligibility_description": "Adults living in Eastbridge",
        "minimum_age": 18,
        "maximum_age": 100,
        "assured_date": "2026-10-01",
        "assurer_email": "checks@example.org",
        "alert": "Closed on bank holidays",
        "last_modified": "2026-10-01T10:00:00Z",
        "service_areas": [{"id": new_id(), "name": "Eastbridge", "extent_type": "text"}],
        "service_at_locations": [
            {
                "id": new_id(),
                "description": "Main office",
                "schedules": [schedule],
                "phones": [phone],
                "location": {
                    "id": location_id,
                    "location_type": "physical",
                    "name": "Counselling rooms",
                    "latitude": 52.63,
                    "longitude": 1.73,
                    "addresses": [
                        {"id": new_id(), "address_1": "1 Quay Street", "city": "Eastbridge",
                         "state_province": "Norfolk", "postal_code": "eb1  2ab",
                         "country": "GB", "address_type": "physical"}
                    ],
                    "accessibility": [{"id": new_id(), "description": "Step-free access"}],
                },
            }
        ],
        "phones": [phone],
        "contacts": [{"id": new_id(), "name": "Reception", "email": "desk@example.org",
                      "phones": [phone]}],
        "cost_options": [{"id": new_id(), "option": "Free", "currency": "GBP", "amount": 0}],
        "languages": [{"id": new_id(), "name": "English", "code": "en"},
                      {"id": new_id(), "name": "Polish", "code": "PL"}],
        "required_documents": [{"id": new_id(), "document": "Proof of address"}],
        "funding": [{"id": new_id(), "source": "Council grant"}],
        "organization": {
            "id": org_id,
            "name": "Eastbridge Counselling",
            "description": "A charity.",
            "email": "referrals@counselling.example.org",
            "website": "www.counselling.example.org",
            "year_incorporated": 2011,
        },
        "attributes": [
            {
                "id": new_id(),
                "link_type": "service",
                "taxonomy_term_id": term_id,
                "taxonomy_term": {
                    "id": term_id, "code": "CNS", "name": "Counselling",
                    "description": "Talking therapies",
                    "taxonomy_detail": {"id": taxonomy_id, "name": "Local terms",
                                        "description": "The council's own terms"},
                },
            },
            {
                "id": new_id(),
                "taxonomy_term": {
                    "id": str(hsds.passport_term_id("mental_wellbeing")),
                    "code": "mental_wellbeing", "name": "Mental wellbeing",
                    "description": "Stress, worry or low mood",
                    "taxonomy_id": str(PASSPORT_TAXONOMY_ID),
                },
            },
        ],
        "metadata": [{"id": new_id(), "resource_type": "service", "last_action_date": "2026-10-01",
                      "last_action_type": "update", "field_name": "name",
                      "previous_value": "", "replacement_value": "", "updated_by": "me"}],
    }  # fmt: skip


def test_a_service_in_the_standards_full_shape_validates_and_projects(app, tmp_path):
    one = full_service()
    assert hsds.schema_problems(hsds.SERVICE, "example", one) == []
    result = import_file(app, write(tmp_path, one))
    assert result.exit_code == 0, result.output

    kept = stored(app, one["id"])
    assert kept.address == "1 Quay Street, Eastbridge, EB1 2AB"
    assert kept.area == "Eastbridge"
    assert kept.eligibility == "Adults living in Eastbridge"
    assert kept.opening_hours == "Weekdays, mornings"
    assert kept.reviewed_on == date(2026, 10, 1)
    assert (kept.minimum_age, kept.maximum_age) == (18, 100)
    assert (kept.capacity, kept.wait_weeks) == (Capacity.ACCEPTING, 3)
    assert kept.free is True
    assert kept.delivery == Delivery.IN_PERSON | Delivery.PHONE
    assert sorted(row.code for row in rows(app, ServiceLanguage, one["id"])) == ["en", "pl"]
    assert sorted((r.weekday, r.opens, r.closes) for r in rows(app, OpeningTime, one["id"])) == [
        (0, 570, 960),
        (2, 570, 960),
        (4, 570, 960),
    ]
    [link] = rows(app, ServiceAtLocation, one["id"])
    with app.app_context():
        location = db.session.get(Location, link.location_id)
        assert (location.postcode, location.latitude, location.longitude) == (
            "EB1 2AB",
            52.63,
            1.73,
        )
        terms = db.session.scalars(
            select(TaxonomyTerm.code)
            .join(ServiceTerm, ServiceTerm.taxonomy_term_id == TaxonomyTerm.id)
            .where(ServiceTerm.service_id == uuid.UUID(one["id"]))
        ).all()
        assert sorted(terms) == ["CNS", "mental_wellbeing"]
        categories = db.session.scalars(
            select(ServiceCategory.category).where(
                ServiceCategory.service_id == uuid.UUID(one["id"])
            )
        ).all()
        assert categories == ["mental_wellbeing"]  # only the passport's own taxonomy


STANDARDS_EXAMPLE = Path(__file__).parent / "fixtures" / "hsds-3.0" / "service_full.json"


def test_the_standards_published_example_imports_and_is_found(app, tmp_path):
    """examples/service_full.json as published: its location's latitude 100 (valid HSDS) is no
    place on Earth, so the location is kept without coordinates."""
    example = json.loads(STANDARDS_EXAMPLE.read_text(encoding="utf-8"))
    result = import_file(app, STANDARDS_EXAMPLE)

    assert result.exit_code == 0, result.output
    assert (
        f"Warning: service {example['id']}: $.service_at_locations[0].location: latitude 100 "
        "(not from -90 to 90) is not on Earth: the location is kept without coordinates"
    ) in result.output
    assert "Services: 1 added, 0 updated, 0 unchanged." in result.output
    [link] = rows(app, ServiceAtLocation, example["id"])
    with app.app_context():
        location = db.session.get(Location, link.location_id)
        assert (location.latitude, location.longitude) == (None, None)
        assert location.document["latitude"] == 100  # the document as published
    found = app.test_client().get("/api/services?text=counselling").get_json()
    assert [item["id"] for item in found["contents"]] == [example["id"]]


def categories_of(app: Flask, service_id: str) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(ServiceCategory.category).where(
                    ServiceCategory.service_id == uuid.UUID(service_id)
                )
            )
        )


@pytest.mark.parametrize(
    "mapping",
    [
        {"terms": {"3F7B145D-84AF-42D7-8FAE-EACA714B02B2": "mental_wellbeing"}},
        {"taxonomies": {"5c4d79d7-cc55-470e-9f1f-8cad074e4892": {"code": "mental_wellbeing"}}},
        {"taxonomies": {" Name ": {"code": "mental_wellbeing"}}},
    ],
)
def test_an_operators_category_map_puts_other_taxonomies_terms_in_categories(
    app, tmp_path, mapping
):
    """A published feed never uses the passport's taxonomy: the standard's example, whose
    one term (code "code", taxonomy "name") is mapped by term id, or by code within a
    taxonomy named by id or name. Importing the same file again with the map is enough."""
    example = json.loads(STANDARDS_EXAMPLE.read_text(encoding="utf-8"))
    assert import_file(app, STANDARDS_EXAMPLE).exit_code == 0
    assert categories_of(app, example["id"]) == []

    categories = write(tmp_path, mapping, "categories.json")
    result = import_file(app, STANDARDS_EXAMPLE, "--categories", str(categories))
    assert result.exit_code == 0, result.output
    assert "Services: 0 added, 1 updated, 0 unchanged." in result.output
    assert categories_of(app, example["id"]) == ["mental_wellbeing"]
    page = app.test_client().get("/directory?category=mental_wellbeing")
    assert "Community Counselling" in page.get_data(as_text=True)

    again = app.test_cli_runner().invoke(
        args=["directory", "import", str(STANDARDS_EXAMPLE)],
        env={"PASSPORT_DIRECTORY_CATEGORY_MAP": str(categories)},
    )
    assert "Services: 0 added, 0 updated, 1 unchanged." in again.output


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"terms": {new_id(): "debts"}}, '"debts" is not a category (housing, money'),
        ({"terms": {"12": "money"}}, "terms: '12' is not a UUID."),
        ({"taxonomies": {"Local": ["money"]}}, "taxonomies.Local: must map term codes."),
        ({"categories": {}}, 'must be a JSON object with "terms" and/or "taxonomies"'),
    ],
)
def test_a_category_map_that_cannot_be_used_imports_nothing(app, tmp_path, mapping, message):
    categories = write(tmp_path, mapping, "categories.json")
    result = import_file(app, STANDARDS_EXAMPLE, "--categories", str(categories))
    assert_refused(result)
    assert "Nothing was imported. categories.json" in result.output
    assert message in result.output
    assert counts(app) == (0, 0)


def passport_term(category: str, **fields) -> dict:
    return {"id": new_id(), "taxonomy_term": {**hsds.passport_term_document(category), **fields}}


def published_vocabulary(app: Flask) -> tuple[list, list]:
    with app.app_context():
        taxonomies = db.session.execute(select(Taxonomy.id, Taxonomy.name)).all()
        terms = db.session.execute(
            select(TaxonomyTerm.id, TaxonomyTerm.code, TaxonomyTerm.name).where(
                TaxonomyTerm.taxonomy_id == PASSPORT_TAXONOMY_ID
            )
        ).all()
        return sorted(taxonomies), sorted(terms)


def test_the_passports_own_taxonomy_and_terms_are_read_only_to_imports(app, tmp_path):
    first = service(attributes=[passport_term("caring")])
    assert import_file(app, write(tmp_path, with_services(organization(), first))).exit_code == 0
    before = published_vocabulary(app)
    assert before == (
        [(PASSPORT_TAXONOMY_ID, "Needs Passport categories")],
        [(hsds.passport_term_id("caring"), "caring", "Caring for someone")],
    )

    # Claiming a category with the passport's term, its taxonomy described otherwise: the
    # category is claimed, the passport's rows are not changed.
    renamed = hsds.passport_term_document("caring")
    renamed["taxonomy_detail"] = {**renamed["taxonomy_detail"], "name": "name"}
    claims = service(attributes=[{"id": new_id(), "taxonomy_term": renamed}])
    # A term of the file's own put in the passport's taxonomy; one of the passport's terms
    # under another name or code.
    foreign = {"id": new_id(), "code": "x", "name": "Hijacked", "description": "",
               "taxonomy_detail": {"id": str(PASSPORT_TAXONOMY_ID), "name": "name",
                                   "description": ""}}  # fmt: skip
    intruder = service(attributes=[{"id": new_id(), "taxonomy_term": foreign}])
    renamed_term = service(attributes=[passport_term("caring", name="HIJACKED Caring")])
    recoded = service(attributes=[passport_term("caring", code="money")])

    result = import_file(
        app,
        write(tmp_path, with_services(organization(), intruder, renamed_term, recoded)),
        "--skip-invalid",
    )
    where = "$.attributes[0].taxonomy_term"
    assert f"service {intruder['id']}: {where}: is not one of the passport's own categories" in (
        result.output
    )
    for one in (renamed_term, recoded):
        assert (
            f"service {one['id']}: {where}: reuses the id of the passport's category 'caring'"
        ) in result.output
    assert import_file(app, write(tmp_path, with_services(organization(), claims))).exit_code == 0

    assert published_vocabulary(app) == before
    with app.app_context():
        categories = db.session.scalars(
            select(ServiceCategory.category).where(
                ServiceCategory.service_id == uuid.UUID(claims["id"])
            )
        ).all()
    assert categories == ["caring"]


# Projections --------------------------------------------------------------------------------


def imported(app: Flask, tmp_path: Path, **fields) -> Service:
    one = service(**fields)
    result = import_file(app, write(tmp_path, with_services(organization(), one)))
    assert result.exit_code == 0, result.output
    return stored(app, one["id"])


def weekly(byday: str, opens: str, closes: str, **more) -> dict:
    return {"id": new_id(), "freq": "WEEKLY", "byday": byday, "opens_at": opens,
            "closes_at": closes, **more}  # fmt: skip


@pytest.mark.parametrize(
    ("schedules", "expected", "line"),
    [
        ([weekly("MO,TU", "09:00", "17:30")], [(0, 540, 1050), (1, 540, 1050)],
         "Monday and Tuesday, 9am to 5:30pm"),
        ([weekly("SA", "22:00", "02:00")], [(5, 1320, 1440), (6, 0, 120)],
         "Saturday, 10pm to 2am"),
        ([weekly("SU", "00:00", "00:00")], [(6, 0, 1440)], "Sunday, 24 hours"),
        ([weekly("FR", "10:00:00Z", "12:00:00Z")], [(4, 600, 720)], "Friday, 10am to midday"),
        ([{"id": new_id(), "freq": "MONTHLY", "byday": "1MO", "opens_at": "09:00",
           "closes_at": "10:00", "description": "First Monday of the month"}], [],
         "First Monday of the month"),
        ([weekly("XX", "09:00", "10:00"), weekly("WE", "late", "10:00")], [], ""),
    ],
)  # fmt: skip
def test_opening_times_from_weekly_schedules(app, tmp_path, schedules, expected, line):
    kept = imported(app, tmp_path, schedules=schedules)
    times = sorted((r.weekday, r.opens, r.closes) for r in rows(app, OpeningTime, str(kept.id)))
    assert times == expected
    assert kept.opening_hours == line


def test_dates_are_stored_so_that_they_compare_as_dates(app, tmp_path):
    """Rows written straight to the driver keep each engine's own form of a date and time."""
    kept = imported(
        app, tmp_path, last_modified="2026-02-01T13:00:00+01:00", assured_date="2026-01-31"
    )
    moment = datetime(2026, 2, 1, 12, tzinfo=UTC)
    with app.app_context():
        found = db.session.scalars(select(Service.id).where(Service.modified_at >= moment)).all()
        assert found == [kept.id]
        later = moment + timedelta(seconds=1)
        assert (
            db.session.scalars(select(Service.id).where(Service.modified_at >= later)).all() == []
        )
        on_the_day = select(Service.id).where(Service.reviewed_on >= date(2026, 1, 31))
        assert db.session.scalars(on_the_day).all() == [kept.id]
    assert kept.modified_at == moment


@pytest.mark.parametrize(
    ("fields", "capacity", "weeks"),
    [
        ({}, Capacity.ACCEPTING, None),
        ({"wait_time": "6 weeks"}, Capacity.ACCEPTING, 6),
        ({"capacities": [{"id": "c", "available": 4}]}, Capacity.ACCEPTING, None),
        ({"capacities": [{"id": "c", "available": 0}]}, Capacity.NOT_ACCEPTING, None),
        ({"capacities": [{"id": "c", "available": 0, "description": "Waiting list"}]},
         Capacity.WAITING_LIST, None),
        ({"capacities": [{"id": "c", "available": 0}], "wait_time": "10 days"},
         Capacity.WAITING_LIST, 2),
        ({"capacities": [{"id": "c", "available": 0, "description": "About 2 months"}]},
         Capacity.WAITING_LIST, 9),
    ],
)  # fmt: skip
def test_capacity_from_capacities_and_wait_time(app, tmp_path, fields, capacity, weeks):
    kept = imported(app, tmp_path, **fields)
    assert (kept.capacity, kept.wait_weeks) == (capacity, weeks)


@pytest.mark.parametrize(
    ("options", "free"),
    [
        (None, None),
        ([{"id": "a", "amount": 0}], True),
        ([{"id": "a", "amount": 0}, {"id": "b", "amount": 2.5}], False),
        ([{"id": "a", "amount_description": "Interest is charged"}], None),
    ],
)
def test_free_from_cost_options(app, tmp_path, options, free):
    fields = {"cost_options": [{**o, "id": new_id()} for o in options]} if options else {}
    assert imported(app, tmp_path, **fields).free is free


def location(kind: str, postcode: str = "") -> dict:
    found = {"id": new_id(), "location_type": kind}
    if postcode:
        found["addresses"] = [{"id": new_id(), "address_1": "1 High St", "city": "Eastbridge",
                               "state_province": "", "postal_code": postcode, "country": "GB",
                               "address_type": "physical"}]  # fmt: skip
    return {"id": new_id(), "location": found}


@pytest.mark.parametrize(
    ("fields", "delivery"),
    [
        ({}, 0),
        ({"service_at_locations": [location("physical")]}, Delivery.IN_PERSON),
        ({"service_at_locations": [location("virtual")]}, Delivery.ONLINE),
        ({"phones": [{"id": new_id(), "number": "01632 960000"}]}, Delivery.PHONE),
        ({"service_at_locations": [location("physical"), location("virtual")],
          "contacts": [{"id": new_id(), "phones": [{"id": new_id(), "number": "01632 960000"}]}]},
         Delivery.IN_PERSON | Delivery.ONLINE | Delivery.PHONE),
    ],
)  # fmt: skip
def test_delivery_from_locations_and_phones(app, tmp_path, fields, delivery):
    assert imported(app, tmp_path, **fields).delivery == delivery


@pytest.mark.parametrize(
    ("written", "postcode"),
    [("EB1 2AB", "EB1 2AB"), ("eb12ab", "EB1 2AB"), (" sw1a  1aa ", "SW1A 1AA"),
     ("not a postcode", ""), ("EB1 2AB; DROP", "")],
)  # fmt: skip
def test_postcodes_are_kept_as_the_ons_writes_them(app, tmp_path, written, postcode):
    kept = imported(app, tmp_path, service_at_locations=[location("physical", written)])
    [link] = rows(app, ServiceAtLocation, str(kept.id))
    with app.app_context():
        assert db.session.get(Location, link.location_id).postcode == postcode


def test_languages_by_their_codes(app, tmp_path):
    kept = imported(
        app,
        tmp_path,
        languages=[
            {"id": new_id(), "code": "en"},
            {"id": new_id(), "code": " CY "},
            {"id": new_id(), "name": "Polish"},  # no code: not a filter
        ],
    )
    assert sorted(row.code for row in rows(app, ServiceLanguage, str(kept.id))) == ["cy", "en"]


# The demo -----------------------------------------------------------------------------------


def test_the_demo_is_valid_hsds_with_what_the_directory_shows(app):
    records = json.loads(importer.DEMO_FILE.read_text(encoding="utf-8"))
    services = [s for record in records for s in record["services"]]
    assert (len(records), len(services)) == (15, 40)
    for record in records:
        for document in [hsds.organisation_only(record), *record["services"]]:
            kind = hsds.SERVICE if document in record["services"] else hsds.ORGANIZATION
            assert hsds.schema_problems(kind, "demo", document) == []

    with app.app_context():
        importer.load_demo()
        listed = db.session.scalars(select(Service)).all()
        assert {s.capacity for s in listed} == set(Capacity)
        assert {s.free for s in listed} == {True, False, None}
        languages = set(db.session.scalars(select(ServiceLanguage.code)))
        assert languages == {"en", "cy", "pl", "ro", "ar", "ur", "bn"}
        postcodes = set(
            db.session.scalars(select(Location.postcode).where(Location.postcode != ""))
        )
        assert {p.split()[0] for p in postcodes} == {"EB1", "EB2", "EB3", "EB4"}
        for latitude, longitude in db.session.execute(
            select(Location.latitude, Location.longitude).where(Location.latitude.is_not(None))
        ):
            assert 52.60 <= latitude <= 52.66 and 1.68 <= longitude <= 1.78
        assert db.session.scalar(select(func.count()).select_from(OpeningTime)) > 40
        reviewed = sorted(s.reviewed_on for s in listed)
        assert reviewed[0] < date(2025, 12, 1) < reviewed[1] < reviewed[2] < date(2026, 6, 1)
        assert reviewed[3] >= date(2026, 10, 1)
        assert all(s.categories for s in listed)
        referred_only = db.session.scalars(
            select(Service.slug).where(Service.accepts_self_referral.is_(False))
        ).all()
        assert len(referred_only) == 4


def test_rows_the_first_demo_made_keep_their_ids_and_nothing_is_doubled(app):
    """An installation that loaded the first demo (random ids, then migration 0008 gave each
    row a minimal document) loads the HSDS demo without a second copy of any listing, and its
    rows keep their ids: referrals and share grants name them sealed."""
    local = importer.read_local(importer.DEMO_LOCAL)
    records = json.loads(importer.DEMO_FILE.read_text(encoding="utf-8"))
    first = records[0]
    first_service = first["services"][0]
    org_slug = local[uuid.UUID(first["id"])].slug
    service_slug = local[uuid.UUID(first_service["id"])].slug
    with app.app_context():
        old_org = Organisation(
            slug=org_slug, name=first["name"], description="", created_at=_now(),
            referral_email="old@example.org",
        )  # fmt: skip
        old_org.document = {"id": str(old_org.id), "name": first["name"], "description": "",
                            "email": "old@example.org"}  # fmt: skip
        db.session.add(old_org)
        db.session.flush()
        old_service = Service(
            organisation_id=old_org.id, slug=service_slug, name=first_service["name"],
            description="", created_at=_now(),
        )  # fmt: skip
        old_service.document = {"id": str(old_service.id), "organization_id": str(old_org.id),
                                "name": first_service["name"], "description": "",
                                "status": "active"}  # fmt: skip
        old_service.category_rows = [ServiceCategory(category="money")]
        db.session.add(old_service)
        db.session.commit()
        old_ids = (old_org.id, old_service.id)

        summary = importer.load_demo()

    assert summary.problems == []
    assert counts(app) == (15, 40)
    with app.app_context():
        kept = db.session.scalar(select(Service).where(Service.slug == service_slug))
        assert (kept.organisation_id, kept.id) == old_ids
        # The file's ids, replaced throughout (its attributes link the service by id too).
        published = json.dumps(first_service)
        published = published.replace(first_service["id"], str(old_ids[1]))
        assert kept.document == json.loads(published.replace(first["id"], str(old_ids[0])))
        # What the first demo set by hand stays: the referral address.
        assert kept.organisation.referral_email == "old@example.org"
        assert db.session.get(Service, uuid.UUID(first_service["id"])) is None
        assert db.session.get(Organisation, uuid.UUID(first["id"])) is None
        assert kept.categories == sorted(
            a["taxonomy_term"]["code"] for a in first_service["attributes"]
        )


def _now():
    from passport import clock

    return clock.now()


def test_an_installation_that_loaded_the_first_demo_ends_up_with_each_listing_once(
    landed_app,  # noqa: F811 (the fixture imported above)
):
    """The landed database (the first demo loaded with random ids, at revision 0001, then
    migrated to head) loads the HSDS demo: the same 15 and 40 listings, with their own ids
    and slugs, and the file's documents and projections."""
    with landed_app.app_context():
        ids_before = set(db.session.scalars(select(Service.id)))
        slugs_before = sorted(db.session.scalars(select(Service.slug)))
        assert len(slugs_before) == 40
        summary = importer.load_demo()
        assert summary.problems == []
        assert (summary.organisations_added, summary.services_added) == (0, 0)
        assert (summary.organisations_updated, summary.services_updated) == (15, 40)
        assert sorted(db.session.scalars(select(Service.slug))) == slugs_before
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 15
        assert set(db.session.scalars(select(Service.id))) == ids_before
        assert db.session.scalar(select(func.count()).select_from(OpeningTime)) > 40

        again = importer.load_demo()
        assert (again.services_added, again.services_updated, again.services_unchanged) == (
            0,
            0,
            40,
        )


def test_referrals_and_shares_made_on_the_first_demo_still_name_their_listings(
    landed_app,  # noqa: F811 (the fixture imported above)
    mailbox: Mailbox,
):
    """A resident's referrals and share grants, made on the first demo (the service and the
    organisation sealed by id), still name and link them once 'demo load' has run on the
    new code: the listings kept their ids, and each is there once."""
    result = run(landed_app, "demo", "load")
    assert result.exit_code == 0, result.output
    with landed_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Service)) == 40
        assert db.session.scalar(select(func.count(func.distinct(Service.slug)))) == 40
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 15
        referred = {
            referral_id: db.session.get(Service, uuid.UUID(referral["service"]))
            for referral_id, referral in LANDED["referrals"].items()
            if referral["status"] != "draft"
        }
        listed = {
            referral_id: (s.name, s.organisation.name) for referral_id, s in referred.items() if s
        }
        shared = {
            db.session.get(Organisation, uuid.UUID(grant["organisation"]))
            for grant in LANDED["share_grants"].values()
        }
        shared_names = {o.name for o in shared if o}
    assert len(listed) == len(referred) == 2
    assert len(shared_names) == len(shared) == 1

    resident = landed_app.test_client()
    journeys.sign_in(resident, mailbox, LANDED_EMAIL)
    for referral_id, (name, organisation) in listed.items():
        page = resident.get(f"/referrals/{referral_id}")
        assert name in pages.text(page) and organisation in pages.text(page)
        assert 'id="not-listed"' not in page.get_data(as_text=True)
    looked = pages.text(resident.get("/passport/looked-at"))
    assert all(name in looked for name in shared_names)
