"""What a service's page shows beyond its one-line columns: where it is (with access
details), when it is open (and whether it is open now, in Europe/London), the languages it
works in, how to contact it and what it costs. Read from the projections (locations, opening
times, languages) and from the HSDS document as published (phones, e-mail, cost options).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from passport import clock
from passport.database import db
from passport.directory.models import (
    Delivery,
    Location,
    OpeningTime,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
)

LONDON = ZoneInfo("Europe/London")
# How a service is delivered, by the names the search form uses.
DELIVERY = {"in_person": Delivery.IN_PERSON, "phone": Delivery.PHONE, "online": Delivery.ONLINE}


def delivery_mask(names: list[str]) -> int:
    """The Delivery bitmask for ways named in the search form ("in_person", "phone"...)."""
    mask = 0
    for name in names:
        mask |= DELIVERY.get(name, 0)
    return int(mask)


def delivered(mask: int) -> list[str]:
    """The names of the ways a service's Delivery bitmask says it is delivered."""
    return [name for name, way in DELIVERY.items() if mask & way]


@dataclass(frozen=True)
class Opening:
    """Open on a weekday (Monday 0) from `opens` to `closes`, minutes after midnight in
    Europe/London; `closes` at or before `opens` runs past midnight."""

    weekday: int
    opens: int
    closes: int


@dataclass(frozen=True)
class Place:
    name: str
    address: str
    accessibility: list[str] = field(default_factory=list)
    transport: str = ""


@dataclass(frozen=True)
class Phone:
    number: str
    description: str = ""


@dataclass(frozen=True)
class Cost:
    option: str
    amount: float | None
    currency: str
    description: str


@dataclass(frozen=True)
class Details:
    places: list[Place]
    openings: list[Opening]
    open_now: bool | None  # None: it publishes no opening times
    languages: list[str]  # ISO 639 codes
    phones: list[Phone]
    email: str
    website: str
    costs: list[Cost]
    fees: str
    application: str


def is_open(openings: list[Opening], at: datetime) -> bool | None:
    """Whether a service with these weekly opening times is open at `at` (any timezone):
    None when it publishes none, so pages say nothing rather than 'closed'."""
    if not openings:
        return None
    local = at.astimezone(LONDON)
    minute = local.hour * 60 + local.minute
    today = local.weekday()
    yesterday = (today - 1) % 7
    for opening in openings:
        overnight = opening.closes <= opening.opens
        if (
            opening.weekday == today
            and opening.opens <= minute
            and (overnight or minute < opening.closes)
        ):
            return True
        if overnight and opening.weekday == yesterday and minute < opening.closes:
            return True
    return False


def languages_offered() -> list[str]:
    """The languages some service in the directory works in, by ISO 639 code."""
    return list(
        db.session.scalars(select(ServiceLanguage.code).distinct().order_by(ServiceLanguage.code))
    )


def service_details(service: Service) -> Details:
    document: dict[str, Any] = service.document or {}
    openings = [
        Opening(row.weekday, row.opens, row.closes)
        for row in db.session.scalars(
            select(OpeningTime)
            .where(OpeningTime.service_id == service.id)
            .order_by(OpeningTime.weekday, OpeningTime.opens)
        )
    ]
    return Details(
        places=_places(service),
        openings=openings,
        open_now=is_open(openings, clock.now()),
        languages=list(
            db.session.scalars(
                select(ServiceLanguage.code)
                .where(ServiceLanguage.service_id == service.id)
                .order_by(ServiceLanguage.code)
            )
        ),
        phones=_phones(document),
        email=_text(document.get("email")),
        website=_website(document.get("url")),
        costs=_costs(document),
        fees=_text(document.get("fees_description")),
        application=_text(document.get("application_process")),
    )


def _places(service: Service) -> list[Place]:
    locations = db.session.scalars(
        select(Location)
        .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
        .where(ServiceAtLocation.service_id == service.id)
        .order_by(Location.name, Location.id)
    )
    places = []
    for location in locations:
        document = location.document or {}
        address = _address(document)
        if location.location_type == "virtual" and not address:
            continue  # online: the website and phones say how to reach it
        places.append(
            Place(
                name=location.name or _text(document.get("name")),
                address=address or location.postcode,
                accessibility=[
                    text
                    for item in _objects(document.get("accessibility"))
                    for text in (_text(item.get("description")), _text(item.get("details")))
                    if text
                ],
                transport=_text(document.get("transportation")),
            )
        )
    return places


def _address(location: dict[str, Any]) -> str:
    """The physical address on one line ('12 Market Street, Eastbridge, EB1 2AB')."""
    addresses = _objects(location.get("addresses"))
    physical = [a for a in addresses if a.get("address_type", "physical") == "physical"]
    for address in physical or addresses:
        parts = ("address_1", "address_2", "city", "postal_code")  # as the address column
        return ", ".join(text for part in parts if (text := _text(address.get(part))))
    return ""


def _phones(document: dict[str, Any]) -> list[Phone]:
    """The service's phones, then its contacts' (each number once)."""
    found: dict[str, Phone] = {}
    groups = [document.get("phones")] + [
        contact.get("phones") for contact in _objects(document.get("contacts"))
    ]
    for group in groups:
        for phone in _objects(group):
            number = _text(phone.get("number"))
            if number and number not in found:
                found[number] = Phone(number, _text(phone.get("description")))
    return list(found.values())


def _costs(document: dict[str, Any]) -> list[Cost]:
    costs = []
    for option in _objects(document.get("cost_options")):
        amount = option.get("amount")
        costs.append(
            Cost(
                option=_text(option.get("option")),
                amount=float(amount) if isinstance(amount, int | float) else None,
                currency=_text(option.get("currency")) or "GBP",
                description=_text(option.get("amount_description")),
            )
        )
    return costs


def _website(value: object) -> str:
    """Only a web address is a link: a document could hold javascript: or worse."""
    text = _text(value)
    return text if text.lower().startswith(("https://", "http://")) else ""


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _objects(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
