"""HSDS 3.0 documents in and out: validating, projecting into rows, nesting for the API.

A document is checked three ways before anything is stored: against the standard's compiled
schema (every error, each with its JSON path), for control characters (PostgreSQL refuses a
NUL, and a line break in a one-line field could end up in an e-mail header), and for what
our columns can hold. Then `project_service` reads what pages show, search finds and
filters select out of it: plain values, which the importer writes as rows.
"""

from __future__ import annotations

import functools
import json
import math
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema_rs

from passport import clock, taxonomy
from passport.directory.models import (
    PASSPORT_TAXONOMY_ID,
    Capacity,
    Delivery,
    Organisation,
    Service,
)
from passport.directory.words import clock_time

SCHEMAS = Path(__file__).resolve().parent / "standards" / "hsds-3.0"
ORGANIZATION = "organization"
SERVICE = "service"
SERVICE_LIST = "service_list"

# Fields whose text may run over several lines; in every other one a control character
# (a line break included) is refused, as check_text does for the columns made from them.
MULTI_LINE_FIELDS = frozenset(
    {
        "description",
        "eligibility_description",
        "application_process",
        "fees_description",
        "fees",
        "interpretation_services",
        "accreditations",
        "licenses",
        "alert",
        "notes",
        "amount_description",
        "transportation",
        "extent",
    }
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_RAW_CONTROL = re.compile("[\x7f-\x9f\u2028\u2029]")  # what JSON leaves unescaped
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_CLOCK = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])")
_WAIT = re.compile(r"(\d+(?:\.\d+)?)\s*(day|week|month|year)s?", re.IGNORECASE)
_MAX_AGE = 150


@dataclass(frozen=True)
class Problem:
    """Why a record cannot be imported: which record, where in it, and what is wrong."""

    record: str  # "service 5f1c…", "organization …" or "record 3" (no usable id)
    path: str  # a JSON path into the record, "$" for the whole of it
    message: str

    def __str__(self) -> str:
        return f"{self.record}: {self.path}: {self.message}"


@functools.cache
def validator(kind: str) -> Any:
    """The compiled schema's validator, built once (2-3.5 MB of schema: about 30 ms).

    Formats are asserted: ids must be UUIDs, dates dates, e-mail addresses addresses. A
    `uri` is not: publishers write websites as "www.example.org" and the standard's own
    examples do too; a website is shown as text, never followed.
    """
    schema = json.loads((SCHEMAS / f"schema_compiled_{kind}.json").read_text(encoding="utf-8"))
    return jsonschema_rs.Draft202012Validator(
        schema, validate_formats=True, formats={"uri": _any_text}
    )


def _any_text(value: str) -> bool:
    return True


def json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(part)):
            path += f".{part}"
        else:
            path += f"[{json.dumps(str(part), ensure_ascii=False)}]"
    return path


def schema_problems(kind: str, record: str, document: Any) -> list[Problem]:
    """Every way the document breaks the standard's schema."""
    problems = []
    try:
        errors = list(validator(kind).iter_errors(document))
    except ValueError as gave_up:  # the validator gives up (on a document nested too deep)
        return [Problem(record, "$", f"cannot be checked against the standard: {gave_up}")]
    for error in errors:
        parts = list(error.instance_path)
        if type(error.kind).__name__ == "Required":
            problems.append(Problem(record, json_path([*parts, error.kind.property]), "required"))
        else:
            problems.append(Problem(record, json_path(parts), _short(error.message)))
    return problems


def _short(message: str) -> str:
    """A schema message quotes the value: a huge or hostile value is cut, not echoed whole."""
    return message if len(message) <= 200 else message[:197] + "…"


