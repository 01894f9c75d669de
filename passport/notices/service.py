"""How a resident is told that something happened: a notice in the service, and an e-mail
or a text message, as they chose on "How we contact you". Neither says more than that
something happened and where to look: the details are only behind sign-in.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

import phonenumbers
from sqlalchemy import func, select, update

from passport import clock, notify, vault
from passport.accounts import service as accounts
from passport.accounts.models import Account
from passport.database import db
from passport.notices.models import ContactPreference, Notice
from passport.notices.words import KINDS, message_of

if TYPE_CHECKING:
    from passport.needs.models import Passport

EMAIL, SMS = notify.Channel.EMAIL.value, notify.Channel.SMS.value


class PhoneProblem(Enum):
    MISSING = "missing"
    NOT_A_NUMBER = "not-a-number"
    NOT_UK = "not-uk"
    NOT_MOBILE = "not-mobile"


class PhoneError(ValueError):
    def __init__(self, problem: PhoneProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def uk_mobile(typed: str) -> str:
    """The UK mobile number typed (any usual way of writing it), in E.164 form; or
    PhoneError saying what is wrong with it. Guernsey, Jersey and the Isle of Man share
    +44 and count as UK numbers, as GOV.UK Notify counts them."""
    if not typed.strip():
        raise PhoneError(PhoneProblem.MISSING)
    try:
        number = phonenumbers.parse(typed, "GB")
    except phonenumbers.NumberParseException as error:
        raise PhoneError(PhoneProblem.NOT_A_NUMBER) from error
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(PhoneProblem.NOT_A_NUMBER)
    if number.country_code != 44:
        raise PhoneError(PhoneProblem.NOT_UK)
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise PhoneError(PhoneProblem.NOT_MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national(e164: str) -> str:
    """A number as a person in the UK writes it: 07700 900123."""
    return phonenumbers.format_number(
        phonenumbers.parse(e164, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL
    )


def _preference(passport_id: uuid.UUID) -> ContactPreference | None:
    return db.session.scalar(
        select(ContactPreference).where(ContactPreference.passport_id == passport_id)
    )


@dataclass(frozen=True)
class ContactChoice:
    channel: str  # EMAIL or SMS
    phone: str | None  # as the resident would write it

    @property
    def by_text(self) -> bool:
        return self.channel == SMS


def contact_choice(passport: Passport) -> ContactChoice:
    """How the resident wants updates: e-mail unless they chose texts."""
    preference = _preference(passport.id)
    if preference is None:
        return ContactChoice(EMAIL, None)
    phone = (
        national(vault.open(preference, "phone", preference.phone_sealed))
        if preference.phone_sealed
        else None
    )
    return ContactChoice(preference.channel, phone)


def choose_contact(passport: Passport, channel: str, phone: str | None) -> None:
    """Updates by e-mail, or by text to `phone` (typed; checked with uk_mobile). A number
    given with e-mail is kept, so switching back to texts need not retype it."""
    e164 = uk_mobile(phone or "") if channel == SMS or (phone or "").strip() else None
    preference = _preference(passport.id)
    if preference is None:
        preference = ContactPreference(id=uuid.uuid4(), passport_id=passport.id)
        preference.passport = passport
        db.session.add(preference)
    preference.channel = channel
    preference.updated_at = clock.now()
    preference.phone_sealed = vault.seal(preference, "phone", e164) if e164 else None


def tell_resident(passport: Passport, name: str, **ids: uuid.UUID) -> None:
    """Tell the resident that something happened: a notice they see when they next sign in,
    and a text (if they chose texts and texts can be sent) or an e-mail to their confirmed
    address. `name` is the notice's kind, which names the e-mail's and text's template
    (`words.message_of`); `ids` are what its link needs (referral_id=...). Every update a
    resident gets comes this way: nothing writes to them about a referral otherwise."""
    notice = Notice(id=uuid.uuid4(), passport_id=passport.id, created_at=clock.now())
    notice.passport = passport
    about = {"kind": name, **{key: str(value) for key, value in ids.items()}}
    notice.about_sealed = vault.seal(notice, "about", json.dumps(about))
    db.session.add(notice)

    account = db.session.get(Account, passport.account_id) if passport.account_id else None
    if account is None:
        return  # held for someone who has not claimed it: nobody to write to yet
    language = account.locale or "en"
    message = message_of(name)
    phone = _number_for_texts(passport)
    if phone is not None:
        notify.text(message, phone, language=language, **ids)
        return
    email = accounts.verified_email(account)
    if email:
        notify.email(message, email, language=language, **ids)


def _number_for_texts(passport: Passport) -> str | None:
    """The number to text, if the resident chose texts and texts can be sent."""
    preference = _preference(passport.id)
    if preference is None or preference.channel != SMS or not notify.can_text():
        return None
    if preference.phone_sealed is None:
        return None
    return vault.open(preference, "phone", preference.phone_sealed)


def tells_by_text(passport: Passport) -> bool:
    """Whether updates reach the resident by text (they chose texts, and texts can be sent)."""
    return _number_for_texts(passport) is not None


def can_tell_resident(passport: Passport) -> bool:
    """Whether the resident will hear of an update outside the service: texts to a number,
    or a confirmed e-mail address."""
    if _number_for_texts(passport) is not None:
        return True
    account = db.session.get(Account, passport.account_id) if passport.account_id else None
    return account is not None and accounts.verified_email(account) is not None


def unread_count(passport_id: uuid.UUID) -> int:
    """For the header, on every page: one count over the index (passport_id, read_at)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notice)
            .where(Notice.passport_id == passport_id, Notice.read_at.is_(None))
        )
        or 0
    )


@dataclass(frozen=True)
class NoticeView:
    id: uuid.UUID
    title: str
    endpoint: str | None
    values: dict[str, str]
    created_at: datetime
    new: bool


def read_notices(passport: Passport) -> list[NoticeView]:
    """The resident's notices, newest first; the unread ones are marked read (they are on
    the page now) but still shown as new this once."""
    rows = db.session.scalars(
        select(Notice)
        .where(Notice.passport_id == passport.id)
        .order_by(Notice.created_at.desc(), Notice.id)
    ).all()
    shown = []
    for row in rows:
        about = json.loads(vault.open(row, "about", row.about_sealed))
        kind = KINDS.get(about.get("kind", ""))
        shown.append(
            NoticeView(
                id=row.id,
                title=str(kind.title) if kind else "",
                endpoint=kind.endpoint if kind else None,
                values={key: about[key] for key in kind.values} if kind else {},
                created_at=row.created_at,
                new=row.read_at is None,
            )
        )
    db.session.execute(
        update(Notice)
        .where(Notice.passport_id == passport.id, Notice.read_at.is_(None))
        .values(read_at=clock.now())
    )
    return shown
