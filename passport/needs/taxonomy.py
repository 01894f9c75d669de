"""The first needs taxonomy. Codes are stable; names and hints are translated."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Category:
    code: str
    name: LazyString
    hint: LazyString
    sensitive: bool = False


CATEGORIES: tuple[Category, ...] = (
    Category("housing", _l("Housing"), _l("Somewhere safe and stable to live")),
    Category("money", _l("Money and debt"), _l("Bills, benefits, debts and budgeting")),
    Category("food", _l("Food"), _l("Having enough to eat")),
    Category("loneliness", _l("Loneliness"), _l("Feeling alone or cut off from others")),
    Category(
        "caring",
        _l("Caring for someone"),
        _l("Looking after a family member or friend"),
    ),
    Category("mental_wellbeing", _l("Mental wellbeing"), _l("Stress, worry or low mood")),
    Category(
        "employment",
        _l("Work and skills"),
        _l("Finding work, training or volunteering"),
    ),
    Category(
        "domestic_abuse",
        _l("Domestic abuse"),
        _l("Someone close to you hurting, threatening or controlling you"),
        sensitive=True,
    ),
)

BY_CODE = {category.code: category for category in CATEGORIES}
ABOUT_SECTION = "about"


def category(code: str) -> Category:
    return BY_CODE[code]


def is_category(code: str) -> bool:
    return code in BY_CODE


def section_name(code: str) -> LazyString:
    """A passport section is 'about you' or one need category."""
    if code == ABOUT_SECTION:
        return _l("About you")
    return BY_CODE[code].name
