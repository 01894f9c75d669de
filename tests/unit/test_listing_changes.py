"""Listing changes as pure code: the word diff a directory admin reads, and the capacity an
organisation sets written into the HSDS document so that the projection reads it back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from passport.directory import hsds
from passport.directory.models import Capacity
from passport.listings.service import Segment, capacity_document, word_diff

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_the_diff_marks_the_words_taken_out_and_put_in():
    before, after = word_diff("Open Monday to Friday, 9am", "Open Monday and Tuesday, 9am")
    assert [s for s in before if s.kind != "same"] == [Segment("removed", "to Friday, ")]
    assert [s for s in after if s.kind != "same"] == [Segment("added", "and Tuesday, ")]
    # Each side, read whole, is its own text: nothing is lost or doubled.
    assert "".join(s.text for s in before) == "Open Monday to Friday, 9am"
    assert "".join(s.text for s in after) == "Open Monday and Tuesday, 9am"


def test_a_rewritten_text_is_shown_whole_not_word_by_word():
    old = "Get free advice on keeping your home warm and grants for insulation."
    new = "Free advice on energy bills and damp homes. Ask about grants."
    assert word_diff(old, new) == ([Segment("removed", old)], [Segment("added", new)])


def test_the_diff_of_text_added_to_nothing_is_all_added():
    before, after = word_diff("", "New words")
    assert before == []
    assert after == [Segment("added", "New words")]


@pytest.mark.parametrize(
    ("capacity", "weeks", "expected"),
    [
        (Capacity.ACCEPTING, None, (Capacity.ACCEPTING, None)),
        (Capacity.WAITING_LIST, 6, (Capacity.WAITING_LIST, 6)),
        (Capacity.WAITING_LIST, None, (Capacity.WAITING_LIST, None)),
        (Capacity.NOT_ACCEPTING, None, (Capacity.NOT_ACCEPTING, None)),
    ],
)
def test_capacity_written_into_the_document_reads_back_the_same(capacity, weeks, expected):
    # A document that said something else first (a wait, capacities of its own).
    document = {"id": "x", "name": "A service", "status": "active", "wait_time": "3 months"}
    document["capacities"] = [{"id": "c", "available": 5}]
    written = capacity_document(document, capacity, weeks, NOW)
    assert hsds._capacity(written) == expected
    assert written["capacities"][0]["updated"] == NOW.isoformat()
    assert document["wait_time"] == "3 months"  # the document given is not changed
