"""Write passport/demo/directory.hsds.json: the Eastbridge demo directory as HSDS 3.0.

The 40 services of the demo directory as it was first written (passport/demo/directory.json
at commit 0a6faf0, read from git), with the same names, slugs and text, re-expressed as Open
Referral: fixed UUIDs (uuid5, so every run writes the same file), locations in Eastbridge
with postcodes and coordinates, opening hours as weekly schedules, eligibility, languages,
cost options, service areas, capacity (HSDS 3.1 `capacities`), when each was last reviewed,
and attributes linking each service to the passport's own taxonomy terms.

What HSDS has no field for (slugs, services that take no self-referral) goes beside it in
passport/demo/directory.local.json.

    .venv/bin/python scripts/make_demo_hsds.py
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

from passport import taxonomy
from passport.directory.models import PASSPORT_TAXONOMY_ID

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "0a6faf0:passport/demo/directory.json"
OUT = ROOT / "passport" / "demo" / "directory.hsds.json"
LOCAL = ROOT / "passport" / "demo" / "directory.local.json"
NAMESPACE = uuid.UUID("3f6b0d52-8c1e-5a47-9e2b-7d4c1a0e5f36")  # the Eastbridge demo's ids
LAST_MODIFIED = "2026-11-02T09:00:00Z"
# The day the review dates below are as of: 'demo load' moves every date on by the days since.
MADE_ON = "2026-12-01"

# Postcode districts of the fictional town: the centre of each (latitude, longitude).
DISTRICTS = {
    "EB1": (52.630, 1.730),  # town centre
    "EB2": (52.650, 1.725),  # Northfield, in the north
    "EB3": (52.628, 1.700),  # Riverside and Hollins Green, in the west
    "EB4": (52.610, 1.735),  # Marsh End, in the south
}
# Hollins Green was EB5 in the first demo: the town has four districts, so it moves to EB3.
POSTCODE_MOVES = {"EB5 1GL": "EB3 5GL"}
# Services whose area is one ward the demo's postcodes place (ONS ward codes, as the ONS
# Postcode Directory's osward), so eligibility can ask for a postcode and check it.
WARDS = {
    "young-carers-club": "E05990003",
    "marsh-end-friendship-club": "E05990004",
    "next-steps-mentoring": "E05990002",
    "cook-on-a-budget-course": "E05990004",
}
STATISTICAL_GEOGRAPHY = "https://statistics.data.gov.uk/id/statistical-geography/"

DAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
ORDER = list(DAYS.values())
TIME = r"\d{1,2}(?::\d{2})?[ap]m"

# The services' own facts that the first demo only said in words.
LANGUAGES = {
    "debt-advice-drop-in": ["pl", "ro"],
    "benefits-check-and-forms": ["pl", "ro", "ar"],
    "housing-rights-advice": ["cy"],
    "emergency-food-parcels": ["ar", "ur", "bn"],
    "talking-therapies": ["cy", "pl"],
    "domestic-abuse-helpline": ["ar", "ur", "bn", "pl"],
    "advice-and-support-for-carers": ["cy"],
    "job-club": ["ro"],
    "free-hot-meals": ["bn"],
}
PAID = {
    "cook-on-a-budget-course": (2.0, "£2 a session, ingredients included"),
    "community-lunch-club": (3.5, "£3.50 for a two-course lunch"),
    "community-pantry": (4.0, "£4 a visit for about £20 of food"),
    "affordable-loans": (
        None,
        "Interest is charged: the adviser tells you the total before you sign",
    ),
}
WAITING = {
    "talking-therapies": "8 weeks",
    "home-visit-befriending": "6 weeks",
    "supported-housing-for-young-people": "12 weeks",
}
NOT_ACCEPTING = {"carers-break-grants": "This year's grants are all given: we reopen in April."}
# Reviewed long ago: two past six months, one past a year. The rest within the last two months.
REVIEWED = {
    "walk-and-talk-group": "2026-04-14",
    "digital-skills-drop-in": "2026-03-30",
    "hollins-green-workshop": "2025-10-06",
}
PHONE = {
    "domestic-abuse-helpline",
    "telephone-befriending",
    "talking-therapies",
    "benefits-check-and-forms",
    "housing-options-and-homelessness",
    "community-mental-health-support",
    "domestic-abuse-community-outreach",
}
ONLINE = {
    "talking-therapies",
    "cv-and-interview-support",
    "domestic-abuse-legal-clinic",
    "employment-rights-clinic",
    "next-steps-mentoring",
}
AGES = {
    "debt-advice-drop-in": (18, None),
    "supported-housing-for-young-people": (16, 25),
    "young-carers-club": (8, 17),
    "next-steps-mentoring": (16, 24),
    "young-peoples-wellbeing-drop-in": (13, 19),
    "marsh-end-friendship-club": (60, None),
    "home-from-hospital-support": (60, None),
}


def ident(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def jitter(text: str) -> float:
    """A fixed small offset (up to about 700 m) from a text, so places spread out."""
    digest = hashlib.sha256(text.encode()).digest()
    return (digest[0] - 128) / 128 * 0.006


def location(address: str) -> dict[str, Any] | None:
    match = re.match(r"^(.*), Eastbridge, (EB\d \d[A-Z]{2})$", address)
    if match is None:
        return None  # a phone line, or a place kept confidential
    street, postcode = match.group(1), POSTCODE_MOVES.get(match.group(2), match.group(2))
    latitude, longitude = DISTRICTS[postcode.split()[0]]
    location_id = ident("location", street, postcode)
    return {
        "id": location_id,
        "location_type": "physical",
        "name": street.split(",")[0],
        "latitude": round(latitude + jitter(street), 5),
        "longitude": round(longitude + jitter(street[::-1]), 5),
        "addresses": [
            {
                "id": ident("address", street, postcode),
                "location_id": location_id,
                "address_1": street,
                "city": "Eastbridge",
                "state_province": "Norfolk",
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }


def clock(text: str) -> str:
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)", text)
    assert match, text
    hour = int(match.group(1)) % 12 + (12 if match.group(3) == "pm" else 0)
    return f"{hour:02d}:{match.group(2) or '00'}"


def days(text: str) -> list[str]:
    text = text.lower().strip()
    span = re.fullmatch(r"(\w+) to (\w+)", text)
    if span and span.group(1) in DAYS and span.group(2) in DAYS:
        first, last = ORDER.index(DAYS[span.group(1)]), ORDER.index(DAYS[span.group(2)])
        return ORDER[first : last + 1]
    names = re.split(r",\s*|\s+and\s+", text)
    return [DAYS[name] for name in names] if all(name in DAYS for name in names) else []


def schedules(slug: str, hours: str) -> list[dict[str, Any]]:
    """Weekly schedules from 'Monday to Friday, 9am to 5pm; Saturday, 10am to 12pm'. The
    first carries the words as written; hours that are not days and times stay words."""
    found = []
    if hours.startswith("24 hours a day, 7 days a week"):
        found.append(("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00"))
    for part in hours.split(";"):
        match = re.match(rf"^(?:Deliveries on )?([A-Za-z ,]+?), ({TIME}) to ({TIME})", part.strip())
        if match is None or not days(match.group(1)):
            continue
        opens, closes = clock(match.group(2)), clock(match.group(3))
        found.append((",".join(days(match.group(1))), opens, closes))
    if not found:
        return [{"id": ident("schedule", slug), "description": hours}]
    result = []
    for index, (byday, opens, closes) in enumerate(found):
        schedule: dict[str, Any] = {
            "id": ident("schedule", slug, str(index)),
            "freq": "WEEKLY",
            "byday": byday,
            "opens_at": opens,
            "closes_at": closes,
        }
        if index == 0:
            schedule["description"] = hours
        result.append(schedule)
    return result


def attribute(slug: str, code: str) -> dict[str, Any]:
    category = taxonomy.BY_CODE[code]
    term_id = str(uuid.uuid5(PASSPORT_TAXONOMY_ID, code))
    return {
        "id": ident("attribute", slug, code),
        "link_id": ident("service", slug),
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": term_id,
        "taxonomy_term": {
            "id": term_id,
            "code": code,
            "name": str(category.name),
            "description": str(category.hint),
            "taxonomy": "Needs Passport categories",
            "taxonomy_id": str(PASSPORT_TAXONOMY_ID),
            "taxonomy_detail": {
                "id": str(PASSPORT_TAXONOMY_ID),
                "name": "Needs Passport categories",
                "description": "The needs a resident records in their passport.",
            },
        },
    }


def service(org_id: str, org: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    slug = entry["slug"]
    service_id = ident("service", slug)
    document: dict[str, Any] = {
        "id": service_id,
        "organization_id": org_id,
        "name": entry["name"],
        "description": entry["description"],
        "status": "active",
        "eligibility_description": entry["eligibility"],
    }
    minimum, maximum = AGES.get(slug, (None, None))
    if minimum is not None:
        document["minimum_age"] = minimum
    if maximum is not None:
        document["maximum_age"] = maximum
    if slug in WAITING:
        document["wait_time"] = WAITING[slug]
    document["assured_date"] = REVIEWED.get(
        slug, f"2026-{10 + len(slug) % 2}-{1 + len(slug) % 27:02d}"
    )
    document["last_modified"] = LAST_MODIFIED
    if slug in PHONE:
        document["phones"] = [{"id": ident("phone", slug), "number": org["phone"]}]
    document["schedules"] = schedules(slug, entry["opening_hours"])
    document["service_areas"] = [
        {"id": ident("area", slug), "name": entry["area"], "extent_type": "text"}
    ]
    if slug in WARDS:
        document["service_areas"][0]["uri"] = STATISTICAL_GEOGRAPHY + WARDS[slug]
    place = location(entry["address"])
    links = []
    if place is not None:
        links.append({"id": ident("service_at_location", slug), "location": place})
    if slug in ONLINE:
        links.append(
            {
                "id": ident("service_at_location", slug, "online"),
                "location": {
                    "id": ident("location", slug, "online"),
                    "location_type": "virtual",
                    "name": "Online, by video call",
                    "url": org["website"],
                },
            }
        )
    if links:
        document["service_at_locations"] = links
    document["languages"] = [
        {"id": ident("language", slug, code), "code": code}
        for code in ["en", *LANGUAGES.get(slug, [])]
    ]
    amount, words = PAID.get(slug, (0.0, "Free"))
    cost: dict[str, Any] = {"id": ident("cost", slug), "option": words, "currency": "GBP"}
    if amount is not None:
        cost["amount"] = amount
    else:
        cost["amount_description"] = words
    document["cost_options"] = [cost]
    if slug in WAITING:
        document["capacities"] = [
            {
                "id": ident("capacity", slug),
                "available": 0,
                "unit": {"id": ident("unit", "places"), "name": "places"},
                "description": f"Waiting list: about {WAITING[slug]}.",
                "updated": LAST_MODIFIED,
            }
        ]
    if slug in NOT_ACCEPTING:
        document["capacities"] = [
            {
                "id": ident("capacity", slug),
                "available": 0,
                "unit": {"id": ident("unit", "grants"), "name": "grants"},
                "description": NOT_ACCEPTING[slug],
                "updated": LAST_MODIFIED,
            }
        ]
    document["attributes"] = [attribute(slug, code) for code in entry["categories"]]
    return document


def main() -> None:
    first = json.loads(subprocess.check_output(["git", "show", SOURCE], cwd=ROOT))
    organisations, local_orgs, local_services = [], {}, {}
    for org in first["organisations"]:
        org_id = ident("organization", org["slug"])
        document = {
            "id": org_id,
            "name": org["name"],
            "description": org["description"],
            "email": org["referral_email"],
            "website": org["website"],
            "phones": [{"id": ident("phone", org["slug"]), "number": org["phone"]}],
            "last_modified": LAST_MODIFIED,
            "services": [service(org_id, org, entry) for entry in org["services"]],
        }
        organisations.append(document)
        local_orgs[org_id] = {"slug": org["slug"]}
        for entry in org["services"]:
            settings: dict[str, Any] = {"slug": entry["slug"]}
            if not entry.get("accepts_self_referral", True):
                settings["accepts_self_referral"] = False
            local_services[ident("service", entry["slug"])] = settings
    OUT.write_text(json.dumps(organisations, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    local = {"made_on": MADE_ON, "organisations": local_orgs, "services": local_services}
    LOCAL.write_text(json.dumps(local, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    count = sum(len(o["services"]) for o in organisations)
    print(f"Wrote {len(organisations)} organisations and {count} services to {OUT.name}.")


if __name__ == "__main__":
    main()
