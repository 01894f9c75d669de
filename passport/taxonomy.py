"""The needs taxonomy that needs, the directory and referrals share.

Codes are stable; names and hints are translated.
"""

from __future__ import annotations

import json
import re
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

# Every section code there has ever been, each with its own bit in a stored section set.
# Append only: never remove or reorder a code, or stored sets would name the wrong parts.
SECTION_CODES: tuple[str, ...] = (
    ABOUT_SECTION,
    "housing",
    "money",
    "food",
    "loneliness",
    "caring",
    "mental_wellbeing",
    "employment",
    "domestic_abuse",
)
_SECTION_SET_DIGITS = 16  # hex digits: room for 64 codes


def encode_sections(sections: list[str]) -> str:
    """A set of section codes as a fixed-width bitmask, so every set seals to one length."""
    mask = 0
    for code in sections:
        mask |= 1 << SECTION_CODES.index(code)  # ValueError for an unknown code
    return f"{mask:0{_SECTION_SET_DIGITS}x}"


def decode_sections(text: str) -> list[str]:
    """The codes in a stored section set, in SECTION_CODES order.

    Sets stored before the bitmask are a JSON list, and are read as they were written.
    """
    if text.startswith("["):
        return [str(code) for code in json.loads(text)]
    if not re.fullmatch(f"[0-9a-f]{{{_SECTION_SET_DIGITS}}}", text):
        raise ValueError("Not a stored section set.")
    mask = int(text, 16)
    if mask >> len(SECTION_CODES):
        raise ValueError("A stored section set names an unknown section.")
    return [code for bit, code in enumerate(SECTION_CODES) if mask >> bit & 1]


def category(code: str) -> Category:
    return BY_CODE[code]


def is_category(code: str) -> bool:
    return code in BY_CODE


def section_name(code: str) -> LazyString:
    """A passport section is 'about you' or one need category."""
    if code == ABOUT_SECTION:
        return _l("About you")
    return BY_CODE[code].name
