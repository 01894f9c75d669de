"""Postcodes without calling anyone: the ONS Postcode Directory's centroids, kept in the
database, so a search near a postcode asks no outside service where it is.

`normalise` writes a postcode as the ONS does in its `pcds` column ("EB1 2AB"); `lookup`
finds a known one; `import_csv` reads the ONS Postcode Directory (or the National
Statistics Postcode Lookup) CSV, or the demo town's small file in the same shape.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from passport.database import db
from passport.directory.models import Postcode

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "postcodes.csv"
REQUIRED = ("pcds", "lat", "long")
WARD = ("osward",)
LSOA = ("lsoa21", "lsoa11")  # the 2021 areas where the file has them
# The ONS gives postcodes it cannot place latitude 99.999999 and longitude 0.
NO_PLACE_FROM = 90.0
BATCH = 5_000
ERRORS_SHOWN = 20

# Outward code (area, district) and inward code (sector, unit), without the space.
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
_CODE = re.compile(r"[A-Z0-9]{0,12}")


def normalise(text: str) -> str | None:
    """A UK postcode as the ONS writes it ("EB1 2AB"), or None if it is not one.

    Any case and spacing is read: "eb12ab" and " EB1  2ab " are "EB1 2AB"."""
    compact = "".join(str(text).split()).upper()
    match = _POSTCODE.fullmatch(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def lookup(text: str) -> Postcode | None:
    """A known postcode's centroid and codes, however it is typed; None if unknown."""
    postcode = normalise(text)
    return db.session.get(Postcode, postcode) if postcode else None


def any_loaded() -> bool:
    """Whether any postcode centroids are loaded (an installation that has not imported the
    ONS Postcode Directory can search by words, not by distance)."""
    return db.session.scalar(select(Postcode.postcode).limit(1)) is not None


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Postcode)) or 0


class PostcodeFileError(ValueError):
    """A postcode file that cannot be imported: nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:ERRORS_SHOWN]
        more = len(problems) - len(shown)
        lines = [*shown, f"... and {more} more."] if more else shown
        super().__init__("\n".join(lines))


@dataclass
class Summary:
    read: int = 0
    imported: int = 0
    without_place: int = 0  # the ONS could not place them: left out
    problems: list[str] = field(default_factory=list)


def import_csv(path: Path, progress: Callable[[int], None] | None = None) -> Summary:
    """Add or update every postcode in an ONS Postcode Directory CSV, in one transaction.

    Required columns: pcds, lat, long; the ward (osward) and LSOA (lsoa21 or lsoa11) codes
    are kept when the file has them. A file with a bad row changes nothing: PostcodeFileError
    lists each (by line). `progress` is told how many characters were read."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        summary = Summary()
        rows = _read(stream, summary, progress)
        try:
            for batch in _batches(rows, BATCH):
                if not summary.problems:
                    _upsert(batch)
            if summary.problems:
                raise PostcodeFileError(summary.problems)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return summary


def _read(
    stream: IO[str], summary: Summary, progress: Callable[[int], None] | None
) -> Iterator[dict[str, Any]]:
    lines = _counted(stream, progress) if progress else stream
    reader = csv.DictReader(lines)
    columns = {name.strip().lower(): name for name in reader.fieldnames or ()}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        found = ", ".join(columns) or "none"
        raise PostcodeFileError(
            [
                f"The file has no {', '.join(missing)} column"
                f"{'s' if len(missing) > 1 else ''}: an ONS Postcode Directory CSV has pcds, "
                f"lat and long (and osward, lsoa21 or lsoa11). Columns found: {found}."
            ]
        )
    ward = next((columns[c] for c in WARD if c in columns), None)
    lsoa = next((columns[c] for c in LSOA if c in columns), None)
    seen: set[str] = set()
    for row in reader:
        summary.read += 1
        line = reader.line_num
        postcode = normalise(row.get(columns["pcds"]) or "")
        if postcode is None:
            summary.problems.append(f"Line {line}: {row.get(columns['pcds'])!r} is not a postcode.")
            continue
        if _unplaced(row.get(columns["lat"])):
            summary.without_place += 1
            continue
        place = _place(row.get(columns["lat"]), row.get(columns["long"]))
        if place is None:
            summary.problems.append(
                f"Line {line}: {postcode} has no latitude and longitude in range "
                f"(lat {row.get(columns['lat'])!r}, long {row.get(columns['long'])!r})."
            )
            continue
        codes = {"ward_code": _code(row, ward), "lsoa_code": _code(row, lsoa)}
        if None in codes.values():
            summary.problems.append(f"Line {line}: the ward or LSOA code of {postcode} is not one.")
            continue
        if postcode in seen:
            summary.problems.append(f"Line {line}: {postcode} is in the file twice.")
            continue
        seen.add(postcode)
        summary.imported += 1
        latitude, longitude = place
        yield {"postcode": postcode, "latitude": latitude, "longitude": longitude, **codes}


def _unplaced(lat: str | None) -> bool:
    """Whether the ONS says it cannot place the postcode (latitude 99.999999)."""
    try:
        return float(lat or "") >= NO_PLACE_FROM
    except ValueError:
        return False


def _place(lat: str | None, long: str | None) -> tuple[float, float] | None:
    """(latitude, longitude), or None if they are not numbers in range."""
    try:
        latitude, longitude = float(lat or ""), float(long or "")
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def _code(row: dict[str, str], column: str | None) -> str | None:
    value = (row.get(column) or "").strip().upper() if column else ""
    return value if _CODE.fullmatch(value) else None


def _counted(stream: IO[str], progress: Callable[[int], None]) -> Iterator[str]:
    for line in stream:
        progress(len(line))
        yield line


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _upsert(rows: list[dict[str, Any]]) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = sqlite.insert(Postcode) if dialect == "sqlite" else postgresql.insert(Postcode)
    statement = insert.on_conflict_do_update(
        index_elements=[Postcode.postcode],
        set_={
            name: getattr(insert.excluded, name)
            for name in ("latitude", "longitude", "ward_code", "lsoa_code")
        },
    )
    db.session.execute(statement, rows)
