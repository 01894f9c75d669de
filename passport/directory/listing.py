"""What a listing says about taking referrals, and how much to trust it: its capacity, when
it was last reviewed, whether it can be referred to now, and how quickly the organisation
answers (counted from tallies that name no referral).

Freshness: a listing not reviewed for `PASSPORT_DIRECTORY_STALE_MONTHS` (6), or never,
shows a warning; past `PASSPORT_DIRECTORY_HIDE_MONTHS` (12) nobody can refer themself to it
until it is reviewed again, though it is still shown, with the warning.
"""

from __future__ import annotations

import calendar
import statistics
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_percent, gettext, ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from passport import clock
from passport.database import db
from passport.directory.models import Capacity, Service, ServiceTally

LONDON = ZoneInfo("Europe/London")
ACTIVE = "active"  # HSDS service status; "inactive" and "defunct" take no referrals
# A median and a rate from fewer referrals say more about chance than about the service.
RESPONSIVENESS_MIN_SENT = 10


def today() -> date:
    """The day it is in Eastbridge (Europe/London): tallies and reviews are by day."""
    return clock.now().astimezone(LONDON).date()


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (the month's last day if it has fewer)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def stale_months() -> int:
    return int(current_app.config["SETTINGS"].directory_stale_months)


def hide_months() -> int:
    return int(current_app.config["SETTINGS"].directory_hide_months)


def is_stale(service: Service, on: date | None = None) -> bool:
    """Not reviewed for the configured months, or never: pages warn about it."""
    reviewed = service.reviewed_on
    return reviewed is None or reviewed < months_before(on or today(), stale_months())


def is_hidden_from_referral(service: Service, on: date | None = None) -> bool:
    """Reviewed once, but too long ago to send anyone's passport to on its word.

    A listing with no review date is stale (warned about) but not hidden: listings added by
    hand (`passport org`) and older imports carry none, and nothing says they are out of date.
    """
    reviewed = service.reviewed_on
    return reviewed is not None and reviewed < months_before(on or today(), hide_months())


def _period(months: int) -> str:
    if months % 12 == 0:
        return ngettext("%(num)s year", "%(num)s years", months // 12)
    return ngettext("%(num)s month", "%(num)s months", months)


def referral_refusal(service: Service) -> str | None:
    """Why nobody can refer themself to this service now, in plain words; None if they can."""
    if service.status != ACTIVE:
        return gettext("This service is not running at the moment, so it cannot take referrals.")
    if service.capacity == Capacity.NOT_ACCEPTING:
        return gettext("This service is not accepting referrals at the moment.")
    if is_hidden_from_referral(service):
        return gettext(
            "This listing has not been checked for over %(period)s, so you cannot refer "
            "yourself through it until the organisation confirms its details.",
            period=_period(hide_months()),
        )
    return None


@dataclass(frozen=True)
class ListingStatus:
    """What the listing partial shows: capacity as a tag, and when it was last reviewed."""

    capacity: str
    wait_weeks: int | None
    reviewed_on: date | None
    stale: bool
    hidden: bool
    # The day the organisation itself said it is still correct (or had a change approved).
    checked_on: date | None = None

    @property
    def checked_by_organisation(self) -> bool:
        """Whether the last review was the organisation's own (not only a publisher's)."""
        return self.checked_on is not None and self.checked_on == self.reviewed_on

    @property
    def capacity_text(self) -> str:
        if self.capacity == Capacity.NOT_ACCEPTING:
            return gettext("Not accepting referrals now")
        if self.capacity == Capacity.WAITING_LIST:
            if self.wait_weeks:
                return ngettext(
                    "Waiting list, about %(num)s week",
                    "Waiting list, about %(num)s weeks",
                    self.wait_weeks,
                )
            return gettext("Waiting list")
        return gettext("Accepting referrals")

    @property
    def capacity_class(self) -> str:
        """The GOV.UK tag colour."""
        return {
            Capacity.NOT_ACCEPTING: "govuk-tag--red",
            Capacity.WAITING_LIST: "govuk-tag--yellow",
        }.get(Capacity(self.capacity), "govuk-tag--green")

    @property
    def stale_period(self) -> str:
        return _period(stale_months())

    @property
    def hide_period(self) -> str:
        return _period(hide_months())


def listing_status(service: Service) -> ListingStatus:
    return ListingStatus(
        capacity=service.capacity,
        wait_weeks=service.wait_weeks,
        reviewed_on=service.reviewed_on,
        stale=is_stale(service),
        hidden=is_hidden_from_referral(service),
        checked_on=service.checked_on,
    )


@dataclass(frozen=True)
class StaleListing:
    name: str
    organisation: str
    slug: str
    reviewed_on: date | None
    hidden: bool


def stale_listings(months: int | None = None) -> list[StaleListing]:
    """Listings not reviewed for `months` (the configured months if None), or never:
    the longest unreviewed first."""
    day = today()
    cutoff = months_before(day, stale_months() if months is None else months)
    services = db.session.scalars(
        select(Service)
        .where(or_(Service.reviewed_on.is_(None), Service.reviewed_on < cutoff))
        .options(joinedload(Service.organisation))
        .order_by(Service.reviewed_on.is_not(None), Service.reviewed_on, Service.name)
    )
    return [
        StaleListing(
            name=service.name,
            organisation=service.organisation.name,
            slug=service.slug,
            reviewed_on=service.reviewed_on,
            hidden=is_hidden_from_referral(service, day),
        )
        for service in services
    ]


# Responsiveness ------------------------------------------------------------------------------
# A referral names its service only under the resident's key. A tally names the service and
# the day, with no timestamp and no id from the referral, so nothing joins it back.


def tally_sent(service_id: uuid.UUID) -> None:
    db.session.add(ServiceTally(id=uuid.uuid4(), service_id=service_id, kind="sent", day=today()))


def tally_replied(service_id: uuid.UUID, sent_at: datetime, accepted: bool) -> None:
    """The organisation's first answer: whole hours since the referral was sent."""
    hours = int((clock.now() - sent_at).total_seconds() // 3600)
    db.session.add(
        ServiceTally(
            id=uuid.uuid4(),
            service_id=service_id,
            kind="replied",
            day=today(),
            hours=max(hours, 0),
            accepted=accepted,
        )
    )


@dataclass(frozen=True)
class Responsiveness:
    sent: int
    replied: int
    median_hours: float
    accepted: int

    @property
    def reply_time(self) -> str:
        """'Usually replies within 2 days', from the median time to a first reply."""
        hours = self.median_hours
        if hours < 1:
            return gettext("Usually replies within an hour.")
        if hours < 24:
            whole = int(-(-hours // 1))
            return ngettext(
                "Usually replies within %(num)s hour.",
                "Usually replies within %(num)s hours.",
                whole,
            )
        days = int(-(-hours // 24))
        return ngettext(
            "Usually replies within %(num)s day.", "Usually replies within %(num)s days.", days
        )

    @property
    def acceptance(self) -> str:
        return gettext(
            "Accepts %(rate)s of the referrals it answers.",
            rate=format_percent(self.accepted / self.replied),
        )


def responsiveness(service: Service) -> Responsiveness | None:
    """The median time to a first reply and the acceptance rate, once the service has had
    at least RESPONSIVENESS_MIN_SENT referrals and answered one; else None."""
    sent = db.session.scalar(
        select(func.count())
        .select_from(ServiceTally)
        .where(ServiceTally.service_id == service.id, ServiceTally.kind == "sent")
    )
    if (sent or 0) < RESPONSIVENESS_MIN_SENT:
        return None
    replies = db.session.execute(
        select(ServiceTally.hours, ServiceTally.accepted).where(
            ServiceTally.service_id == service.id, ServiceTally.kind == "replied"
        )
    ).all()
    hours = [h for h, _accepted in replies if h is not None]
    if not hours:
        return None
    return Responsiveness(
        sent=int(sent or 0),
        replied=len(replies),
        median_hours=statistics.median(hours),
        accepted=sum(1 for _hours, accepted in replies if accepted),
    )


def service_page_responsiveness(service: Service) -> dict[str, object] | None:
    """A part on the service page (passport/parts.py): how quickly it answers."""
    found = responsiveness(service)
    return None if found is None else {"responsiveness": found}
