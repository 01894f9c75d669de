"""The functional tier's page objects (tests/support/pages/) are the browser tests' twins
(e2e/pages.py): the same names, headings, addresses and steps, so a journey reads alike in both."""

from __future__ import annotations

from types import ModuleType

from e2e import pages as browser
from tests.support.pages import (
    accounts,
    base,
    core,
    directory,
    eligibility,
    needs,
    organisations,
    referrals,
    sharing,
)

BY_CAPABILITY = (core, accounts, needs, directory, eligibility, referrals, organisations, sharing)


def page_classes(module: ModuleType, root: type) -> dict[str, type]:
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, root)
        and value is not root
        and value.__module__ == module.__name__
    }


def functional_pages() -> dict[str, type]:
    found: dict[str, type] = {}
    for module in BY_CAPABILITY:
        found.update(page_classes(module, base.BasePage))
    return found


def test_every_browser_page_has_a_functional_twin_and_back():
    assert set(functional_pages()) == set(page_classes(browser, browser.BasePage))


def test_twins_expect_the_same_heading_at_the_same_address():
    for name, page in functional_pages().items():
        twin = getattr(browser, name)
        assert (page.heading, page.path) == (twin.heading, twin.path), name


def test_twins_take_the_same_steps():
    for name, page in functional_pages().items():
        twin = getattr(browser, name)
        steps = {step for step in vars(page) if not step.startswith("_") and not step.isupper()}
        steps -= {"heading", "path", "status_code"}
        assert steps <= set(dir(twin)), (name, steps - set(dir(twin)))
