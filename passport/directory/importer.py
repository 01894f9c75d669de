"""Importing an HSDS 3.0 file into the directory, and exporting the directory as one.

A file is one organization with its services, one service, a page of services as an API
returns it (`contents`), or a JSON array of any of these. Arrays and pages are read a record
at a time (ijson), so a file of 100,000 services is never held whole. Everything happens in
one transaction: a record that is refused leaves the directory as it was, unless the
caller asks to skip the invalid records.

Records are upserted by their HSDS id. A record whose document is the one stored changes
nothing; one whose document changed has its columns and rows projected again. Slugs are
made from the name on first import and never change after (links keep working).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast

import ijson
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Dialect, Table, bindparam, delete, insert, select, update
from sqlalchemy.sql.compiler import SQLCompiler

from passport import clock
from passport.database import db
from passport.directory import hsds, search
from passport.directory.hsds import Problem
from passport.directory.models import (
    Location,
    OpeningTime,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceLanguage,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)
from passport.directory.service import check_language
from passport.directory.words import slugify

DEMO = Path(__file__).resolve().parent.parent / "demo"
DEMO_FILE = DEMO / "directory.hsds.json"
DEMO_LOCAL = DEMO / "directory.local.json"
BATCH = 500  # services written at a time
SQLITE_CACHE_KIB = 64 * 1024  # at most; SQLite takes pages as it needs them
ANALYSE_FROM = 1000  # services added or changed that make an import refresh search's statistics
ORGANISATION_SLUG_MAX = 120
SERVICE_SLUG_MAX = 160


class SourceError(ValueError):
    """The file cannot be read as HSDS records at all: empty, not JSON, cut short."""


@dataclass(frozen=True)
class Local:
    """What the passport keeps beside a listing that HSDS has no field for, applied when the
    listing is first imported (the demo's slugs, and services that take no self-referral)."""

    slug: str = ""
    accepts_self_referral: bool = True
    language: str = "en"


@dataclass
class Summary:
    organisations_added: int = 0
    organisations_updated: int = 0
    organisations_unchanged: int = 0
    services_added: int = 0
    services_updated: int = 0
    services_unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # imported, with something left out
    located: int = 0  # locations written that have a postcode
    committed: bool = False
    days_moved: int = 0  # the demo's dates, moved on from the day its file was made

    @property
    def changed(self) -> bool:
        return bool(
            self.organisations_added
            + self.organisations_updated
            + self.services_added
            + self.services_updated
        )

    @property
    def records(self) -> int:
        """The organizations and services imported (added, updated or found unchanged)."""
        return (
            self.organisations_added
            + self.organisations_updated
            + self.organisations_unchanged
            + self.services_added
            + self.services_updated
            + self.services_unchanged
        )

    def lines(self) -> list[str]:
        return [
            f"Organisations: {self.organisations_added} added, "
            f"{self.organisations_updated} updated, {self.organisations_unchanged} unchanged.",
            f"Services: {self.services_added} added, {self.services_updated} updated, "
            f"{self.services_unchanged} unchanged.",
        ]


# Reading ------------------------------------------------------------------------------------


def read_values(
    path: Path, read: Callable[[int], None] | None = None, scan: list[_Counted] | None = None
) -> Iterator[Any]:
    """The file's top-level records, one at a time: the items of an array, the contents of a
    page, or the one object. SourceError for a file that is not JSON, is cut short, or nests
    deeper than MAX_DEPTH. `read` is told how many bytes were read (for a progress bar)."""
    with _open(path) as stream:
        if not stream.read(65536).strip():
            raise SourceError(f"{path.name} is empty: there is nothing to import.")
    shape = _shape(path)
    prefix = {"array": "item", "page": "contents.item", "object": ""}[shape]
    with _open(path) as stream:
        counted = _Counted(stream, read)
        if scan is not None:
            scan.append(counted)
        with _parse_errors(path):
            yield from ijson.items(counted, prefix, use_float=True)


# HSDS nests about 8 levels (a service, its locations, their addresses...); a file nesting
# far deeper is not HSDS, and building it would use memory without end (or Python's stack).
MAX_DEPTH = 32
_UTF8_BOM = b"\xef\xbb\xbf"


def _open(path: Path) -> IO[bytes]:
    """The file to read, after a UTF-8 byte order mark if it starts with one (as files saved
    by Excel and many Windows tools do)."""
    stream = path.open("rb")
    if stream.read(len(_UTF8_BOM)) != _UTF8_BOM:
        stream.seek(0)
    return stream


def _check_depth(path: Path, stream: IO[bytes], array: bool) -> None:
    """Read the whole file's basic events (no paths: a path for each event of a file nesting
    100,000 deep would fill the memory by itself), refusing it with a SourceError as soon as
    they nest past MAX_DEPTH: before the records are built. A loop in C's events costs a
    tenth of filtering the events on their way to ijson's builder."""
    depth = number = 0
    for kind, _ in ijson.basic_parse(stream, use_float=True):
        if kind == "start_map" or kind == "start_array":
            depth += 1
            if depth == 2:
                number += 1
            elif depth > MAX_DEPTH:
                where = f" in record {number}" if array else ""
                raise SourceError(
                    f"{path.name} nests deeper than {MAX_DEPTH} levels{where}: it is not an HSDS"
                    " file (the standard's records nest about 8). Nothing was imported."
                )
        elif kind == "end_map" or kind == "end_array":
            depth -= 1


class _Counted:
    """A binary file that tells how much of it has been read, and whether what has been read
    so far could hold a control character (escaped, as JSON writes those below U+0020, or as
    UTF-8): a file with none anywhere needs no record checked for them one by one."""

    def __init__(self, stream: IO[bytes], read: Callable[[int], None] | None) -> None:
        self.stream, self.told = stream, read
        self.suspect = False
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        if self.told is not None:
            self.told(len(data))
        if not self.suspect:
            scanned = self.tail + data
            self.suspect = any(pattern.search(scanned) for pattern in _CONTROL_IN_JSON)
            self.tail = data[-8:]
        return data


# Several searches, each with a fixed first byte, run five times faster than one alternation.
_CONTROL_IN_JSON = (
    re.compile(rb"\\(?:[bfnrt]|u00[0189][0-9a-fA-F]|u007[fF]|u202[89])"),
    re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"),
    re.compile(rb"\xc2[\x80-\x9f]"),
    re.compile(rb"\xe2\x80[\xa8\xa9]"),
)


def _shape(path: Path) -> str:
    """Whether the file is an array, a page (an object with `contents`) or one object; a
    SourceError if it is not JSON or nests deeper than MAX_DEPTH."""
    shape = "object"
    with _open(path) as stream, _parse_errors(path):
        for depth, (event, value) in _depths(ijson.basic_parse(stream, use_float=True)):
            if depth == 0 and event == "start_array":
                shape = "array"
                break
            if depth == 1 and event == "map_key" and value == "contents":
                shape = "page"
                break
            if depth == 0 and (event == "end_map" or event in _SCALARS):
                break
            if depth > MAX_DEPTH:
                break  # said by _check_depth
        stream.seek(0)
        if stream.read(len(_UTF8_BOM)) != _UTF8_BOM:
            stream.seek(0)
        _check_depth(path, stream, shape == "array")
    return shape


_SCALARS = frozenset({"string", "number", "boolean", "null"})  # a whole file of one value


def _depths(events: Iterator[tuple[str, Any]]) -> Iterator[tuple[int, tuple[str, Any]]]:
    """Each basic event with the depth it is at (a container's start at its parent's)."""
    depth = 0
    for event in events:
        kind = event[0]
        if kind == "end_map" or kind == "end_array":
            depth -= 1
        yield depth, event
        if kind == "start_map" or kind == "start_array":
            depth += 1


@contextlib.contextmanager
def _parse_errors(path: Path) -> Iterator[None]:
    """ijson's errors, and a number it cannot convert, as a SourceError naming the file."""
    try:
        yield
    except ijson.JSONError as error:
        raise _source_error(path, error) from None
    except SourceError:
        raise
    except ValueError as error:  # a number ijson cannot convert
        raise _source_error(path, error) from None


def _source_error(path: Path, error: Exception) -> SourceError:
    """Where the file stops being JSON, as a line and column (read again, only on error), in
    plain words rather than the parser's."""
    try:
        json.loads(path.read_text(encoding="utf-8-sig"), parse_constant=_no_constant)
    except UnicodeDecodeError as decode:
        return SourceError(f"{path.name} is not UTF-8 text (byte {decode.start + 1}).")
    except json.JSONDecodeError as parse:
        ending = "the file ends too soon" if parse.pos >= len(parse.doc.rstrip()) else parse.msg
        return SourceError(
            f"{path.name} is not valid JSON at line {parse.lineno}, column {parse.colno}: "
            f"{ending}. Nothing was imported."
        )
    except RecursionError:
        return SourceError(
            f"{path.name} nests too deeply to be an HSDS file. Nothing was imported."
        )
    except ValueError as constant:
        return SourceError(
            f"{path.name} is not valid JSON: {_plain(constant)}. Nothing was imported."
        )
    return SourceError(f"{path.name} is not valid JSON: {_plain(error)}. Nothing was imported.")


def _plain(error: Exception) -> str:
    """A parser's message in plain words: Python's own advice (about its settings) left out."""
    text = str(error).strip()
    digits = re.search(r"value has (\d+) digits", text)
    if "integer string conversion" in text:
        many = f"{int(digits.group(1)):,}" if digits else "thousands of"
        return f"it holds a number with {many} digits, far too long to be a value in HSDS"
    return text.splitlines()[0] if text else "unreadable"


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


# One record -------------------------------------------------------------------------------


@dataclass
class _ServiceIn:
    id: uuid.UUID
    document: dict[str, Any]  # as kept: no organization
    organisation_id: uuid.UUID
    record: str
    rows: hsds.ServiceRows
    email: str


class _Run:
    """One import: what has been seen, what is waiting to be written, what was refused."""

    def __init__(
        self,
        skip_invalid: bool,
        local: Mapping[uuid.UUID, Local],
        categories: hsds.CategoryMap | None = None,
    ) -> None:
        self.skip_invalid = skip_invalid
        self.categories = categories
        self.local = local
        self.summary = Summary()
        self.number = 0
        self.service_ids: dict[uuid.UUID, str] = {}  # id -> the record that had it first
        self.organisations: dict[uuid.UUID, str] = {}  # id -> fingerprint of the document
        self.refused_organisations: set[uuid.UUID] = set()
        self.pending: list[_ServiceIn] = []
        self.waiting: list[_ServiceIn] = []  # for an organization later in the file
        self.org_slugs = set(db.session.scalars(select(Organisation.slug)))
        self.service_slugs = set(db.session.scalars(select(Service.slug)))
        self.known_organisations: set[uuid.UUID] = set(db.session.scalars(select(Organisation.id)))
        self.scan: list[_Counted] = []  # the file as read
        # Taxonomies and terms written (or found unchanged) in this import.
        self.shared: dict[uuid.UUID, Any] = {}

    def text_problems(self, record: str, document: dict[str, Any]) -> list[Problem]:
        if self.scan and not self.scan[0].suspect:
            return []  # nothing read so far could hold a control character
        return hsds.text_problems(record, document)

    # -- reading records

    def take(self, value: Any) -> None:
        self.number += 1
        if not isinstance(value, dict):
            self.refuse(
                Problem(
                    f"record {self.number}", "$", "must be an object (an organization or a service)"
                )
            )
            return
        if "contents" in value and isinstance(value["contents"], list):
            for item in value["contents"]:
                self.take(item)
            return
        if _is_service(value):
            self.take_service(value, None)
        else:
            self.take_organisation(value)

    def take_organisation(self, document: dict[str, Any]) -> None:
        record = hsds.record_name("organization", document, self.number)
        kept = hsds.organisation_only(document)
        problems = hsds.schema_problems(hsds.ORGANIZATION, record, kept)
        problems += self.text_problems(record, kept)
        services = document.get("services")
        if services is not None and not isinstance(services, list):
            problems.append(Problem(record, "$.services", "must be an array of services"))
            services = []
        if not problems:
            problems += hsds.size_problems(record, kept, None)
        organisation_id = _id(kept)
        email = hsds.organisation_email(kept) or next(
            (str(s.get("email")) for s in services or [] if isinstance(s, dict) and s.get("email")),
            "",
        )
        if not problems and organisation_id is not None:
            problems += self.organisation(kept, organisation_id, record, email)
        if problems:
            self.refuse(*problems)
            if organisation_id is not None:
                self.refused_organisations.add(organisation_id)
        for index, service in enumerate(services or []):
            if not isinstance(service, dict):
                self.refuse(Problem(record, f"$.services[{index}]", "must be an object"))
                continue
            given = service.get("organization_id")
            if given is not None and organisation_id is not None and given != str(organisation_id):
                self.refuse(
                    Problem(
                        hsds.record_name("service", service, self.number),
                        "$.organization_id",
                        f"is not the id of the organization it is listed under ({organisation_id})",
                    )
                )
                continue
            self.take_service(service, organisation_id if not problems else None, nested=True)

    def take_service(
        self, document: dict[str, Any], parent: uuid.UUID | None, nested: bool = False
    ) -> None:
        record = hsds.record_name("service", document, self.number)
        problems = hsds.schema_problems(hsds.SERVICE, record, document)
        problems += self.text_problems(record, document)
        service_id = _id(document)
        if service_id is not None and service_id in self.service_ids:
            problems.append(
                Problem(record, "$.id", f"appears again (first in {self.service_ids[service_id]})")
            )
        elif service_id is not None:
            self.service_ids[service_id] = f"record {self.number}"
        organisation = document.get("organization")
        if nested and parent is None:
            problems.append(Problem(record, "$", "not imported: its organization was refused"))
        rows = None
        if not problems:
            rows = hsds.project_service(document, self.categories)
            problems += hsds.size_problems(record, document, rows)
        organisation_id = parent
        email = str(document.get("email") or "")
        if not problems and isinstance(organisation, dict):
            organisation_record = hsds.record_name("organization", organisation, self.number)
            organisation_id = _id(organisation)
            if organisation_id is not None:
                problems += self.organisation(
                    organisation,
                    organisation_id,
                    organisation_record,
                    hsds.organisation_email(organisation) or email,
                )
        elif not problems and parent is None:
            given = document.get("organization_id")
            organisation_id = uuid.UUID(given) if isinstance(given, str) else None
            if organisation_id is None:
                problems.append(
                    Problem(
                        record, "$.organization_id", "required: a nested organization or its id"
                    )
                )
        if problems or rows is None or organisation_id is None or service_id is None:
            self.refuse(*problems)
            return
        self.summary.warnings += [Problem(record, path, text) for path, text in rows.warnings]
        service = _ServiceIn(
            service_id, hsds.service_document(document), organisation_id, record, rows, email
        )
        if organisation_id in self.known_organisations:
            self.pending.append(service)
            if len(self.pending) >= BATCH:
                self.flush()
        else:
            self.waiting.append(service)

    def organisation(
        self, document: dict[str, Any], organisation_id: uuid.UUID, record: str, email: str
    ) -> list[Problem]:
        """Upsert an organization met in the file (once: the same id must say the same)."""
        fingerprint = hashlib.sha256(
            json.dumps(document, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        seen = self.organisations.get(organisation_id)
        if seen is not None:
            if seen != fingerprint:
                return [Problem(record, "$", "appears again in the file with different contents")]
            return []
        problems = hsds.schema_problems(hsds.ORGANIZATION, record, document)
        problems += self.text_problems(record, document) + hsds.size_problems(
            record, document, None
        )
        if problems:
            return problems
        self.organisations[organisation_id] = fingerprint
        return _upsert_organisation(self, organisation_id, record, document, email)

    def refuse(self, *problems: Problem) -> None:
        self.summary.problems.extend(problems)

    # -- writing

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if batch:
            _write_services(self, batch)

    def finish(self) -> None:
        for service in self.waiting:
            if service.organisation_id in self.known_organisations:
                self.pending.append(service)
            elif service.organisation_id not in self.refused_organisations:
                self.refuse(
                    Problem(
                        service.record,
                        "$.organization_id",
                        f"organization {service.organisation_id} is neither in the directory "
                        "nor in this file",
                    )
                )
        self.waiting = []
        self.flush()


def _is_service(value: dict[str, Any]) -> bool:
    """A service has a status (required) or names its organization; an organization neither."""
    return "services" not in value and any(
        key in value for key in ("status", "organization", "organization_id")
    )


def _id(document: dict[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(document.get("id")))
    except ValueError:
        return None


def _upsert_organisation(
    run: _Run, organisation_id: uuid.UUID, record: str, document: dict[str, Any], email: str
) -> list[Problem]:
    columns = hsds.project_organisation(document)
    table = cast(Table, Organisation.__table__)
    connection = db.session.connection()
    existing = connection.execute(
        select(table.c.document).where(table.c.id == bindparam("b_id")), {"b_id": organisation_id}
    ).first()
    if existing is not None:
        if existing.document == document:
            run.summary.organisations_unchanged += 1
            return []
        connection.execute(
            update(table).where(table.c.id == bindparam("b_id")),
            [{"b_id": organisation_id, "document": document, "modified_at": _modified(document),
              **columns}],
        )  # fmt: skip
        run.summary.organisations_updated += 1
        return []
    # Referrals and access codes go to referral_email: an organisation with nowhere to send
    # them is refused rather than listed with an address that bounces.
    try:
        referral_email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        return [
            Problem(
                record,
                "$.email",
                "a new organization needs an e-mail address (its own, or one of its services')"
                " for referrals",
            )
        ]
    local = run.local.get(organisation_id, Local())
    slug = _unique(local.slug or slugify(columns["name"]), run.org_slugs, ORGANISATION_SLUG_MAX)
    _insert(
        Organisation,
        [
            {
                "id": organisation_id,
                "slug": slug,
                "referral_email": referral_email,
                "language": local.language,
                "created_at": clock.now(),
                "document": document,
                "modified_at": _modified(document),
                **columns,
            }
        ],
    )
    run.known_organisations.add(organisation_id)
    run.summary.organisations_added += 1
    return []


def _modified(document: dict[str, Any]) -> Any:
    return hsds._datetime(document.get("last_modified"))


def _unique(slug: str, taken: set[str], limit: int) -> str:
    """The slug, or with -2, -3… when it is taken; remembered as taken."""
    base = slug[: limit - 8] or "listing"
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def _write_services(run: _Run, batch: list[_ServiceIn]) -> None:
    ids = [s.id for s in batch]
    stored = {
        row.id: row.document
        for row in db.session.execute(
            select(Service.id, Service.document).where(Service.id.in_(ids))
        )
    }
    added, changed, same = [], [], []
    for service in batch:
        service_id = service.id
        if service_id not in stored:
            added.append(service)
        elif stored[service_id] != service.document:
            changed.append(service)
        else:
            same.append(service)
    # The same document may now be in other categories (the category map changed).
    held: dict[uuid.UUID, set[str]] = {s.id: set() for s in same}
    if same:
        for row in db.session.execute(
            select(ServiceCategory.service_id, ServiceCategory.category).where(
                ServiceCategory.service_id.in_(list(held))
            )
        ):
            held[row.service_id].add(row.category)
    for service in same:
        if held[service.id] != service.rows.categories:
            changed.append(service)
        else:
            run.summary.services_unchanged += 1
    if not added and not changed:
        return
    _write_shared_rows(run, added + changed)
    now = clock.now()
    if added:
        rows = []
        for service in added:
            service_id = service.id
            local = run.local.get(service_id, Local())
            slug = local.slug or slugify(service.rows.columns["name"])
            rows.append(
                {
                    "id": service_id,
                    "organisation_id": service.organisation_id,
                    "slug": _unique(slug, run.service_slugs, SERVICE_SLUG_MAX),
                    "accepts_self_referral": local.accepts_self_referral,
                    "created_at": now,
                    "document": service.document,
                    **service.rows.columns,
                }
            )
        _insert(Service, rows)
        run.summary.services_added += len(added)
    if changed:
        changed_ids = [s.id for s in changed]
        for model in (
            OpeningTime,
            ServiceLanguage,
            ServiceTerm,
            ServiceAtLocation,
            ServiceCategory,
        ):
            db.session.execute(delete(model).where(model.service_id.in_(changed_ids)))
        table = cast(Table, Service.__table__)
        db.session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            # A changed listing's words: an organisation's pending change is now a conflict.
            .values(listing_version=table.c.listing_version + 1),
            [
                {
                    "b_id": s.id,
                    "organisation_id": s.organisation_id,
                    "document": s.document,
                    **s.rows.columns,
                }
                for s in changed
            ],
        )
        run.summary.services_updated += len(changed)
    _write_service_rows(added + changed)
    search.index_services([s.id for s in added + changed])


def _write_shared_rows(run: _Run, services: list[_ServiceIn]) -> None:
    """Locations, taxonomies and terms, which services share: inserted when new, updated
    when their document changed. Taxonomies and terms, few and named by many services, are
    looked at once an import (unless they change)."""

    def fresh(row: Any) -> bool:
        if run.shared.get(row.id) == row.document:
            return False
        run.shared[row.id] = row.document
        return True

    # Locations are many (one or more a service): looked up each time, not kept in memory.
    locations = {row.id: row for s in services for row in s.rows.locations}
    run.summary.located += sum(1 for row in locations.values() if row.postcode)
    taxonomies = {row.id: row for s in services for row in s.rows.taxonomies if fresh(row)}
    terms = {
        row.id: row
        for s in services
        for row in s.rows.terms
        if row.document is not None and fresh(row)
    }
    _upsert(
        Taxonomy,
        {
            row.id: {"name": row.name, "description": row.description, "document": row.document}
            for row in taxonomies.values()
        },
    )
    _upsert(
        TaxonomyTerm,
        {
            row.id: {
                "taxonomy_id": row.taxonomy_id
                if row.taxonomy_id in taxonomies or _known(Taxonomy, row.taxonomy_id)
                else None,
                "parent_id": row.parent_id,
                "code": row.code,
                "name": row.name,
                "description": row.description,
                "document": row.document,
            }
            for row in terms.values()
        },
    )
    _upsert(
        Location,
        {
            row.id: {
                "name": row.name,
                "location_type": row.location_type,
                "postcode": row.postcode,
                "latitude": row.latitude,
                "longitude": row.longitude,
                "document": row.document,
            }
            for row in locations.values()
        },
    )


def _known(model: type[Taxonomy], row_id: uuid.UUID | None) -> bool:
    if row_id is None:
        return False
    return db.session.get(model, row_id) is not None


def _upsert(model: Any, rows: dict[uuid.UUID, dict[str, Any]]) -> None:
    if not rows:
        return
    stored = {
        row.id: row.document
        for row in db.session.execute(
            select(model.id, model.document).where(model.id.in_(list(rows)))
        )
    }
    new = [{"id": row_id, **values} for row_id, values in rows.items() if row_id not in stored]
    changed = [
        {"b_id": row_id, **values}
        for row_id, values in rows.items()
        if row_id in stored and stored[row_id] != values["document"]
    ]
    if new:
        _insert(model, new)
    if changed:
        table = cast(Table, model.__table__)
        db.session.connection().execute(
            update(table).where(table.c.id == bindparam("b_id")), changed
        )


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Many rows (each with the same keys) in one executemany, straight to the driver: each
    value goes through its column type's own conversion (UUIDs, JSON, dates), but not
    through SQLAlchemy's per-row parameter handling, which costs more than the insert itself
    (measured: 7 µs a row against 3). A million rows come from 100,000 services."""
    table = cast(Table, model.__table__)
    connection = db.session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    convert, compiled = _insert_statement(table, tuple(keys), dialect)
    order = list(compiled.positiontup or ()) if compiled.positional else keys
    values = [[_bound(convert[key], row[key]) for key in order] for row in rows]
    params: list[Any] = (
        [tuple(value) for value in values]
        if compiled.positional
        else [dict(zip(order, value, strict=True)) for value in values]
    )
    connection.exec_driver_sql(compiled.string, params)


@functools.lru_cache(maxsize=64)
def _insert_statement(
    table: Table, keys: tuple[str, ...], dialect: Dialect
) -> tuple[dict[str, Callable[[Any], Any] | None], SQLCompiler]:
    """An INSERT of these columns, compiled once, with each column's conversion by the
    dialect's own type (SQLite's DATETIME writes its text form; the generic type would hand
    the driver a datetime, stored in another form that compares wrongly)."""
    convert: dict[str, Callable[[Any], Any] | None] = {
        key: table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys
    }
    return convert, insert(table).compile(dialect=dialect, column_keys=list(keys))


def _bound(convert: Callable[[Any], Any] | None, value: Any) -> Any:
    return value if convert is None or value is None else convert(value)


def _write_service_rows(services: list[_ServiceIn]) -> None:
    """The rows each service's document projects into (after the old ones were deleted)."""
    referenced = {
        location_id for s in services for _, location_id in s.rows.service_at_locations
    } | {row.id for s in services for row in s.rows.terms}
    known = set(db.session.scalars(select(Location.id).where(Location.id.in_(referenced))))
    known |= set(db.session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.id.in_(referenced))))
    opening, languages, terms, links, categories = [], [], [], [], []
    for service in services:
        service_id = service.id
        rows = service.rows
        opening += [
            {"service_id": service_id, "weekday": d, "opens": o, "closes": c}
            for d, o, c in rows.opening_times
        ]
        languages += [{"service_id": service_id, "code": code} for code in sorted(rows.languages)]
        terms += [
            {"service_id": service_id, "taxonomy_term_id": term_id}
            for term_id in sorted({t.id for t in rows.terms if t.id in known})
        ]
        links += [
            {"id": link_id, "service_id": service_id, "location_id": location_id}
            for link_id, location_id in dict(rows.service_at_locations).items()
            if location_id in known
        ]
        categories += [{"service_id": service_id, "category": c} for c in sorted(rows.categories)]
    for model, values in (
        (OpeningTime, opening),
        (ServiceLanguage, languages),
        (ServiceTerm, terms),
        (ServiceCategory, categories),
    ):
        if values:
            _insert(model, values)
    if links:
        # A service_at_location id is the publisher's: one that moved to this service from
        # another is taken over, not doubled.
        link_ids = [link["id"] for link in links]
        db.session.execute(delete(ServiceAtLocation).where(ServiceAtLocation.id.in_(link_ids)))
        _insert(ServiceAtLocation, links)


