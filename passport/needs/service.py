"""The passport: needs and 'about you', sealed with the passport's own key."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Literal

from passport import clock, events, taxonomy, vault
from passport.database import db, owned_or_404
from passport.needs.models import Need, Passport

STORY_MAX = 5000


@dataclass(frozen=True)
class NeedView:
    id: uuid.UUID
    category: str
    story: str
    updated_at: datetime

    @property
    def category_name(self) -> str:
        return str(taxonomy.category(self.category).name)


@dataclass(frozen=True)
class About:
    name: str = ""
    phone: str = ""
    email: str = ""
    contact_preference: str = ""
    access_needs: str = ""

    def is_empty(self) -> bool:
        return not any(asdict(self).values())

    def has_contact_details(self) -> bool:
        """A phone number or an email address: something an organisation can reach them by."""
        return bool(self.phone or self.email)


def create_passport(account_id: uuid.UUID | None) -> Passport:
    """A new passport, owned by the account that makes it, or (None) held for someone who
    will claim it later (passport/needs/ownership.py)."""
    now = clock.now()
    passport = Passport(
        account_id=account_id,
        claimed_at=now if account_id is not None else None,
        created_at=now,
        updated_at=now,
    )
    vault.new_key(passport)
    db.session.add(passport)
    return passport


def _view(passport: Passport, need: Need) -> NeedView:
    return NeedView(
        id=need.id,
        category=vault.open(need, "category", need.category_sealed),
        story=vault.open(need, "story", need.story_sealed),
        updated_at=need.updated_at,
    )


def list_needs(passport: Passport) -> list[NeedView]:
    return [_view(passport, need) for need in passport.needs]


def categories(passport: Passport) -> set[str]:
    """The categories of the passport's needs, opening nothing else."""
    return {vault.open(need, "category", need.category_sealed) for need in passport.needs}


def _own_need_or_404(passport: Passport, need_id: uuid.UUID) -> Need:
    return owned_or_404(Need, need_id, passport_id=passport.id)


def get_need_or_404(passport: Passport, need_id: uuid.UUID) -> NeedView:
    return _view(passport, _own_need_or_404(passport, need_id))


def _seal_need(passport: Passport, need: Need, category: str, story: str) -> None:
    if not taxonomy.is_category(category):
        raise ValueError(f"Unknown need category {category!r}")
    need.category_sealed = vault.seal(need, "category", category)
    need.story_sealed = vault.seal(need, "story", story)
    need.updated_at = passport.updated_at = clock.now()


def add_need(passport: Passport, category: str, story: str) -> NeedView:
    need = Need(passport=passport, created_at=clock.now())  # in passport.needs too
    _seal_need(passport, need, category, story)
    db.session.add(need)
    _recorded(passport, need.id, category, "added")
    return _view(passport, need)


def update_need(passport: Passport, need_id: uuid.UUID, category: str, story: str) -> None:
    _seal_need(passport, _own_need_or_404(passport, need_id), category, story)
    _recorded(passport, need_id, category, "changed")


def delete_need(passport: Passport, need_id: uuid.UUID) -> None:
    need = _own_need_or_404(passport, need_id)
    category = _view(passport, need).category
    passport.needs.remove(need)
    db.session.delete(need)
    passport.updated_at = clock.now()
    _recorded(passport, need_id, category, "removed")


def _recorded(
    passport: Passport,
    need_id: uuid.UUID,
    category: str,
    change: Literal["added", "changed", "removed"],
) -> None:
    events.record(
        events.NeedRecorded(
            at=clock.now(),
            passport_id=passport.id,
            need_id=need_id,
            category=category,
            change=change,
        )
    )


def get_about(passport: Passport) -> About:
    if passport.about_sealed is None:
        return About()
    raw = vault.open(passport, "about", passport.about_sealed)
    return About(**json.loads(raw))


def set_about(passport: Passport, about: About) -> None:
    raw = json.dumps(asdict(about))
    passport.about_sealed = vault.seal(passport, "about", raw)
    passport.updated_at = clock.now()


def available_sections(passport: Passport) -> list[str]:
    """The sections this passport has: 'about' and each need category, in taxonomy order."""
    present = {need.category for need in list_needs(passport)}
    return [taxonomy.ABOUT_SECTION] + [c.code for c in taxonomy.CATEGORIES if c.code in present]


def section_content(passport: Passport, sections: list[str]) -> dict[str, object]:
    """What the named sections hold: the 'about' record and the needs in each category."""
    content: dict[str, object] = {}
    needs = list_needs(passport)
    for section in sections:
        if section == taxonomy.ABOUT_SECTION:
            content[section] = get_about(passport)
        else:
            content[section] = [need for need in needs if need.category == section]
    return content