def text_problems(record: str, document: Any) -> list[Problem]:
    """Control characters anywhere in the document (keys too): one line in every field but
    the multi-line ones, where a line break is allowed."""
    # Most documents hold none: the document as JSON (which escapes control characters
    # below U+0020 with a backslash) rules them out fast; a hit is looked for exactly.
    text = json.dumps(document, ensure_ascii=False)
    if "\\" not in text and not _RAW_CONTROL.search(text):
        return []
    problems = []
    for parts, key, text in _strings(document, ()):
        for match in _CONTROL.finditer(text):
            character = match.group()
            if character == "\n" and key in MULTI_LINE_FIELDS:
                continue
            advice = (
                "only line breaks are allowed in it"
                if key in MULTI_LINE_FIELDS
                else "it must be one line, with no tabs"
            )
            problems.append(
                Problem(
                    record,
                    json_path(parts),
                    f"holds a control character (U+{ord(character):04X}): {advice}",
                )
            )
            break
    return problems


def _strings(value: Any, parts: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    if isinstance(value, str):
        key = next((p for p in reversed(parts) if isinstance(p, str)), "")
        yield parts, key, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield parts, "", key
            yield from _strings(item, (*parts, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*parts, index))


def record_name(kind: str, document: Any, number: int) -> str:
    """How errors name a record: by its id when it has one, else by where it is in the file."""
    if isinstance(document, dict) and isinstance(document.get("id"), str):
        return f"{kind} {document['id'][:60]}"
    return f"record {number}"


# Projections -------------------------------------------------------------------------------


@dataclass
class LocationRow:
    id: uuid.UUID
    name: str
    location_type: str
    postcode: str
    latitude: float | None
    longitude: float | None
    document: dict[str, Any]


@dataclass
class TermRow:
    id: uuid.UUID
    taxonomy_id: uuid.UUID | None
    parent_id: uuid.UUID | None
    code: str
    name: str
    description: str
    document: dict[str, Any] | None  # None: named by id only (it must be known already)


@dataclass
class TaxonomyRow:
    id: uuid.UUID
    name: str
    description: str
    document: dict[str, Any]


@dataclass
class ServiceRows:
    """What a service's document says, as the columns and rows the directory queries."""

    columns: dict[str, Any]
    locations: list[LocationRow] = field(default_factory=list)
    # (service_at_location id, location id)
    service_at_locations: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    opening_times: list[tuple[int, int, int]] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)
    terms: list[TermRow] = field(default_factory=list)
    taxonomies: list[TaxonomyRow] = field(default_factory=list)
    categories: set[str] = field(default_factory=set)
    # (JSON path, message): what the document says that cannot be projected, and what was
    # projected without something it said (each shown as a warning)
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def service_document(document: dict[str, Any]) -> dict[str, Any]:
    """The service as kept: without its organization (that has its own row)."""
    return {key: value for key, value in document.items() if key != "organization"}


def organisation_only(document: dict[str, Any]) -> dict[str, Any]:
    """The organization as kept: without its services (they have their own rows)."""
    return {key: value for key, value in document.items() if key != "services"}


def project_organisation(document: dict[str, Any]) -> dict[str, Any]:
    phones = [p for p in document.get("phones") or [] if p.get("number")]
    return {
        "name": document["name"],
        "description": document.get("description") or "",
        "website": document.get("website") or "",
        "phone": phones[0]["number"] if phones else "",
    }


def organisation_email(document: dict[str, Any]) -> str:
    return str(document.get("email") or "")


