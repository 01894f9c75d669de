"""The checks every page gets can fail: a guard that cannot fail guards nothing."""

from __future__ import annotations

import pytest

from e2e.pages import SignInPage, StartPage

UNLABELLED_FIELD = """() => {
  const field = document.createElement("input");
  field.id = "unlabelled";
  document.querySelector("main").append(field);
}"""

TINY_TARGETS = """() => {
  for (const name of ["a", "b"]) {
    const button = document.createElement("button");
    button.textContent = name;
    Object.assign(button.style, {width: "10px", height: "10px", padding: "0", border: "0",
      margin: "0", fontSize: "8px", display: "inline-block", verticalAlign: "top"});
    document.querySelector("main").append(button);
  }
}"""


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_axe_reports_a_violation(people, javascript):
    person = people(javascript=javascript)
    StartPage.open(person)
    person.page.evaluate(UNLABELLED_FIELD)
    with pytest.raises(AssertionError, match=r"- label \(critical\)"):
        person.check_accessibility()


def test_axe_checks_target_size(people):
    person = people()
    StartPage.open(person)
    person.page.evaluate(TINY_TARGETS)
    with pytest.raises(AssertionError, match=r"- target-size \("):
        person.check_accessibility()


def test_a_page_visited_without_a_check_is_reported(people):
    person = people()
    StartPage.open(person)
    person.goto("/sign-in")
    assert person.problems() == [f"Page visited but never checked: {person.base_url}/sign-in"]
    SignInPage(person)
    assert person.problems() == []