# The whole import ---------------------------------------------------------------------------


def import_file(
    path: Path,
    *,
    skip_invalid: bool = False,
    local: Mapping[uuid.UUID, Local] | None = None,
    read: Callable[[int], None] | None = None,
    categories: hsds.CategoryMap | None = None,
) -> Summary:
    """Import every record of the file in one transaction; committed only if none was
    refused, or if `skip_invalid` (then the refused ones are listed and left out).
    SourceError when the file cannot be read at all (nothing changed). `read` is told how
    many bytes of the file have been read, for a progress bar. `categories` maps other
    taxonomies' terms to the passport's categories."""
    run = _Run(skip_invalid, local or {}, categories)
    try:
        with _large_cache():
            for value in read_values(path, read, run.scan):
                run.take(value)
            run.finish()
    except BaseException:
        db.session.rollback()
        raise
    summary = run.summary
    if summary.problems and not skip_invalid:
        db.session.rollback()
        return summary
    db.session.commit()
    summary.committed = True
    if summary.services_added + summary.services_updated >= ANALYSE_FROM:
        search.analyse()  # the planner's statistics, for the directory's new size
    return summary


@contextlib.contextmanager
def _large_cache() -> Iterator[None]:
    """On SQLite, a page cache big enough for one transaction of a large file: with the
    default (2 MB) the pages of the growing indexes are spilled and read back again and again
    (measured: 30,000 services took 53 s, 19 s of it working)."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


# The demo -----------------------------------------------------------------------------------


def load_demo(path: Path | None = None, local_path: Path | None = None) -> Summary:
    """Load the fictional Eastbridge directory through the importer (safe to run again).

    The file's review dates (`assured_date`) and last changes are as of the day it was made
    (`made_on` in the local file): they move on by the days since, so the demo keeps its mix
    of recent, stale and hidden listings however long after it is loaded. The same day
    changes nothing; a later day updates the listings (`Summary.days_moved` says by how much).

    The first demo gave its rows random ids, and referrals and share grants name them sealed
    under each resident's key (ADR 0001, 0018), so they cannot change: the file's listings
    take the ids of the rows with the same slug that it made (or that an earlier load kept),
    and an installation that loaded it ends up with each listing once, referrals and shares
    still naming them."""
    local_file = local_path or DEMO_LOCAL
    local = read_local(local_file)
    text = (path or DEMO_FILE).read_text(encoding="utf-8")
    records = json.loads(text)
    kept = _existing_ids(local, records)
    if kept:
        # The ids are UUIDs: replaced as text, they change nothing else in the documents.
        for file_id, existing_id in kept.items():
            text = text.replace(str(file_id), str(existing_id))
        records = json.loads(text)
        local = {kept.get(listing_id, listing_id): value for listing_id, value in local.items()}
    made_on = json.loads(local_file.read_text(encoding="utf-8")).get("made_on")
    days = (clock.now().date() - date.fromisoformat(made_on)).days if made_on else 0
    _move_dates(records, timedelta(days=days))
    with tempfile.TemporaryDirectory() as folder:
        moved = Path(folder) / (path or DEMO_FILE).name
        moved.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        summary = import_file(moved, local=local)
    summary.days_moved = days
    return summary


# The demo's dates that move on with the day it is loaded.
_MOVING_DATES = ("assured_date", "last_modified")


def _move_dates(value: Any, by: timedelta) -> None:
    """Every assured_date (a date) and last_modified (a time) in the records, moved by `by`."""
    if isinstance(value, list):
        for item in value:
            _move_dates(item, by)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        if key in _MOVING_DATES and isinstance(item, str) and by:
            if len(item) == len("2026-01-01"):
                value[key] = (date.fromisoformat(item) + by).isoformat()
            else:
                moved = datetime.fromisoformat(item.replace("Z", "+00:00")) + by
                value[key] = moved.isoformat().replace("+00:00", "Z")
        else:
            _move_dates(item, by)


def read_local(path: Path) -> dict[uuid.UUID, Local]:
    """The passport's own settings for listings, by id: {"organisations": {id: {...}},
    "services": {id: {...}}} with `slug`, `accepts_self_referral`, `language`."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    local = {}
    for kind in ("organisations", "services"):
        for listing_id, settings in raw.get(kind, {}).items():
            check_language(
                f"{kind[:-1]} {settings.get('slug', listing_id)!r}", settings.get("language", "en")
            )
            local[uuid.UUID(listing_id)] = Local(**settings)
    return local