def project_service(document: dict[str, Any], categories: CategoryMap | None = None) -> ServiceRows:
    """The columns and rows made from a (valid) service document; `categories` maps other
    taxonomies' terms to the passport's categories."""
    locations = []
    service_at_locations = []
    schedules = list(document.get("schedules") or [])
    phones = bool(document.get("phones")) or any(
        contact.get("phones") for contact in document.get("contacts") or []
    )
    warnings = []
    for index, link in enumerate(document.get("service_at_locations") or []):
        schedules += link.get("schedules") or []
        phones = phones or bool(link.get("phones"))
        location = link.get("location")
        location_id = (location or {}).get("id") or link.get("location_id")
        if location:
            row = _location_row(location)
            off = _off_earth(row)
            if off:
                row.latitude = row.longitude = None
                warnings.append((f"$.service_at_locations[{index}].location", off))
            locations.append(row)
        if location_id:
            service_at_locations.append((uuid.UUID(link["id"]), uuid.UUID(location_id)))
    delivery = Delivery(0)
    if phones:
        delivery |= Delivery.PHONE
    for location in locations:
        if location.location_type == "physical":
            delivery |= Delivery.IN_PERSON
        elif location.location_type == "virtual":
            delivery |= Delivery.ONLINE
    capacity, wait_weeks = _capacity(document)
    opening_times = _opening_times(schedules)
    rows = ServiceRows(
        columns={
            "name": document["name"],
            "description": document.get("description") or "",
            "area": _one_line(
                "; ".join(a["name"] for a in document.get("service_areas") or [] if a.get("name")),
                200,
            ),
            "address": _one_line(_address(locations), 500),
            "eligibility": document.get("eligibility_description") or "",
            "opening_hours": _one_line(_opening_hours(schedules), 300),
            "status": document.get("status") or "active",
            "modified_at": _datetime(document.get("last_modified")),
            "reviewed_on": _date(document.get("assured_date")),
            "capacity": capacity,
            "wait_weeks": wait_weeks,
            "free": _free(document),
            "delivery": int(delivery),
            "minimum_age": _age(document.get("minimum_age")),
            "maximum_age": _age(document.get("maximum_age")),
        },
        locations=locations,
        service_at_locations=service_at_locations,
        opening_times=opening_times,
        languages={
            str(language["code"]).strip().lower()
            for language in document.get("languages") or []
            if language.get("code")
        },
        warnings=warnings,
    )
    for index, attribute in enumerate(document.get("attributes") or []):
        _add_term(rows, attribute, f"$.attributes[{index}].taxonomy_term", categories)
    return rows


def size_problems(record: str, document: dict[str, Any], rows: ServiceRows | None) -> list[Problem]:
    """What the columns cannot hold: names too long, ages and coordinates out of range."""
    problems = []
    limits = {"name": 200, "email": 320, "website": 500, "status": 20}
    for key, limit in limits.items():
        value = document.get(key)
        if isinstance(value, str) and len(value) > limit:
            problems.append(Problem(record, f"$.{key}", f"longer than {limit} characters"))
    for key in ("minimum_age", "maximum_age"):
        value = document.get(key)
        if value is not None and _age(value) is None:
            problems.append(
                Problem(record, f"$.{key}", f"must be a whole number of years, 0 to {_MAX_AGE}")
            )
    problems += _date_problems(record, document)
    problems += _bulk_problems(record, document)
    phones = [p for p in document.get("phones") or [] if isinstance(p, dict)]
    if phones and len(str(phones[0].get("number", ""))) > 40:
        problems.append(Problem(record, "$.phones[0].number", "longer than 40 characters"))
    if rows is None:
        return problems
    for index, location in enumerate(rows.locations):
        where = f"$.service_at_locations[{index}].location"
        if len(location.name) > 300:
            problems.append(Problem(record, f"{where}.name", "longer than 300 characters"))
        if len(location.location_type) > 20:
            problems.append(Problem(record, f"{where}.location_type", "not a location type"))
    for code in rows.languages:
        if len(code) > 12:
            problems.append(Problem(record, "$.languages", f"{code[:20]!r} is not a language code"))
    for term in rows.terms:
        if len(term.code) > 200 or len(term.name) > 300:
            problems.append(
                Problem(record, "$.attributes", f"taxonomy term {term.id}: code or name too long")
            )
    problems += [Problem(record, path, message) for path, message in rows.problems]
    for taxonomy_row in rows.taxonomies:
        if len(taxonomy_row.name) > 200:
            problems.append(
                Problem(record, "$.attributes", f"taxonomy {taxonomy_row.id}: name too long")
            )
    return problems


