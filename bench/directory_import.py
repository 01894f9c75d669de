"""Importing a large HSDS 3.0 file: how long `passport directory import` takes and how much
memory it holds, on a fresh SQLite database (target: 100,000 services in under 60 s).

It writes a file of plausible services (realistic text lengths, a location with a postcode
and coordinates, weekly opening times, languages, cost, a service area, a phone, and two
attributes from a taxonomy of 300 terms each), as a JSON array of organizations with their
services nested, then imports it twice through the command a person runs (a subprocess):
the first time every record is added, the second every record is unchanged. Each run prints
its wall time and the child process's peak resident memory.

    .venv/bin/python bench/directory_import.py            # 100,000 services
    .venv/bin/python bench/directory_import.py 10000      # another size
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

from common import ROOT, temp_instance

SERVICES_PER_ORGANISATION = 25
WORDS = [
    "advice", "support", "help", "money", "debt", "housing", "food", "bank", "benefits", "family",
    "carers", "young", "people", "older", "mental", "health", "wellbeing", "employment", "skills",
    "training", "community", "local", "free", "confidential", "drop-in", "appointment",
    "referral", "group", "course", "volunteer", "home", "visits",
]  # fmt: skip
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA"]
LANGUAGES = ["cy", "pl", "ro", "ar", "ur", "bn", "so", "pa"]


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize() + "."


def service(rng: random.Random, number: int, terms: list[dict[str, object]]) -> dict[str, object]:
    service_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    district = rng.randint(1, 40)
    location_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    opens = rng.choice([8, 9, 10])
    return {
        "id": service_id,
        "name": f"{words(rng, 3)[:-1]} {number}",
        "description": words(rng, 60),
        "status": "active",
        "eligibility_description": words(rng, 15),
        "assured_date": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        "last_modified": "2026-11-01T09:00:00Z",
        "phones": [{"id": str(uuid.uuid4()), "number": f"01632 {rng.randint(100000, 999999)}"}],
        "schedules": [
            {
                "id": str(uuid.uuid4()),
                "freq": "WEEKLY",
                "byday": ",".join(sorted(rng.sample(DAYS, 3), key=DAYS.index)),
                "opens_at": f"{opens:02d}:00",
                "closes_at": f"{opens + rng.randint(3, 8):02d}:30",
            }
        ],
        "service_areas": [{"id": str(uuid.uuid4()), "name": f"District {district}"}],
        "languages": [
            {"id": str(uuid.uuid4()), "code": code}
            for code in ["en", *rng.sample(LANGUAGES, rng.randint(0, 2))]
        ],
        "cost_options": [
            {"id": str(uuid.uuid4()), "amount": rng.choice([0, 0, 0, 5]), "currency": "GBP"}
        ],
        "service_at_locations": [
            {
                "id": str(uuid.uuid4()),
                "location": {
                    "id": location_id,
                    "location_type": "physical",
                    "name": f"Community centre {district}",
                    "latitude": round(52.0 + rng.random(), 5),
                    "longitude": round(1.0 + rng.random(), 5),
                    "addresses": [
                        {
                            "id": str(uuid.uuid4()),
                            "address_1": f"{rng.randint(1, 200)} High Street",
                            "city": "Eastbridge",
                            "state_province": "Norfolk",
                            "postal_code": f"EB{district} {rng.randint(1, 9)}AB",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        "attributes": [
            {"id": str(uuid.uuid4()), "taxonomy_term_id": term["id"], "taxonomy_term": term}
            for term in rng.sample(terms, 2)
        ],
    }


def write_file(path: Path, services: int) -> None:
    rng = random.Random(9)
    taxonomy = {"id": str(uuid.uuid4()), "name": "Bench taxonomy", "description": "Terms."}
    terms = [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "code": f"T{number:03d}",
            "name": f"Term {number}",
            "description": words(rng, 8),
            "taxonomy_detail": taxonomy,
        }
        for number in range(300)
    ]
    with path.open("w", encoding="utf-8") as stream:
        stream.write("[")
        for start in range(0, services, SERVICES_PER_ORGANISATION):
            organisation = {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "name": f"Organisation {start // SERVICES_PER_ORGANISATION}",
                "description": words(rng, 30),
                "email": f"referrals{start}@example.org",
                "services": [
                    service(rng, number, terms)
                    for number in range(start, min(services, start + SERVICES_PER_ORGANISATION))
                ],
            }
            stream.write(("," if start else "") + "\n" + json.dumps(organisation))
        stream.write("\n]\n")


def run_import(env: dict[str, str], path: Path) -> tuple[float, float, float, str]:
    """Seconds (wall clock and CPU), peak memory of the import process (MB), and its last
    lines of output. CPU time is the figure to compare on a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "passport"), "directory", "import", str(path)],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"The import failed:\n{result.stderr[-3000:]}")
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    lines = result.stdout.strip().splitlines()
    # ru_maxrss of children is the largest of any child so far (the import is the largest).
    return seconds, cpu, after.ru_maxrss / 1024, " ".join(lines[-2:])


def main() -> None:
    services = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with temp_instance() as (folder, env):
        path = folder / "services.json"
        started = time.perf_counter()
        write_file(path, services)
        size = path.stat().st_size / 1_000_000
        print(
            f"Wrote {services:,} services ({size:.0f} MB) in {time.perf_counter() - started:.1f} s"
        )
        first = run_import(env, path)
        print(
            f"First import (all added): {first[0]:.1f} s ({first[1]:.1f} s CPU), "
            f"peak memory {first[2]:.0f} MB"
        )
        print(f"  {first[3]}")
        again = run_import(env, path)
        print(
            f"Second import (all unchanged): {again[0]:.1f} s ({again[1]:.1f} s CPU), "
            f"peak memory {again[2]:.0f} MB"
        )
        print(f"  {again[3]}")
        print(
            f"directory import of {services:,} services on sqlite: {first[0]:.1f} s "
            f"({first[1]:.1f} s CPU; target 60 s), again {again[0]:.1f} s ({again[1]:.1f} s CPU)"
        )  # fmt: skip


if __name__ == "__main__":
    main()
