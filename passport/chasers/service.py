"""Chasers: a referral nobody has opened is chased on working days (ADR 0027).

After 2 working days still `sent`, the organisation is reminded at its referral address;
after 5, the directory admins are told (the service, the organisation and how long: never
the resident), and so is the resident, who is offered similar services. Working days are
Monday to Friday less the bank holidays of PASSPORT_BANK_HOLIDAYS, in Europe/London
(passport/workdays.py).

`passport jobs run` runs `run(now)`. Each stage of each referral is one transaction: the
referral's row is locked while it is still `sent` (so an organisation opening it at that
moment waits, and a referral opened, answered or withdrawn is never chased), a
`referral_chasers` row is added unless one for that stage is there already (a unique key:
a second run, at once or later, adds nothing), and the messages are queued in the same
transaction. Nothing is sent twice, and nothing is sent for a stage that was not kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import LazyString, format_date
from sqlalchemy import exists, func, select
from sqlalchemy.dialects import postgresql, sqlite

from passport import notify, workdays
from passport.chasers.models import ReferralChaser, Stage
from passport.database import db
from passport.directory import service as directory
from passport.directory.models import Service
from passport.eligibility import service as eligibility
from passport.notices import service as notices
from passport.referrals import service as referrals
from passport.referrals.lifecycle import Status
from passport.referrals.models import Referral, ReferralEvent
from passport.staff import service as staff
from passport.staff.models import StaffAccount, StaffMembership
from passport.staff.roles import Can, StaffRole, may

if TYPE_CHECKING:
    from passport.needs.models import Passport

# Working days a referral may stay unopened before each stage.
AFTER: dict[Stage, int] = {Stage.REMINDER: 2, Stage.ESCALATION: 5}


@dataclass(frozen=True)
class Chased:
    reminded: int = 0
    escalated: int = 0

    def line(self) -> str:
        return f"{self.reminded} reminded, {self.escalated} escalated"


def _region() -> str:
    return str(current_app.config["SETTINGS"].bank_holidays)


def due(sent_at: datetime, stage: Stage) -> datetime:
    """When a referral sent at `sent_at` and still unopened is chased at this stage."""
    return workdays.after_working_days(sent_at, AFTER[stage], _region())


def _unopened(now: datetime) -> list[tuple[uuid.UUID, datetime]]:
    """Referrals still `sent`, sent long enough ago to be due a stage, not escalated yet;
    with when each was sent (its first `sent` step). N working days are at least N days,
    so the query need only look at those sent N days ago or more."""
    sent_at = func.min(ReferralEvent.at)
    escalated = exists().where(
        ReferralChaser.referral_id == Referral.id, ReferralChaser.stage == Stage.ESCALATION.value
    )
    rows = db.session.execute(
        select(Referral.id, sent_at)
        .join(ReferralEvent, ReferralEvent.referral_id == Referral.id)
        .where(Referral.status == Status.SENT, ReferralEvent.status == Status.SENT, ~escalated)
        .group_by(Referral.id)
        .having(sent_at <= now - timedelta(days=min(AFTER.values())))
        .order_by(sent_at)
    ).all()
    return [(row[0], row[1]) for row in rows]


def _done(referral_ids: list[uuid.UUID]) -> set[tuple[uuid.UUID, str]]:
    if not referral_ids:
        return set()
    rows = db.session.execute(
        select(ReferralChaser.referral_id, ReferralChaser.stage).where(
            ReferralChaser.referral_id.in_(referral_ids)
        )
    ).all()
    return {(row[0], row[1]) for row in rows}


def run(now: datetime) -> str:
    """The job: every stage now due, each in its own transaction; then send what it queued."""
    unopened = _unopened(now)
    done = _done([referral_id for referral_id, _ in unopened])
    reminded = escalated = 0
    for referral_id, sent_at in unopened:
        for stage in Stage:
            if (referral_id, stage.value) in done or now < due(sent_at, stage):
                continue
            if chase(referral_id, stage, sent_at, now):
                reminded += stage is Stage.REMINDER
                escalated += stage is Stage.ESCALATION
            db.session.commit()
    notify.send_committed()
    return Chased(reminded, escalated).line()


def _claim(referral_id: uuid.UUID, stage: Stage, now: datetime) -> bool:
    """Add the stage's row unless it is there (another run, now or before): True if added."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(ReferralChaser)
        .values(id=uuid.uuid4(), referral_id=referral_id, stage=stage.value, at=now)
        .on_conflict_do_nothing(index_elements=["referral_id", "stage"])
        .returning(ReferralChaser.id)
    )
    return db.session.execute(statement).scalar() is not None