def _date_problems(record: str, document: dict[str, Any]) -> list[Problem]:
    """A review date or last change that cannot be read, or is later than tomorrow: either
    would let a listing escape the check on when it was last reviewed."""
    problems = []
    tomorrow = clock.now() + timedelta(days=1)
    for key, read, kind in (
        ("assured_date", _date, "a date (YYYY-MM-DD)"),
        ("last_modified", _datetime, "a date and time"),
    ):
        value = document.get(key)
        if not isinstance(value, str):
            continue
        moment = read(value)
        if moment is None:
            shown = _short(json.dumps(value, ensure_ascii=False))
            problems.append(Problem(record, f"$.{key}", f"{shown} is not {kind}"))
            continue
        late = moment > tomorrow if isinstance(moment, datetime) else moment > tomorrow.date()
        if late:
            shown = _short(json.dumps(value, ensure_ascii=False))
            problems.append(Problem(record, f"$.{key}", f"{shown} is in the future"))
    return problems


# The longest text any one field may hold (a description, eligibility, fees...), and the
# largest record, as JSON: a publisher's mistake, or a file made to fill the directory.
TEXT_MAX = 20_000
RECORD_MAX = 1_000_000


def _bulk_problems(record: str, document: dict[str, Any]) -> list[Problem]:
    """Text longer than TEXT_MAX in any field, and a record larger than RECORD_MAX."""
    size = len(json.dumps(document, ensure_ascii=False))
    if size <= TEXT_MAX:
        return []  # no one field can be longer than the whole
    problems = [
        Problem(record, json_path(parts), f"longer than {TEXT_MAX:,} characters")
        for parts, key, text in _strings(document, ())
        if len(text) > TEXT_MAX
    ]
    if size > RECORD_MAX:
        problems.append(
            Problem(record, "$", f"is {size:,} characters as JSON: a record may be at most "
                    f"{RECORD_MAX:,}")
        )  # fmt: skip
    return problems


def _location_row(location: dict[str, Any]) -> LocationRow:
    addresses = location.get("addresses") or []
    physical = [a for a in addresses if a.get("address_type") == "physical"] or addresses
    postcode = normalise_postcode(str(physical[0].get("postal_code") or "")) if physical else ""
    return LocationRow(
        id=uuid.UUID(location["id"]),
        name=location.get("name") or "",
        location_type=location.get("location_type") or "physical",
        postcode=postcode or "",
        latitude=_float(location.get("latitude")),
        longitude=_float(location.get("longitude")),
        document=location,
    )


def _off_earth(location: LocationRow) -> str:
    """Why a location's coordinates are no place on Earth ("" when they are one). HSDS sets
    no bounds, and the standard's own example gives latitude 100: the location is kept, as
    published, without coordinates (it is left out of distance searches only)."""
    wrong = []
    if location.latitude is not None and not -90 <= location.latitude <= 90:
        wrong.append(f"latitude {location.latitude:g} (not from -90 to 90)")
    if location.longitude is not None and not -180 <= location.longitude <= 180:
        wrong.append(f"longitude {location.longitude:g} (not from -180 to 180)")
    if not wrong:
        return ""
    verb = "are" if len(wrong) > 1 else "is"
    return (
        f"{' and '.join(wrong)} {verb} not on Earth: the location is kept without coordinates,"
        " so distance searches leave it out"
    )


def normalise_postcode(text: str) -> str | None:
    """A UK postcode as the ONS writes it ("EB1 2AB"), or None if it is not one."""
    compact = re.sub(r"\s+", "", text).upper()
    match = _POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def _address(locations: list[LocationRow]) -> str:
    """The first physical location's address, on one line."""
    for location in locations:
        if location.location_type != "physical":
            continue
        for address in location.document.get("addresses") or []:
            postcode = str(address.get("postal_code") or "")
            parts = [
                *(address.get(key) or "" for key in ("address_1", "address_2", "city")),
                normalise_postcode(postcode) or postcode,
            ]
            return ", ".join(str(part).strip() for part in parts if str(part).strip())
    return ""


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _age(value: Any) -> int | None:
    number = _float(value)
    if number is None or not 0 <= number <= _MAX_AGE:
        return None
    return int(number)


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _free(document: dict[str, Any]) -> bool | None:
    """False when a cost option has an amount above 0; True when every one has an amount
    and it is 0; None when none is given or one is only words ("interest is charged")."""
    amounts = [_float(o.get("amount")) for o in document.get("cost_options") or []]
    if any(amount is not None and amount > 0 for amount in amounts):
        return False
    if not amounts or None in amounts:
        return None
    return True


