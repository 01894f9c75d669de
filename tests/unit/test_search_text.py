"""How search reads text: folding, words, what a query searches for, and pg_trgm's trigram
similarity worked out in Python (the values are PostgreSQL's own)."""

from __future__ import annotations

import pytest

from passport.directory import search_text


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Café", "cafe"),
        ("ŴYLAN", "wylan"),
        ("Straße", "strasse"),
        ("ÒRGAN", "organ"),
        ("a-B", "a-b"),
    ],
)
def test_text_is_folded_to_lower_case_without_accents(text, folded):
    assert search_text.fold(text) == folded


def test_words_are_letters_and_digits_split_on_everything_else():
    assert search_text.words("Drop-in: 9:30am, £5 (under_score) l'eau") == [
        "drop", "in", "9", "30am", "5", "under", "score", "l", "eau",
    ]  # fmt: skip
    assert search_text.words("x" * 41 + " ok") == ["ok"]


@pytest.mark.parametrize(
    ("text", "searched"),
    [
        ("help with debts", (["help", "debts"], "")),
        ("the debt of a debt", (["debt"], "")),
        ("d", ([], "d")),
        ("De", ([], "de")),
        ("a b", ([], "a")),
        ("the", ([], "th")),
        ("", ([], "")),
        ('"*()', ([], "")),
        (" ".join(f"w{n:02d}x" for n in range(12)), ([f"w{n:02d}x" for n in range(10)], "")),
    ],
)
def test_a_query_searches_its_longer_words_or_else_the_start_of_a_name_word(text, searched):
    assert search_text.query_words(text) == searched


def test_stems_join_the_forms_of_a_word():
    assert search_text.index_text("Debts, debt and DEBTS; budgeting budgets") == "debt budget"


def test_name_prefixes_leave_out_stop_words():
    assert search_text.name_prefixes("Counselling for debt") == {"c", "co", "d", "de"}


@pytest.mark.parametrize(
    ("a", "b", "postgresql"),
    [
        ("housng", "housing", 0.5),
        ("counse", "counsel", 0.6666667),
        ("befrending", "befriending", 0.64285713),
        ("abx", "aby", 0.33333334),
        ("xylophone", "phone", 0.33333334),
        ("dbet", "debt", 0.11111111),
    ],
)
def test_similarity_is_pg_trgm_s(a, b, postgresql):
    assert search_text.similarity(a, b) == pytest.approx(postgresql, abs=1e-7)
    assert search_text.similar_enough(a, b) == (postgresql >= search_text.SIMILAR)


def test_trigrams_are_pg_trgm_s():
    assert search_text.trigrams("debt") == {"  d", " de", "deb", "ebt", "bt "}


def test_a_typo_is_corrected_to_the_most_similar_then_most_used_then_first_word():
    candidates = [("housing", 3), ("houses", 9), ("hosting", 1), ("zebra", 50)]
    assert search_text.best_correction("housng", candidates) == "housing"
    assert search_text.best_correction("abx", [("aby", 1), ("abz", 5)]) == "abz"
    assert search_text.best_correction("abx", [("abz", 5), ("aby", 5)]) == "aby"
    assert search_text.best_correction("zzzz", candidates) is None
