"""The needs taxonomy (passport/taxonomy.py): categories, section names, stored section sets."""

from __future__ import annotations

import uuid

import pytest

from passport import crypto, taxonomy


@pytest.fixture
def data_key() -> bytes:
    return crypto.new_data_key()


def sealed_length(data_key: bytes, text: str) -> int:
    return len(crypto.seal(data_key, text, crypto.associated_data("needs", "story", uuid.uuid4())))


def test_every_category_seals_to_one_length(data_key: bytes):
    lengths = {code: sealed_length(data_key, code) for code in taxonomy.BY_CODE}
    assert len(set(lengths.values())) == 1, lengths


SECTION_SETS = {
    "none": [],
    "about": ["about"],
    "one-need": ["domestic_abuse"],
    "mixed": ["about", "money", "domestic_abuse"],
    "every-need": [category.code for category in taxonomy.CATEGORIES],
    "all": ["about", *taxonomy.BY_CODE],
}


def test_every_section_set_seals_to_one_length(data_key: bytes):
    lengths = {
        name: sealed_length(data_key, taxonomy.encode_sections(sections))
        for name, sections in SECTION_SETS.items()
    }
    assert len(set(lengths.values())) == 1, lengths


@pytest.mark.parametrize("name", SECTION_SETS)
def test_a_section_set_comes_back_as_it_went_in(name: str):
    sections = SECTION_SETS[name]
    decoded = taxonomy.decode_sections(taxonomy.encode_sections(sections))
    assert decoded == [code for code in taxonomy.SECTION_CODES if code in sections]


def test_section_codes_are_only_ever_appended():
    # Each code's bit position is stored: these must never move.
    assert taxonomy.SECTION_CODES[:9] == (
        "about", "housing", "money", "food", "loneliness", "caring", "mental_wellbeing",
        "employment", "domestic_abuse",
    )  # fmt: skip
    assert {"about", *taxonomy.BY_CODE} <= set(taxonomy.SECTION_CODES)
    assert len(set(taxonomy.SECTION_CODES)) == len(taxonomy.SECTION_CODES) <= 64


def test_section_sets_stored_as_a_json_list_still_read():
    assert taxonomy.decode_sections('["about", "money"]') == ["about", "money"]
    assert taxonomy.decode_sections("[]") == []


@pytest.mark.parametrize(
    "text", ["", "about", "0x00000000000001", "00000000_0000001", "0000000000000400", "1" * 17]
)
def test_a_malformed_section_set_is_refused(text: str):
    with pytest.raises(ValueError):
        taxonomy.decode_sections(text)


def test_an_unknown_section_cannot_be_stored():
    with pytest.raises(ValueError):
        taxonomy.encode_sections(["about", "astrology"])


def test_a_section_is_about_you_or_one_category():
    assert str(taxonomy.section_name(taxonomy.ABOUT_SECTION)) == "About you"
    for category in taxonomy.CATEGORIES:
        assert taxonomy.is_category(category.code)
        assert taxonomy.category(category.code) is category
        assert taxonomy.section_name(category.code) == category.name
    assert not taxonomy.is_category(taxonomy.ABOUT_SECTION)
    with pytest.raises(KeyError):
        taxonomy.category("astrology")


def test_only_domestic_abuse_is_sensitive():
    # "Exit this page" (passport/safety.py) follows this flag.
    assert [c.code for c in taxonomy.CATEGORIES if c.sensitive] == ["domestic_abuse"]
