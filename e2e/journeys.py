"""Steps a person takes, named like the functional tests' steps (tests/support/journeys.py)."""

from __future__ import annotations

import re
import time

from e2e.pages import (
    DirectoryPage,
    EnterCodePage,
    PassportPage,
    Person,
    ReferralSentPage,
    RequestCodePage,
    ServicePage,
    SharedPassportPage,
    SignInLinkPage,
    SignUpPage,
)
from tests.support.mailbox import Mailbox, ReceivedEmail


def wait_for_mail(
    mailbox: Mailbox, to: str, subject: str, wait: float = 10.0, *, about: str = ""
) -> ReceivedEmail:
    """The newest e-mail to this address whose subject starts with `subject` (and whose body
    names `about`: subjects name no service)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = [m for m in mailbox.to(to) if m.subject.startswith(subject) and about in m.body]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"No e-mail {subject!r} to {to}; it has: {mailbox.to(to)}")


def updates_to(mailbox: Mailbox, to: str, count: int, wait: float = 10.0) -> list[ReceivedEmail]:
    """The 'There is an update' e-mails to this address, once there are `count` of them."""
    deadline = time.monotonic() + wait
    while True:
        found = [m for m in mailbox.to(to) if m.subject == "There is an update"]
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) == count, [m.subject for m in mailbox.to(to)]
            return found
        time.sleep(0.05)


def link_in(mail: ReceivedEmail, path_fragment: str) -> str:
    match = re.search(rf"https?://\S*{re.escape(path_fragment)}\S*", mail.body)
    assert match, f"No link with {path_fragment!r} in: {mail.body}"
    return match.group(0)


def code_in(mail: ReceivedEmail) -> str:
    match = re.search(r"\b(\d{6})\b", mail.body)
    assert match, f"No six-digit code in: {mail.body}"
    return match.group(1)


def sign_up(person: Person, email: str) -> PassportPage:
    """Sign up with an e-mail link: the way that works with or without JavaScript."""
    SignUpPage.open(person).email_me_a_sign_in_link(email)
    return sign_in_from_email(person, email, "Your sign-in link")


def sign_up_with_passkey(person: Person, email: str) -> PassportPage:
    person.add_passkey_authenticator()
    return SignUpPage.open(person).continue_with_a_passkey(email).create_a_passkey()


def sign_in_from_email(person: Person, email: str, subject: str) -> PassportPage:
    mail = wait_for_mail(person.mailbox, email, person.t(subject))
    person.goto(link_in(mail, "/sign-in/link/"))
    return SignInLinkPage(person).sign_in()


def add_need(person: Person, category: str, story: str) -> PassportPage:
    form = PassportPage.open(person).add_something_you_need_help_with()
    form.choose(category)
    form.story().fill(story)
    passport = form.save()
    assert passport.success_banner().endswith(
        person.t("Your need has been added to your passport.")
    )
    return passport


def find_service(person: Person, words: str, name: str) -> ServicePage:
    """Search the directory as this person can (htmx with JavaScript, a plain form without)."""
    directory = DirectoryPage.open(person)
    if person.javascript:
        directory.search_as_you_type(words, expect_service=name)
    else:
        directory = directory.search(words)
    assert name in directory.result_names()
    # "Back to search" returns to the same search, with or without JavaScript.
    directory = directory.open_service(name).back_to_search()
    assert directory.search_box.input_value() == words
    assert name in directory.result_names()
    return directory.open_service(name)


def refer(
    person: Person, service: ServicePage, sections: list[str], message: str = ""
) -> ReferralSentPage:
    """Refer yourself to a service and send it, sharing exactly these sections."""
    form = service.refer_yourself()
    form.choose_sections(sections)
    if message:
        form.main.get_by_label(person.t("Anything else you want them to know (optional)")).fill(
            message
        )
    check = form.continue_()
    assert check.what_they_can_see() == [person.t(name) for name in sections]
    sent = check.send_referral()
    assert sent.panel() == person.t("Referral sent") + " " + person.t(
        "to %(service)s", service=service.name
    )
    return sent


def share_link(mailbox: Mailbox, org_email: str, service: str) -> str:
    mail = wait_for_mail(mailbox, org_email, "A new referral", about=service)
    return link_in(mail, "/share/")


def ask_for_code(org: Person, link: str) -> EnterCodePage:
    org.goto(link)
    return RequestCodePage(org).email_me_a_code()


def open_share_as_org(org: Person, org_email: str, service: str) -> SharedPassportPage:
    """Open the share link from the organisation's e-mail and enter the code it was sent."""
    enter = ask_for_code(org, share_link(org.mailbox, org_email, service))
    code = code_in(wait_for_mail(org.mailbox, org_email, "Your code"))
    return enter.enter_code(code, service=service)