def _capacity(document: dict[str, Any]) -> tuple[str, int | None]:
    """From HSDS 3.1 `capacities` (allowed beside the 3.0 fields) and 3.0's `wait_time`."""
    wait_weeks = _weeks(document.get("wait_time"))
    capacities = [c for c in document.get("capacities") or [] if isinstance(c, dict)]
    if not capacities:
        return Capacity.ACCEPTING, wait_weeks
    available = [_float(c.get("available")) for c in capacities]
    if any(number is not None and number > 0 for number in available):
        return Capacity.ACCEPTING, wait_weeks
    for capacity in capacities:
        said = _weeks(capacity.get("wait_time")) or _weeks(capacity.get("description"))
        wait_weeks = wait_weeks or said
        if said is not None or "wait" in str(capacity.get("description") or "").lower():
            return Capacity.WAITING_LIST, wait_weeks
    if wait_weeks is not None:
        return Capacity.WAITING_LIST, wait_weeks
    return Capacity.NOT_ACCEPTING, None


def _weeks(text: Any) -> int | None:
    """ "6 weeks", "10 days", "3 months" as whole weeks (rounded up)."""
    if not isinstance(text, str):
        return None
    match = _WAIT.search(text)
    if match is None:
        return None
    number = float(match.group(1))
    days = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}[match.group(2).lower()]
    weeks = math.ceil(number * days / 7)
    return weeks if 0 <= weeks <= 32767 else None


def _opening_times(schedules: list[dict[str, Any]]) -> list[tuple[int, int, int]]:
    """Weekly openings, (weekday, opens, closes) in wall-clock minutes in Europe/London.

    Only WEEKLY schedules with days and both times are openings; a time's UTC offset is
    dropped (publishers in the UK write 'Z' for their own clock). Past midnight splits in two;
    the same time for opening and closing means the whole day."""
    openings = set()
    for schedule in schedules:
        weekly = _weekly(schedule)
        if weekly is None:
            continue
        days, opens, closes = weekly
        for weekday in days:
            if closes == opens or (opens == 0 and closes == 1440):
                openings.add((weekday, 0, 1440))
            elif closes > opens:
                openings.add((weekday, opens, closes))
            else:
                openings.add((weekday, opens, 1440))
                if closes:
                    openings.add(((weekday + 1) % 7, 0, closes))
    return sorted(openings)


def _weekly(schedule: dict[str, Any]) -> tuple[list[int], int, int] | None:
    """A weekly schedule's days (Monday 0) and its opening and closing minutes."""
    if str(schedule.get("freq") or "").upper() != "WEEKLY":
        return None
    opens, closes = _minutes(schedule.get("opens_at")), _minutes(schedule.get("closes_at"))
    days = sorted(
        {
            _WEEKDAYS.index(day.strip()[-2:])
            for day in str(schedule.get("byday") or "").upper().split(",")
            if day.strip()[-2:] in _WEEKDAYS
        }
    )
    if opens is None or closes is None or not days:
        return None
    return days, opens, closes


