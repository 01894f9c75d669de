"""A small directory with every kind of listing the search filters tell apart, made through
the models (the contract) and indexed through search.index_services, as the importer does.

Fixed places: the centre of Testbridge is the postcode TB1 1AA; a mile north is about
0.01447 degrees of latitude. The frozen clock's moment (Tuesday 3 March 2026, 10:14 in
London) is inside the opening hours of the services that are open now.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from passport.database import db
from passport.directory import search
from passport.directory.models import (
    Capacity,
    Delivery,
    Location,
    OpeningTime,
    Organisation,
    Postcode,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceLanguage,
)

CENTRE = (51.5, -0.1)
DEGREES_PER_MILE = 1 / 69.09
POSTCODES = {"TB1 1AA": CENTRE, "TB9 9ZZ": (51.5 + 40 * DEGREES_PER_MILE, -0.1)}
REVIEWED = date(2026, 2, 1)


@dataclass
class Listing:
    name: str
    category: str
    description: str = "A service in Testbridge."
    miles_north: float | None = None  # None: no place to go (phone or online only)
    free: bool | None = None
    delivery: int = 0
    capacity: str = Capacity.ACCEPTING
    languages: tuple[str, ...] = ("en",)
    # (weekday, opens, closes) in London minutes; Tuesday is 1
    openings: tuple[tuple[int, int, int], ...] = ()
    document: dict[str, Any] = field(default_factory=dict)
    eligibility: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    area: str = "Testbridge"


WEEKDAYS_NINE_TO_FIVE = tuple((day, 9 * 60, 17 * 60) for day in range(5))

LISTINGS = (
    Listing(
        "Alder debt clinic",
        "money",
        description="Help with rent arrears, council tax and bailiffs.",
        miles_north=2.5,
        free=True,
        delivery=Delivery.IN_PERSON,
        languages=("en", "cy"),
        openings=WEEKDAYS_NINE_TO_FIVE,
        eligibility="Anyone living in Testbridge.",
        minimum_age=18,
        document={
            "phones": [{"number": "01632 960 001", "description": "Advice line"}],
            "email": "help@alder.example",
            "url": "https://alder.example/clinic",
            "cost_options": [{"option": "Advice", "amount": 0, "currency": "GBP"}],
        },
    ),
    Listing(
        "Birch food bank",
        "food",
        miles_north=0.5,
        free=True,
        delivery=Delivery.IN_PERSON | Delivery.PHONE,
        capacity=Capacity.WAITING_LIST,
        languages=("en", "pl"),
        openings=((5, 10 * 60, 12 * 60),),  # Saturday mornings
    ),
    Listing(
        "Cedar money line",
        "money",
        description="Phone advice about debts and budgeting.",
        free=False,
        delivery=Delivery.PHONE,
        capacity=Capacity.NOT_ACCEPTING,
        openings=WEEKDAYS_NINE_TO_FIVE,
    ),
    Listing(
        "Damson skills course",
        "employment",
        free=None,
        delivery=Delivery.ONLINE,
        languages=("ur",),
    ),
    Listing(
        "Elm befriending",
        "loneliness",
        miles_north=8.0,
        free=True,
        delivery=Delivery.IN_PERSON,
        openings=WEEKDAYS_NINE_TO_FIVE,
    ),
)


def location_document(location_id: uuid.UUID, name: str, postcode: str) -> dict[str, Any]:
    return {
        "id": str(location_id),
        "location_type": "physical",
        "name": name,
        "transportation": "Bus 7 stops outside.",
        "addresses": [
            {
                "id": str(uuid.uuid4()),
                "location_id": str(location_id),
                "address_1": f"1 {name} Road",
                "city": "Testbridge",
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
        "accessibility": [{"id": str(uuid.uuid4()), "description": "Step-free entrance"}],
    }


def build(extra: int = 0, extra_category: str = "caring") -> list[uuid.UUID]:
    """The listings, and `extra` more plain ones named "Filler group NN" (for paging)."""
    organisation = Organisation(
        id=uuid.uuid4(),
        slug="testbridge-trust",
        name="Testbridge Trust",
        referral_email="referrals@testbridge.example",
        phone="01632 960 999",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    db.session.add(organisation)
    db.session.flush()
    for postcode, (latitude, longitude) in POSTCODES.items():
        db.session.add(Postcode(postcode=postcode, latitude=latitude, longitude=longitude))
    listings = list(LISTINGS) + [
        Listing(f"Filler group {n:02d}", extra_category, miles_north=1.0 + n / 10)
        for n in range(1, extra + 1)
    ]
    ids = []
    for listing in listings:
        ids.append(add(organisation, listing))
    db.session.flush()
    search.index_services(ids)
    db.session.commit()
    return ids


def add(organisation: Organisation, listing: Listing) -> uuid.UUID:
    service_id = uuid.uuid4()
    slug = listing.name.lower().replace(" ", "-")
    service = Service(
        id=service_id,
        organisation_id=organisation.id,
        slug=slug,
        name=listing.name,
        description=listing.description,
        area=listing.area,
        eligibility=listing.eligibility,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        document={"id": str(service_id), "name": listing.name, **listing.document},
        status="active",
        reviewed_on=REVIEWED,
        capacity=listing.capacity,
        wait_weeks=6 if listing.capacity == Capacity.WAITING_LIST else None,
        free=listing.free,
        delivery=int(listing.delivery),
        minimum_age=listing.minimum_age,
        maximum_age=listing.maximum_age,
    )
    service.category_rows = [ServiceCategory(category=listing.category)]
    db.session.add(service)
    db.session.flush()  # the rows below name it by a foreign key, with no relationship
    for code in listing.languages:
        db.session.add(ServiceLanguage(service_id=service_id, code=code))
    for weekday, opens, closes in listing.openings:
        # id=None: the table numbers its rows (Base would otherwise make a UUID).
        db.session.add(
            OpeningTime(id=None, service_id=service_id, weekday=weekday, opens=opens, closes=closes)
        )
    if listing.miles_north is not None:
        location_id = uuid.uuid4()
        name = listing.name.split()[0]
        latitude = CENTRE[0] + listing.miles_north * DEGREES_PER_MILE
        db.session.add(
            Location(
                id=location_id,
                name=f"{name} Hall",
                location_type="physical",
                postcode="TB1 1AA",
                latitude=latitude,
                longitude=CENTRE[1],
                document=location_document(location_id, f"{name} Hall", "TB1 1AA"),
            )
        )
        db.session.add(
            ServiceAtLocation(id=uuid.uuid4(), service_id=service_id, location_id=location_id)
        )
    return service_id
