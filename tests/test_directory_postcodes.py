"""Postcodes from the ONS Postcode Directory: `passport directory postcodes import FILE`,
lookups however a postcode is typed, and the demo town's own file."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from passport.database import db
from passport.directory import postcodes
from passport.directory.models import Postcode
from tests.support.directory_files import new_id, organization, service, with_services
from tests.support.directory_files import write as write_file
from tests.support.pages.base import Person
from tests.support.pages.directory import DirectoryPage

HEADER = "pcd,pcds,dointr,doterm,osward,lsoa11,lsoa21,lat,long\n"


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["directory", "postcodes", "import", *args])


def write(tmp_path: Path, text: str, name: str = "ONSPD.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def known(app: Flask) -> dict[str, tuple[float, float, str, str]]:
    with app.app_context():
        return {
            p.postcode: (p.latitude, p.longitude, p.ward_code, p.lsoa_code)
            for p in db.session.query(Postcode)
        }


def test_an_ons_file_is_imported_and_looked_up_however_typed(app, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "EB1 2AB,EB1 2AB,202001,,E05000001,E01000001,E01100001,52.630660,1.734170\n"
        + "EB2 3NR,EB2 3NR,202001,,E05000002,E01000002,E01100002,52.655020,1.726830\n",
    )
    result = run(app, str(path))
    assert result.exit_code == 0, result.output
    assert "Imported 2 postcodes from ONSPD.csv (2 postcodes known)." in result.output
    assert known(app) == {
        "EB1 2AB": (52.63066, 1.73417, "E05000001", "E01100001"),  # the 2021 LSOA
        "EB2 3NR": (52.65502, 1.72683, "E05000002", "E01100002"),
    }
    with app.app_context():
        found = postcodes.lookup(" eb12ab ")
        assert found is not None and (found.latitude, found.longitude) == (52.63066, 1.73417)
        assert postcodes.lookup("EB9 9ZZ") is None
        assert postcodes.lookup("not a postcode") is None


def test_importing_again_updates_what_changed(app, tmp_path):
    first = "pcds,lat,long,osward,lsoa11\nEB1 2AB,52.6,1.7,E05000001,E01000001\n"
    assert run(app, str(write(tmp_path, first))).exit_code == 0
    again = (
        "pcds,lat,long,osward,lsoa11\n"
        "eb12ab,52.63,1.73,E05000009,E01000009\n"
        "EB3 1QT,52.62828,1.69803,E05000003,E01000003\n"
    )
    result = run(app, str(write(tmp_path, again)))
    assert result.exit_code == 0, result.output
    assert "(2 postcodes known)" in result.output
    assert known(app) == {
        "EB1 2AB": (52.63, 1.73, "E05000009", "E01000009"),  # the older LSOA, when alone
        "EB3 1QT": (52.62828, 1.69803, "E05000003", "E01000003"),
    }


def test_postcodes_the_ons_cannot_place_are_left_out(app, tmp_path):
    path = write(
        tmp_path,
        "pcds,lat,long\nEB1 2AB,52.63,1.73\nEB1 9ZZ,99.999999,0.000000\n",
    )
    result = run(app, str(path))
    assert result.exit_code == 0, result.output
    assert "Imported 1 postcodes" in result.output
    assert "Left out 1 the ONS cannot place" in result.output
    assert list(known(app)) == ["EB1 2AB"]


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("pcd,lat,long", "pcds"),
        ("pcds,latitude,longitude", "lat, long columns"),
        ("", "pcds, lat, long columns"),
    ],
)
def test_a_file_without_the_columns_changes_nothing(app, tmp_path, header, missing):
    result = run(app, str(write(tmp_path, f"{header}\nEB1 2AB,52.63,1.73\n")))
    assert result.exit_code != 0
    assert "Nothing was imported from ONSPD.csv." in result.output
    assert f"The file has no {missing}" in result.output
    assert known(app) == {}


def test_a_file_with_bad_rows_changes_nothing_and_says_where(app, tmp_path):
    rows = [
        "EB1 2AB,52.63,1.73",  # fine, but not imported: the file has problems
        "EB1 2A,52.63,1.73",
        "EB1 2AD,north,1.73",
        "EB1 2AE,52.63,",
        "EB1 2AF,52.63,181",
        "eb1 2ab,52.63,1.73",
    ]
    result = run(app, str(write(tmp_path, "pcds,lat,long\n" + "\n".join(rows) + "\n")))
    assert result.exit_code != 0
    lines = result.output.splitlines()
    assert lines[1:] == [
        "Line 3: 'EB1 2A' is not a postcode.",
        "Line 4: EB1 2AD has no latitude and longitude in range (lat 'north', long '1.73').",
        "Line 5: EB1 2AE has no latitude and longitude in range (lat '52.63', long '').",
        "Line 6: EB1 2AF has no latitude and longitude in range (lat '52.63', long '181').",
        "Line 7: EB1 2AB is in the file twice.",
    ]
    assert known(app) == {}


def test_a_missing_file_is_a_clear_error(app, tmp_path):
    result = run(app, str(tmp_path / "nowhere.csv"))
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_the_demo_loads_eastbridge_postcodes(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Loaded 137 Eastbridge postcodes." in result.output
    with app.app_context():
        # The demo directory's own postcodes are where its locations are; the districts
        # lie about their centres (EB2 north, EB3 west, EB4 south of EB1).
        assert (postcodes.lookup("eb1 2ab").latitude, postcodes.lookup("EB1 2AB").longitude) == (
            52.63066,
            1.73417,
        )
        places = {p.postcode: p for p in db.session.query(Postcode)}
    assert {code.split()[0] for code in places} == {"EB1", "EB2", "EB3", "EB4"}
    for code, place in places.items():
        centre = {"EB1": (52.630, 1.730), "EB2": (52.650, 1.725), "EB3": (52.628, 1.700)}.get(
            code.split()[0], (52.610, 1.735)
        )
        assert abs(place.latitude - centre[0]) < 0.012 and abs(place.longitude - centre[1]) < 0.02
    again = app.test_cli_runner().invoke(args=["demo", "load"])
    assert again.exit_code == 0 and len(known(app)) == 137


# Before any postcodes are loaded ------------------------------------------------------------


def write_records(tmp_path: Path, *services: dict) -> Path:
    return write_file(tmp_path, with_services(organization(), *services))


def located_service() -> dict:
    location = {"id": new_id(), "location_type": "physical", "addresses": [
        {"id": new_id(), "address_1": "1 Quay Street", "city": "Eastbridge",
         "state_province": "Norfolk", "postal_code": "EB1 2AB", "country": "GB",
         "address_type": "physical"}]}  # fmt: skip
    return service(service_at_locations=[{"id": new_id(), "location": location}])


def test_without_postcodes_the_search_says_postcodes_are_not_available_yet(
    app, client, mailbox, tmp_path
):
    imported = app.test_cli_runner().invoke(
        args=["directory", "import", str(write_records(tmp_path, located_service()))]
    )
    assert imported.exit_code == 0, imported.output
    assert (
        "Imported 1 location with a postcode, but no postcodes are loaded: to search by "
        "distance, run 'passport directory postcodes import FILE.csv' with the ONS Postcode "
        "Directory."
    ) in imported.output

    message = (
        "Searching by postcode is not available yet. Search without a postcode, or try again later"
    )
    directory = DirectoryPage.open(Person(client, mailbox)).search_with(postcode="EB1 2AB")
    assert directory.error_summary() == [(message, "#postcode")]
    assert "We cannot find the postcode" not in directory.response.text

    answer = client.get("/api/service_at_locations?postcode=EB1%202AB")
    assert answer.status_code == 503
    assert answer.get_json()["error"] == "postcodes-not-loaded"
    assert "Searching by postcode is not available yet" in answer.get_json()["message"]


def test_with_postcodes_loaded_the_import_gives_no_hint(app, tmp_path):
    assert run(app, str(postcodes.DEMO_FILE)).exit_code == 0
    imported = app.test_cli_runner().invoke(
        args=["directory", "import", str(write_records(tmp_path, located_service()))]
    )
    assert imported.exit_code == 0, imported.output
    assert "no postcodes are loaded" not in imported.output