def _minutes(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    match = _CLOCK.match(value.strip())
    if match is None:
        return None
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    return minutes if minutes <= 1440 else None


def _opening_hours(schedules: list[dict[str, Any]]) -> str:
    """A readable line: the schedules' own descriptions, else made from days and times."""
    described = [str(s["description"]) for s in schedules if s.get("description")]
    if described:
        return "; ".join(described)
    lines = []
    for schedule in schedules:
        weekly = _weekly(schedule)
        if weekly is None:
            continue
        days, opens, closes = weekly
        names = [_DAY_NAMES[day] for day in days]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        hours = (
            "24 hours"
            if opens % 1440 == closes % 1440
            else f"{clock_time(opens)} to {clock_time(closes)}"
        )
        lines.append(f"{listed}, {hours}")
    return "; ".join(lines)


def _add_term(
    rows: ServiceRows, attribute: dict[str, Any], where: str, categories: CategoryMap | None
) -> None:
    term = attribute.get("taxonomy_term")
    term_id = (term or {}).get("id") or attribute.get("taxonomy_term_id")
    if not term_id:
        return
    ours = PASSPORT_TERMS.get(shared_id(term_id))
    if ours is not None:
        _claim_category(rows, ours, term, where)
        return
    if categories is not None:
        mapped = categories.category(shared_id(term_id), term)
        if mapped:
            rows.categories.add(mapped)
    if not term:
        rows.terms.append(TermRow(shared_id(term_id), None, None, "", "", "", None))
        return
    detail = term.get("taxonomy_detail") or {}
    taxonomy_id = detail.get("id") or term.get("taxonomy_id")
    if taxonomy_id and shared_id(taxonomy_id) == PASSPORT_TAXONOMY_ID:
        rows.problems.append(
            (where, f"is not one of the passport's own categories, but names their taxonomy "
             f"({PASSPORT_TAXONOMY_ID}), which only the passport's terms are in")
        )  # fmt: skip
        return
    if detail.get("id") and detail.get("name"):
        rows.taxonomies.append(
            TaxonomyRow(
                shared_id(detail["id"]), detail["name"], detail.get("description") or "", detail
            )
        )
    rows.terms.append(
        TermRow(
            id=shared_id(term_id),
            taxonomy_id=shared_id(taxonomy_id) if taxonomy_id else None,
            parent_id=shared_id(term["parent_id"]) if term.get("parent_id") else None,
            code=str(term.get("code") or ""),
            name=str(term.get("name") or ""),
            description=str(term.get("description") or ""),
            document=term,
        )
    )


def _claim_category(rows: ServiceRows, code: str, term: dict[str, Any] | None, where: str) -> None:
    """A service in one of the passport's own categories. Their taxonomy and terms are the
    passport's, read-only to imports: the rows written are the passport's own, whatever the
    file says of them, and a file saying something else under their id is refused."""
    document = _passport_term(code)
    if term and (term.get("code") != code or term.get("name") != document["name"]):
        rows.problems.append(
            (where, f"reuses the id of the passport's category {code!r} "
             f"({document['name']!r}) with another code or name")
        )  # fmt: skip
        return
    detail = document["taxonomy_detail"]
    rows.taxonomies.append(
        TaxonomyRow(PASSPORT_TAXONOMY_ID, detail["name"], detail["description"], detail)
    )
    rows.terms.append(
        TermRow(
            id=passport_term_id(code),
            taxonomy_id=PASSPORT_TAXONOMY_ID,
            parent_id=None,
            code=code,
            name=document["name"],
            description=document["description"],
            document=document,
        )
    )
    rows.categories.add(code)


@dataclass(frozen=True)
class CategoryMap:
    """An operator's mapping from other taxonomies' terms to the passport's categories (a
    published feed never uses the passport's own taxonomy): by the term's id, or by its code
    within a taxonomy named by id or by name."""

    terms: dict[uuid.UUID, str] = field(default_factory=dict)
    # (taxonomy id as text, or name folded to lower case) -> {term code: category}
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def category(self, term_id: uuid.UUID, term: dict[str, Any] | None) -> str:
        found = self.terms.get(term_id)
        if found or not term or not self.codes:
            return found or ""
        detail = term.get("taxonomy_detail") or {}
        code = str(term.get("code") or "")
        for taxonomy_key in (
            detail.get("id") or term.get("taxonomy_id"),
            detail.get("name") or term.get("taxonomy"),
        ):
            if isinstance(taxonomy_key, str):
                found = self.codes.get(_taxonomy_key(taxonomy_key), {}).get(code, "")
                if found:
                    return found
        return ""


class CategoryMapError(ValueError):
    """A category mapping file that cannot be used: nothing was imported."""


def read_category_map(path: Path) -> CategoryMap:
    """A mapping file: {"terms": {term id: category}, "taxonomies": {taxonomy id or name:
    {term code: category}}}. CategoryMapError says what is wrong, and where."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CategoryMapError(f"{path.name} cannot be read as JSON: {error}") from None
    if not isinstance(raw, dict) or set(raw) - {"terms", "taxonomies"}:
        raise CategoryMapError(
            f'{path.name} must be a JSON object with "terms" and/or "taxonomies" and nothing else.'
        )
    known = ", ".join(category.code for category in taxonomy.CATEGORIES)

    def category(where: str, value: Any) -> str:
        if not isinstance(value, str) or not taxonomy.is_category(value):
            raise CategoryMapError(
                f"{path.name}: {where}: {json.dumps(value)[:60]} is not a category ({known})."
            )
        return value

    terms = {}
    for term_id, value in _object(path, raw, "terms").items():
        try:
            terms[uuid.UUID(term_id)] = category(f"terms.{term_id}", value)
        except ValueError as error:
            if isinstance(error, CategoryMapError):
                raise
            raise CategoryMapError(f"{path.name}: terms: {term_id!r} is not a UUID.") from None
    codes = {}
    for name, mapping in _object(path, raw, "taxonomies").items():
        if not isinstance(mapping, dict):
            raise CategoryMapError(f"{path.name}: taxonomies.{name}: must map term codes.")
        codes[_taxonomy_key(name)] = {
            str(code): category(f"taxonomies.{name}.{code}", value)
            for code, value in mapping.items()
        }
    return CategoryMap(terms, codes)


def _object(path: Path, raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise CategoryMapError(f"{path.name}: {key} must be a JSON object.")
    return value


def _taxonomy_key(text: str) -> str:
    """A taxonomy as a mapping names it: its id (any spelling of the UUID) or its name."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return " ".join(text.split()).casefold()


PASSPORT_TAXONOMY_NAME = "Needs Passport categories"
PASSPORT_TAXONOMY_DESCRIPTION = "The needs a resident records in their passport."


def passport_term_document(code: str) -> dict[str, Any]:
    """A passport category's term as the passport publishes it (in English, its source)."""
    category = taxonomy.BY_CODE[code]
    return {
        "id": str(passport_term_id(code)),
        "code": code,
        "name": _english(category.name),
        "description": _english(category.hint),
        "taxonomy": PASSPORT_TAXONOMY_NAME,
        "taxonomy_id": str(PASSPORT_TAXONOMY_ID),
        "taxonomy_detail": {
            "id": str(PASSPORT_TAXONOMY_ID),
            "name": PASSPORT_TAXONOMY_NAME,
            "description": PASSPORT_TAXONOMY_DESCRIPTION,
        },
    }


@functools.lru_cache(maxsize=64)
def _passport_term(code: str) -> dict[str, Any]:
    """passport_term_document, made once a process: a service claims a category or two, and
    making it each time (a UUID and the category's texts) cost 5% of a large import. Read
    only: the rows it goes into are written as JSON, never changed in place."""
    return passport_term_document(code)


def _english(text: Any) -> str:
    """A lazily translated string's source text (English), with no request or locale."""
    return str(text._args[0])


@functools.lru_cache(maxsize=4096)
def shared_id(text: str) -> uuid.UUID:
    """The id of something many services name (a taxonomy, a term), made once."""
    return uuid.UUID(text)


@functools.lru_cache(maxsize=64)
def passport_term_id(code: str) -> uuid.UUID:
    """The id of a passport category's term in the passport's own taxonomy."""
    return uuid.uuid5(PASSPORT_TAXONOMY_ID, code)


# The passport's own terms, by id: read-only to imports.
PASSPORT_TERMS = {
    passport_term_id(category.code): category.code for category in taxonomy.CATEGORIES
}


# Out ---------------------------------------------------------------------------------------


def organisation_document(organisation: Organisation) -> dict[str, Any]:
    """The HSDS organization as published, without its services."""
    return dict(organisation.document or {})


def nested_service(service: Service) -> dict[str, Any]:
    """The fully nested HSDS service (compiled/service.json), with its organization."""
    document = dict(service.document or {})
    document["organization"] = organisation_document(service.organisation)
    return document
