"""passport/directory/words.py: how the directory reads what someone types."""

from __future__ import annotations

import pytest

from passport.directory.words import clock_time, contains_pattern, search_words, slugify, stem


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("debts", "debt"),
        ("lonely", "lonel"),  # still inside "loneliness"
        ("charities", "charit"),
        ("housing", "hous"),
        ("benefits", "benefit"),
        ("bus", "bus"),  # too short to lose its ending
        ("ties", "ties"),
        ("food", "food"),
    ],
)
def test_a_word_loses_a_common_ending_when_enough_is_left(word, stemmed):
    assert stem(word) == stemmed


def test_lonely_finds_loneliness_and_debts_finds_debt():
    assert stem("lonely") in "loneliness"
    assert stem("debts") in "debt advice"


def test_a_query_is_its_first_ten_words_in_lower_case_and_stemmed():
    assert search_words("  Debts   HOUSING\tfood ") == ["debt", "hous", "food"]
    assert search_words(" ".join(f"word{n}" for n in range(15))) == [f"word{n}" for n in range(10)]
    assert search_words("") == []


@pytest.mark.parametrize(
    ("word", "pattern"),
    [
        ("debt", "%debt%"),
        ("100%", "%100\\%%"),
        ("a_b", "%a\\_b%"),
        ("back\\slash", "%back\\\\slash%"),
    ],
)
def test_like_wildcards_in_a_word_are_taken_literally(word, pattern):
    assert contains_pattern(word) == pattern


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Eastbridge Advice Centre", "eastbridge-advice-centre"),
        ("  Café & Co. (Eastbridge) ", "caf-co-eastbridge"),
        ("!!!", "organisation"),
        ("x" * 150, "x" * 100),
    ],
)
def test_a_slug_is_lower_case_words_joined_by_hyphens(name, slug):
    assert slugify(name) == slug


@pytest.mark.parametrize(
    ("minutes", "written"),
    [
        (9 * 60, "9am"),
        (17 * 60 + 30, "5:30pm"),
        (12 * 60, "midday"),
        (12 * 60 + 30, "12:30pm"),
        (0, "midnight"),
        (24 * 60, "midnight"),  # the end of a day
        (5, "12:05am"),
        (23 * 60 + 59, "11:59pm"),
        (10 * 60 + 1, "10:01am"),
    ],
)
def test_times_of_day_are_written_as_govuk_writes_them(minutes, written):
    assert clock_time(minutes) == written


def test_midday_and_midnight_are_written_in_the_words_given():
    assert clock_time(12 * 60, midday="canol dydd", midnight="hanner nos") == "canol dydd"
    assert clock_time(24 * 60, midday="canol dydd", midnight="hanner nos") == "hanner nos"