# The keys of the minimal documents that migration 0008 wrote for rows made before it.
_FIRST_DEMO_KEYS = {
    Organisation: {"id", "name", "description", "website", "email"},
    Service: {"id", "organization_id", "name", "description", "status", "eligibility_description"},
}


def _existing_ids(
    local: Mapping[uuid.UUID, Local], records: list[dict[str, Any]]
) -> dict[uuid.UUID, uuid.UUID]:
    """The file's id -> the id of the row already holding that listing under another id: same
    slug, no row with the file's id, and either the minimal document migration 0008 gave the
    first demo's rows or the same name (a row an earlier load kept)."""
    names = {
        uuid.UUID(document["id"]): document.get("name")
        for record in records
        for document in [record, *record.get("services", [])]
    }
    slugs = {settings.slug: listing_id for listing_id, settings in local.items() if settings.slug}
    kept: dict[uuid.UUID, uuid.UUID] = {}
    for model in (Organisation, Service):
        rows = db.session.execute(
            select(model.id, model.slug, model.document).where(model.slug.in_(list(slugs)))
        ).all()
        taken = set(db.session.scalars(select(model.id).where(model.id.in_(list(slugs.values())))))
        for row in rows:
            file_id = slugs[row.slug]
            document = row.document or {}
            first_demo = set(document) <= _FIRST_DEMO_KEYS[model]
            same = first_demo or document.get("name") == names.get(file_id)
            if row.id != file_id and file_id not in taken and same:
                kept[file_id] = row.id
    return kept


# Out ----------------------------------------------------------------------------------------


def export(stream: IO[str]) -> int:
    """Write the whole directory as HSDS 3.0: a JSON array of organizations, each with its
    services nested, documents as stored, in order of id. Returns the number of services."""
    stream.write("[")
    count = 0
    first = True
    organisations = db.session.scalars(
        select(Organisation).order_by(Organisation.id).execution_options(yield_per=200)
    )
    for organisation in organisations:
        services = db.session.scalars(
            select(Service.document)
            .where(Service.organisation_id == organisation.id)
            .order_by(Service.id)
        ).all()
        document = hsds.organisation_document(organisation)
        document["services"] = [dict(s or {}) for s in services]
        stream.write("\n" if first else ",\n")
        stream.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
        first = False
        count += len(services)
    stream.write("\n]\n")
    return count


def export_text() -> str:
    buffer = io.StringIO()
    export(buffer)
    return buffer.getvalue()
