"""Postcodes as the ONS writes them, however they are typed."""

from __future__ import annotations

import pytest

from passport.directory.postcodes import normalise


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("EB1 2AB", "EB1 2AB"),
        ("eb12ab", "EB1 2AB"),
        (" EB1  2ab ", "EB1 2AB"),
        ("eb1\t2ab", "EB1 2AB"),
        ("e b 1 2 a b", "EB1 2AB"),
        ("m1 1aa", "M1 1AA"),
        ("M601NW", "M60 1NW"),
        ("cr26xh", "CR2 6XH"),
        ("DN551PT", "DN55 1PT"),
        ("w1a1hq", "W1A 1HQ"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("EB1 3CW", "EB1 3CW"),
    ],
)
def test_a_postcode_is_written_as_the_ons_writes_it(typed, written):
    assert normalise(typed) == written


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "EB1",
        "EB1 2A",
        "EB1 2ABC",
        "2AB EB1",
        "EBC1 2AB",
        "E1 AAB",
        "EB1 22B",
        "EB1-2AB",
        "EB1 2AB;",
        "' OR 1=1 --",
        "ΕΒ1 2ΑΒ",  # Greek capitals that look like Latin ones
        "EB１ 2AB",  # a full-width digit
        "x" * 40,
    ],
)
def test_anything_else_is_not_a_postcode(typed):
    assert normalise(typed) is None
