"""The public API at size: how long its pages take, and whether streaming the whole directory
as ndjson holds memory flat, on a fresh SQLite database of N imported services.

It writes N plausible services (25 to an organisation, each with a location), imports them
with `passport directory import` (a subprocess), then asks the API in process (the Flask
test client, no network): the first, a middle and the last page of /api/services at
per_page=100, a search, one fully nested service, and the whole list as ndjson, reporting
p50/p95 over repeated asks, and for ndjson its time and how far this process's peak
resident memory rose while it streamed.

    .venv/bin/python bench/directory_api.py                 # 10,000 and 100,000 services
    .venv/bin/python bench/directory_api.py 20000           # another size
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from common import ROOT, temp_instance

REPEAT = 20
WORDS = (
    "advice",
    "support",
    "help",
    "money",
    "debt",
    "housing",
    "food",
    "bank",
    "benefits",
    "family",
    "carers",
    "young",
    "people",
    "older",
    "mental",
    "health",
    "wellbeing",
    "employment",
    "skills",
    "training",
    "community",
    "local",
    "free",
)


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize() + "."


def write_file(path: Path, services: int) -> None:
    rng = random.Random(11)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    with path.open("w", encoding="utf-8") as stream:
        stream.write("[")
        for start in range(0, services, 25):
            organisation_id = new_id()
            listed = []
            for number in range(start, min(services, start + 25)):
                location_id = new_id()
                listed.append(
                    {
                        "id": new_id(),
                        "name": f"{words(rng, 3)[:-1]} {number}",
                        "description": words(rng, 60),
                        "status": "active",
                        "last_modified": "2026-11-01T09:00:00Z",
                        "service_at_locations": [
                            {
                                "id": new_id(),
                                "location": {
                                    "id": location_id,
                                    "location_type": "physical",
                                    "name": f"Centre {number}",
                                    "latitude": round(52.0 + rng.random(), 5),
                                    "longitude": round(1.0 + rng.random(), 5),
                                },
                            }
                        ],
                    }
                )
            organisation = {
                "id": organisation_id,
                "name": f"Organisation {start // 25}",
                "description": words(rng, 30),
                "email": f"referrals{start}@example.org",
                "services": listed,
            }
            stream.write(("," if start else "") + "\n" + json.dumps(organisation))
        stream.write("\n]\n")


def timed(client, path: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """p50 and p95 in ms of REPEAT asks (after one to warm up)."""
    client.get(path).get_data()
    spent = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(path)
        response.get_data()
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.95) - 1]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(size: int) -> str:
    with temp_instance() as (folder, env):
        path = folder / "services.json"
        write_file(path, size)
        started = time.perf_counter()
        # Not server.run_passport: its two-minute limit is too short for 100,000 services.
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "passport"), "directory", "import", str(path)],
            env=env,
            check=True,
            capture_output=True,
        )
        print(f"{size:,} services imported in {time.perf_counter() - started:.1f} s")

        from passport import create_app

        app = create_app()
        client = app.test_client()
        last = -(-(size + 40) // 100)  # the demo's 40 services are there too
        some_id = client.get("/api/services?minimal=true&per_page=1").get_json()["contents"][0]
        for label, asked in (
            ("page 1", "/api/services?per_page=100"),
            ("middle page", f"/api/services?per_page=100&page={last // 2}"),
            ("last page", f"/api/services?per_page=100&page={last}"),
            ("full page 1", "/api/services?per_page=100&full=true"),
            ("search", "/api/services?search=debt+advice&per_page=50"),
            ("one service", f"/api/services/{some_id['id']}"),
            ("locations page", "/api/service_at_locations?per_page=100"),
        ):
            p50, p95 = timed(client, asked)
            print(f"  {label:<15} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        before = peak_mb()
        started = time.perf_counter()
        response = client.get("/api/services?format=ndjson&full=true")
        lines = sum(1 for chunk in response.response for _ in chunk.splitlines())
        seconds = time.perf_counter() - started
        grew = peak_mb() - before
        print(
            f"  ndjson, full:   {lines:,} lines in {seconds:.1f} s, peak memory rose {grew:.0f} MB"
        )
        last_p95 = timed(client, f"/api/services?per_page=100&page={last}")[1]
        ndjson = f"ndjson {seconds:.1f} s (+{grew:.0f} MB)"
        return f"{size // 1000}k: last page p95 {last_p95:.0f} ms, {ndjson}"


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [10_000, 100_000]
    summary = [run(size) for size in sizes]
    print("directory api on sqlite: " + "; ".join(summary))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
