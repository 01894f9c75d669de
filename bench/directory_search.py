"""Directory search at size: p50 and p95 of `search.find` for typical queries on 10,000 and
100,000 services, on SQLite and on PostgreSQL in the same run, and the 100k/10k ratios.

For each size it writes one HSDS 3.0 file of plausible services (names and descriptions of
realistic lengths from the passport's eight needs, 300 taxonomy terms, the passport's own
categories, 80 towns over a region of about 110 by 110 km with 25 postcodes each, weekly
opening times, languages, cost, capacity) and a postcode CSV for the region. Each engine
gets its own database (a temporary SQLite file; a temporary PostgreSQL database, dropped at
the end), migrated with `passport db upgrade` and filled with `passport directory import`
and `passport directory postcodes import` (subprocesses, the commands a person runs; the
import is timed). Then the queries run in this process through `search.find`, as the search
page and the API call it, at a fixed clock (a Wednesday at 11:00 in London), each REPEAT
times after one warm-up: one word, two words, a typo, category + distance, open now +
language, and one or two letters typed live.

    .venv/bin/python bench/directory_search.py              # 10,000 and 100,000 services
    .venv/bin/python bench/directory_search.py 2000 20000   # other sizes (small, large)
    .venv/bin/python bench/directory_search.py --reuse /tmp/bench-search --engine sqlite 100000

--reuse DIR keeps the files and databases in DIR (PostgreSQL: a database named
passport_bench_search_<size>) and uses them again when they are there, so a change to the
search can be measured in seconds rather than a quarter of an hour of imports (the import is
then not timed). --engine runs one engine only.

It ends with one line in exactly this form, so that runs can be compared:
directory search p95 at 100k: sqlite X ms, postgresql Y ms; 100k/10k: sqlite A, postgresql B
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from common import ROOT, database, environment, percentile

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REPEAT = 15
SERVICES_PER_ORGANISATION = 20
TOWNS = 80
POSTCODES_PER_TOWN = 25
REGION = (52.0, 53.0, 0.6, 2.2)  # south, north, west, east: about 110 by 110 km
WEDNESDAY_11AM = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)


def words(text: str) -> list[str]:
    return text.split()


TOPICS = {
    "money": words(
        "debt benefits budgeting arrears bills energy loans bailiffs pension grants credit tax"
    ),
    "housing": words(
        "housing tenancy eviction homelessness repairs rent landlord accommodation damp deposit"
    ),
    "food": words("food meals pantry groceries cooking lunch breakfast parcels nutrition"),
    "loneliness": words(
        "befriending friendship social company lonely isolation conversation companionship"
    ),
    "caring": words("carers respite dementia disability care caring sitting breaks"),
    "mental_wellbeing": words(
        "counselling anxiety stress wellbeing therapy mindfulness depression bereavement listening"
    ),
    "employment": words(
        "employment jobs training interview skills volunteering apprenticeship "
        "careers qualifications"
    ),
    "domestic_abuse": words(
        "abuse refuge safety advocacy helpline protection recovery confidential"
    ),
}
KINDS = words(
    "advice service drop-in group club project helpline support clinic hub network line "
    "centre course scheme partnership"
)
COMMON = words(
    "we offer free friendly confidential local people help support anyone who needs our team "
    "can you your family children young older adults community volunteers trained staff "
    "appointment phone online visit home week month day morning afternoon evening talk "
    "listen practical information advice about getting back on track with time space safe "
    "welcoming relaxed open everyone living area town village county nearby together learn "
    "share experience plan next steps find out more referral self agencies professionals "
    "partners charity council health services work well feel better life changes difficult "
    "situation worried unsure first step call drop in or book"
)
SYLLABLES = words("ash bur ton ham ley wick ford mere stow field thorp by wold dale holt mar ing")
LANGUAGES = ["cy", "pl", "ro", "ar", "ur", "bn", "so", "pa", "lt", "pt"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def zipf_choice(rng: random.Random, words: list[str]) -> str:
    """Earlier words more often, as in real text."""
    return words[min(len(words) - 1, int(rng.paretovariate(1.1)) - 1)]


class Region:
    """Towns with names, places and postcodes: what services and searches are near."""

    def __init__(self, rng: random.Random) -> None:
        south, north, west, east = REGION
        self.towns: list[tuple[str, float, float]] = []
        names: set[str] = set()
        while len(self.towns) < TOWNS:
            name = "".join(rng.sample(SYLLABLES, 2)).capitalize()
            if name not in names:
                names.add(name)
                self.towns.append((name, rng.uniform(south, north), rng.uniform(west, east)))
        self.postcodes: list[tuple[str, float, float, int]] = []  # code, lat, long, town
        for number, (_name, latitude, longitude) in enumerate(self.towns):
            for unit in range(POSTCODES_PER_TOWN):
                code = (
                    f"RB{number + 1} {unit % 9 + 1}{'ABDEFGHJLN'[unit % 10]}{'PQRSTUWXY'[unit % 9]}"
                )
                self.postcodes.append(
                    (
                        code,
                        round(latitude + rng.uniform(-0.02, 0.02), 6),
                        round(longitude + rng.uniform(-0.03, 0.03), 6),
                        number,
                    )
                )

    def write_csv(self, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(["pcds", "lat", "long", "osward", "lsoa21"])
            for code, latitude, longitude, town in self.postcodes:
                writer.writerow([code, latitude, longitude, f"E0599{town:04d}", f"E0199{town:04d}"])


def sentence(rng: random.Random, topic: list[str], length: int) -> str:
    words = [
        rng.choice(topic) if rng.random() < 0.25 else zipf_choice(rng, COMMON)
        for _ in range(length)
    ]
    return " ".join(words).capitalize() + "."


def service(
    rng: random.Random,
    number: int,
    region: Region,
    terms: list[dict[str, object]],
    own: dict[str, dict[str, object]],
) -> dict[str, object]:
    category = rng.choice(list(TOPICS))
    topic = TOPICS[category]
    code, latitude, longitude, town_number = rng.choice(region.postcodes)
    town = region.towns[town_number][0]
    service_id = new_id(rng)
    location_id = new_id(rng)
    name = rng.choice(
        [
            f"{town} {rng.choice(topic)} {rng.choice(KINDS)}",
            f"{rng.choice(topic).capitalize()} {rng.choice(KINDS)}",
            f"{rng.choice(topic).capitalize()} and {rng.choice(topic)} {rng.choice(KINDS)}",
        ]
    )
    opens = rng.choice([8, 9, 10, 13, 18])
    categories = [category] + ([rng.choice(list(TOPICS))] if rng.random() < 0.3 else [])
    capacity = rng.choice([1, 1, 1, 1, 0, None])
    found: dict[str, object] = {
        "id": service_id,
        "name": name,
        "description": " ".join(
            sentence(rng, topic, rng.randint(8, 22)) for _ in range(rng.randint(3, 6))
        ),
        "status": "active",
        "eligibility_description": sentence(rng, topic, rng.randint(6, 16)),
        "assured_date": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        "last_modified": "2026-11-01T09:00:00Z",
        "schedules": [
            {
                "id": new_id(rng),
                "freq": "WEEKLY",
                "byday": ",".join(sorted(rng.sample(DAYS[:6], rng.randint(1, 5)), key=DAYS.index)),
                "opens_at": f"{opens:02d}:00",
                "closes_at": f"{min(23, opens + rng.randint(2, 8)):02d}:30",
            }
        ],
        "service_areas": [{"id": new_id(rng), "name": f"{town} and villages"}],
        "languages": [
            {"id": new_id(rng), "code": language}
            for language in ["en", *rng.sample(LANGUAGES, rng.choice([0, 0, 1, 2]))]
        ],
        "cost_options": [
            {"id": new_id(rng), "amount": rng.choice([0, 0, 0, 5, 10]), "currency": "GBP"}
        ],
        "service_at_locations": [
            {
                "id": new_id(rng),
                "location": {
                    "id": location_id,
                    "location_type": "physical",
                    "name": f"{town} community centre",
                    "latitude": round(latitude + rng.uniform(-0.002, 0.002), 5),
                    "longitude": round(longitude + rng.uniform(-0.003, 0.003), 5),
                    "addresses": [
                        {
                            "id": new_id(rng),
                            "address_1": f"{rng.randint(1, 200)} High Street",
                            "city": town,
                            "state_province": "Norfolk",
                            "postal_code": code,
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        "attributes": [
            {"id": new_id(rng), "taxonomy_term_id": term["id"], "taxonomy_term": term}
            for term in [*rng.sample(terms, 2), *(own[c] for c in dict.fromkeys(categories))]
        ],
    }
    if capacity is not None:
        found["capacities"] = [{"id": new_id(rng), "available": capacity, "unit": "referrals"}]
    return found


def category_terms() -> dict[str, dict[str, object]]:
    """The passport's own category terms, as the passport publishes them: an import refuses
    a term that reuses one of their ids with another code or name (be70e7e)."""
    from passport.directory.hsds import passport_term_document

    return {code: passport_term_document(code) for code in TOPICS}


def write_files(folder: Path, services: int) -> tuple[Path, Path, Region, list[str]]:
    rng = random.Random(services)
    region = Region(rng)
    taxonomy = {"id": new_id(rng), "name": "Bench taxonomy", "description": "Terms."}
    terms: list[dict[str, object]] = []
    for number in range(300):
        topic = list(TOPICS.values())[number % len(TOPICS)]
        terms.append(
            {
                "id": new_id(rng),
                "code": f"BT{number:03d}",
                "name": f"{rng.choice(topic).capitalize()} {rng.choice(KINDS)} {number}",
                "description": sentence(rng, topic, 8),
                "taxonomy_detail": taxonomy,
            }
        )
    own = category_terms()
    path = folder / f"services-{services}.json"
    with path.open("w", encoding="utf-8") as stream:
        stream.write("[")
        for start in range(0, services, SERVICES_PER_ORGANISATION):
            organisation = {
                "id": new_id(rng),
                "name": f"{rng.choice(region.towns)[0]} {rng.choice(KINDS)} trust {start}",
                "description": sentence(rng, COMMON, 20),
                "email": f"referrals{start}@example.org",
                "services": [
                    service(rng, number, region, terms, own)
                    for number in range(start, min(services, start + SERVICES_PER_ORGANISATION))
                ],
            }
            stream.write(("," if start else "") + "\n" + json.dumps(organisation))
        stream.write("\n]\n")
    postcodes = folder / f"postcodes-{services}.csv"
    region.write_csv(postcodes)
    return path, postcodes, region, [str(t["id"]) for t in terms]


def queries(region: Region, term_ids: list[str]) -> dict[str, list[object]]:
    """The fixed queries, by kind: search.Query values."""
    from passport.directory import postcodes
    from passport.directory.search import Query, Sort

    middle = postcodes.lookup(region.postcodes[len(region.postcodes) // 2][0])
    edge = postcodes.lookup(region.postcodes[3][0])
    assert middle is not None and edge is not None
    near, far = (middle.latitude, middle.longitude), (edge.latitude, edge.longitude)
    five_miles = 8_047
    return {
        "one word": [Query(text="debt"), Query(text="counselling"), Query(text="respite")],
        "two words": [Query(text="debt advice"), Query(text="mental health support")],
        "a typo": [Query(text="housng"), Query(text="counseling"), Query(text="befrending")],
        "category + distance": [
            Query(categories=("money",), near=near, within_metres=five_miles),
            Query(categories=("housing",), near=far, within_metres=five_miles, sort=Sort.DISTANCE),
            Query(term_ids=(uuid.UUID(term_ids[7]),), near=near, within_metres=3 * five_miles),
        ],
        "open now + language": [
            Query(open_now=True, language="pl"),
            Query(text="advice", open_now=True, language="cy"),
        ],
        "1-2 letters": [Query(text="d"), Query(text="de"), Query(text="m"), Query(text="he")],
    }


def measure(url: str, region: Region, term_ids: list[str]) -> dict[str, list[float]]:
    from passport import create_app
    from passport.database import db
    from passport.directory import search

    app = create_app()
    timings: dict[str, list[float]] = {}
    with app.app_context():
        app.extensions["clock"] = lambda: WEDNESDAY_11AM
        for kind, asked in queries(region, term_ids).items():
            for query in asked:
                search.find(query)  # warm up: the caches and the query plan
                db.session.remove()
                for _ in range(REPEAT):
                    started = time.perf_counter()
                    found = search.find(query)
                    [hit.service.name for hit in found.hits]
                    timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                    db.session.remove()
        db.engine.dispose()
    return timings


def vacuum(url: str) -> None:
    """What autovacuum does soon after 100,000 inserts (PostgreSQL 13 on vacuums after
    inserts too): the visibility map that lets an index answer alone, and statistics."""
    connectable = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with connectable.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    connectable.dispose()


def analyse(url: str) -> None:
    """A kept database imported before the import analysed: what the import does now."""
    from passport.directory import search_index

    connectable = sa.create_engine(url)
    with connectable.begin() as connection:
        search_index.analyse(connection)
    connectable.dispose()


def passport(env: dict[str, str], *args: str) -> float:
    """Run the `passport` command as an administrator would; its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "passport"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"passport {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def files(folder: Path, size: int, reuse: bool) -> tuple[Path, Path, Region, list[str]]:
    """The HSDS and postcode files for a size: written, or (reusing) read back."""
    kept = folder / f"region-{size}.json"
    if reuse and kept.exists():
        saved = json.loads(kept.read_text(encoding="utf-8"))
        region = Region.__new__(Region)
        region.towns = []
        region.postcodes = [tuple(p) for p in saved["postcodes"]]  # type: ignore[misc]
        return (
            folder / f"services-{size}.json",
            folder / f"postcodes-{size}.csv",
            region,
            saved["term_ids"],
        )
    started = time.perf_counter()
    hsds, postcode_file, region, term_ids = write_files(folder, size)
    megabytes = hsds.stat().st_size / 1_000_000
    print(f"{size:,} services: wrote {megabytes:.0f} MB in {time.perf_counter() - started:.0f} s")
    kept.write_text(json.dumps({"postcodes": region.postcodes, "term_ids": term_ids}))
    return hsds, postcode_file, region, term_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--reuse", type=Path, help="keep files and databases here, and reuse them")
    arguments = parser.parse_args()
    sizes: list[int] = arguments.sizes
    engines: list[str] = arguments.engine or ["sqlite", "postgresql"]
    p95: dict[tuple[str, int], float] = {}
    with contextlib.ExitStack() as stack:
        if arguments.reuse:
            arguments.reuse.mkdir(parents=True, exist_ok=True)
            folder = arguments.reuse.resolve()
        else:
            folder = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="passport-bench-search-"))
            )
        for size in sizes:
            hsds, postcode_file, region, term_ids = files(folder, size, bool(arguments.reuse))
            for engine in engines:
                kept = f"search_{size}" if arguments.reuse else None
                ready = folder / f"ready-{engine}-{size}"
                with database(engine, folder, kept) as url, environment(folder, url) as env:
                    if kept and ready.exists():
                        passport(env, "db", "upgrade")  # indexes added since
                        if not (folder / f"analysed-{engine}-{size}").exists():
                            analyse(url)
                            (folder / f"analysed-{engine}-{size}").touch()
                        if engine == "postgresql":
                            vacuum(url)
                        print(f"  {engine}: reusing the imported database")
                    else:
                        passport(env, "db", "upgrade")
                        seconds = passport(env, "directory", "import", str(hsds))
                        passport(env, "directory", "postcodes", "import", str(postcode_file))
                        if engine == "postgresql":  # as autovacuum would, soon after an import
                            vacuum(url)
                        print(f"  {engine}: imported in {seconds:.1f} s")
                        if kept:
                            ready.touch()
                    timings = measure(url, region, term_ids)
                every = [t for kind in timings.values() for t in kind]
                p95[engine, size] = percentile(every, 0.95)
                print(
                    f"  {engine} {size:,}: p50 {statistics.median(every):.1f} ms, "
                    f"p95 {p95[engine, size]:.1f} ms over {len(every)} searches"
                )
                for kind, values in timings.items():
                    print(
                        f"    {kind:<20} p50 {statistics.median(values):6.1f} ms"
                        f"   p95 {percentile(values, 0.95):6.1f} ms"
                    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    small, large = min(sizes), max(sizes)
    if small == large:
        return
    ratio = {engine: p95[engine, large] / p95[engine, small] for engine in engines}
    for engine in engines:
        print(f"{engine}: p95 {large:,}/{small:,} = {ratio[engine]:.2f}")
    if len(engines) < 2:
        return
    print(
        f"directory search p95 at {large // 1000}k: sqlite {p95['sqlite', large]:.1f} ms, "
        f"postgresql {p95['postgresql', large]:.1f} ms; {large // 1000}k/{small // 1000}k: "
        f"sqlite {ratio['sqlite']:.2f}, postgresql {ratio['postgresql']:.2f}"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
