"""Make passport/demo/postcodes.csv: the fictional town of Eastbridge's postcodes, in the
ONS Postcode Directory's shape (pcd, pcds, lat, long, osward, lsoa21).

Every postcode the demo directory's locations use is placed where those locations are;
around them, each district (EB1 centre, EB2 north, EB3 west, EB4 south) gets six sectors of
five postcodes, scattered about its centre. Seeded: running it again makes the same file.

    .venv/bin/python scripts/make_demo_postcodes.py
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIRECTORY = ROOT / "passport" / "demo" / "directory.hsds.json"
OUT = ROOT / "passport" / "demo" / "postcodes.csv"
CENTRES = {
    "EB1": (52.630, 1.730),
    "EB2": (52.650, 1.725),
    "EB3": (52.628, 1.700),
    "EB4": (52.610, 1.735),
}
SECTORS = range(1, 7)
UNITS_PER_SECTOR = 5
SPREAD = 0.006  # degrees: about 650 m north-south around a district's centre
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters the Royal Mail uses in a unit


def demo_places() -> dict[str, tuple[float, float]]:
    """Each postcode the demo directory's locations use, at its first location."""
    places: dict[str, tuple[float, float]] = {}

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "latitude" in value and "addresses" in value:
                for address in value["addresses"]:
                    code = " ".join(str(address.get("postal_code", "")).split()).upper()
                    if code:
                        places.setdefault(code, (value["latitude"], value["longitude"]))
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(json.loads(DIRECTORY.read_text(encoding="utf-8")))
    return places


def postcodes() -> list[tuple[str, float, float]]:
    chance = random.Random(20261201)
    found = dict(demo_places())
    for district, (latitude, longitude) in CENTRES.items():
        for sector in SECTORS:
            centre = (
                latitude + chance.uniform(-SPREAD, SPREAD),
                longitude + chance.uniform(-SPREAD, SPREAD) * 1.6,
            )
            for _ in range(UNITS_PER_SECTOR):
                unit = "".join(chance.choice(UNIT_LETTERS) for _ in range(2))
                code = f"{district} {sector}{unit}"
                found.setdefault(
                    code,
                    (
                        round(centre[0] + chance.uniform(-0.0015, 0.0015), 6),
                        round(centre[1] + chance.uniform(-0.0025, 0.0025), 6),
                    ),
                )
    return sorted((code, lat, long) for code, (lat, long) in found.items())


def main() -> int:
    districts = sorted(CENTRES)
    with OUT.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["pcd", "pcds", "lat", "long", "osward", "lsoa21"])
        for code, latitude, longitude in postcodes():
            outward, inward = code.split()
            ward = f"E0599{districts.index(outward) + 1:04d}"  # made-up codes, ONS-shaped
            lsoa = f"E0199{districts.index(outward) + 1:02d}{inward[0]:0>2}"
            writer.writerow(
                [f"{outward:<4}{inward}", code, f"{latitude:.6f}", f"{longitude:.6f}", ward, lsoa]
            )
    print(f"Wrote {sum(1 for _ in OUT.open()) - 1} postcodes to {OUT.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