def chase(referral_id: uuid.UUID, stage: Stage, sent_at: datetime, now: datetime) -> bool:
    """Send one stage for one referral, if it is still unopened and the stage not yet sent.
    The caller commits."""
    # Locked while we write (PostgreSQL): the organisation opening it now waits for us, or
    # we find it opened. SQLite has one writer at a time, and _claim is the first write.
    referral = db.session.scalar(
        select(Referral)
        .where(Referral.id == referral_id, Referral.status == Status.SENT)
        .with_for_update()
    )
    if referral is None or not _claim(referral_id, stage, now):
        return False
    if stage is Stage.REMINDER:
        _remind_organisation(referral, sent_at)
    else:
        _escalate(referral, sent_at)
    return True


def _listed(referral: Referral) -> Service | None:
    try:
        return referrals.listed_service(referral)
    except referrals.ServiceLeftDirectoryError:
        return None


def _sent_on(sent_at: datetime) -> LazyString:
    """The day it was sent, in London, written in the e-mail's own language."""
    return LazyString(format_date, sent_at.astimezone(workdays.LONDON).date(), "d MMMM y")


def _remind_organisation(referral: Referral, sent_at: datetime) -> None:
    """To the organisation's referral address: which service, and when. The share link is
    kept only as its hash, so it cannot be sent again: the e-mail points to the first."""
    service = _listed(referral)
    if service is None:
        return  # the service has left the directory: nobody to remind
    notify.email(
        "chaser_reminder",
        service.organisation.referral_email,
        language=service.organisation.language,
        service=service.name,
        sent=_sent_on(sent_at),
    )


@dataclass(frozen=True)
class Admin:
    email: str
    language: str


def directory_admins() -> list[Admin]:
    """Every staff account holding a site-wide role that approves the directory."""
    roles = [role.value for role in StaffRole if may(role, Can.APPROVE_DIRECTORY)]
    accounts = db.session.scalars(
        select(StaffAccount)
        .join(StaffMembership, StaffMembership.account_id == StaffAccount.id)
        .where(StaffMembership.organisation_id.is_(None), StaffMembership.role.in_(roles))
        .distinct()
    ).all()
    admins = [Admin(staff.email_of(account), account.locale or "en") for account in accounts]
    return [admin for admin in admins if admin.email]


def _escalate(referral: Referral, sent_at: datetime) -> None:
    """To the directory admins (the service and organisation and how long, never who), and
    to the resident (a notice, and their chosen channel), who is offered similar services."""
    shown = referrals.view(referral).service
    admins = directory_admins()
    if not admins:
        current_app.logger.warning(
            "A referral is unopened after 5 working days: no directory admin to tell"
        )
    for admin in admins:
        notify.email(
            "chaser_escalation",
            admin.email,
            language=admin.language,
            service=shown.name,
            organisation=shown.organisation.name,
            days=AFTER[Stage.ESCALATION],
            sent=_sent_on(sent_at),
        )
    notices.tell_resident(referral.passport, "referral_not_opened", referral_id=referral.id)


# The resident's page of similar services --------------------------------------------------


@dataclass(frozen=True)
class Similar:
    referral: referrals.ReferralView
    chased: bool  # still not opened, and the directory admins told: the page says so
    services: list[Service]


# A referral that will not be answered: the resident's page offers similar services.
ENDED_WITHOUT_HELP = frozenset({Status.DECLINED, Status.WITHDRAWN})


def _escalated(referral: Referral) -> bool:
    found = db.session.scalar(
        select(ReferralChaser.id).where(
            ReferralChaser.referral_id == referral.id,
            ReferralChaser.stage == Stage.ESCALATION.value,
        )
    )
    return found is not None


def offers_similar(referral: Referral) -> bool:
    """Whether the resident's referral page links to similar services: it was declined or
    withdrawn, or it is still unopened and the directory admins were told (escalated)."""
    if referral.status in ENDED_WITHOUT_HELP:
        return True
    return referral.status == Status.SENT and _escalated(referral)


def similar(passport: Passport, referral_id: uuid.UUID) -> Similar:
    """Services in the same categories as the referral's, that take referrals now (and
    that the resident's answers to eligibility questions do not rule out), without it."""
    referral = referrals.get_referral_or_404(passport, referral_id)
    shown = referrals.view(referral)
    service = directory.get_service(shown.service.id)
    services = (
        eligibility.similar_services(service, eligibility.get_answers(passport))
        if service is not None
        else []
    )
    return Similar(shown, referral.status == Status.SENT and _escalated(referral), services)
