"""The referral loop closed, in two browsers (issue 10): a resident and a member of the
organisation's staff. One referral goes the whole way (sent, opened, accepted, in progress,
on hold with a reason, in progress, completed with an outcome, feedback), with messages both
ways; a second is declined with a reason; a third is withdrawn by the resident. After each
step the other side sees it, and every e-mail is checked as it arrives: to whom, its subject,
nothing personal in it, and its link works. Every page is checked with axe on arrival."""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import expect

from e2e import journeys
from e2e.pages import (
    CompletePage,
    DeclinePage,
    NoticesPage,
    Person,
    ReferralDetailPage,
    ServicePage,
    SharedPassportPage,
)
from e2e.test_staff import invite
from tests.support.mailbox import Mailbox, ReceivedEmail

ORG_EMAIL = "referrals@eastbridge-advice.example.org"
ORGANISATION = "Eastbridge Advice Centre"
WORKED = ("debt-advice-drop-in", "Debt advice drop-in")
DECLINED = ("benefits-check-and-forms", "Benefits check and help with forms")
WITHDRAWN = ("housing-rights-advice", "Housing rights advice")
UPDATE = "There is an update"
MESSAGE = "You have a new message about a referral"
OPENED = "A referral you made has been opened"


class Mail:
    """The e-mails the test expects, one at a time: each is the only new one to its address
    since the last, has the subject expected, and carries none of the private words."""

    def __init__(self, mailbox: Mailbox, private: list[str]) -> None:
        self.mailbox = mailbox
        self.private = private
        self.seen = {ORG_EMAIL: len(mailbox.to(ORG_EMAIL))}  # other tests write to it too

    def next(self, to: str, subject: str, *, also_private: tuple[str, ...] = ()) -> ReceivedEmail:
        seen = self.seen.setdefault(to, 0)
        deadline = time.monotonic() + 10
        while len(self.mailbox.to(to)) <= seen and time.monotonic() < deadline:
            time.sleep(0.05)
        new = self.mailbox.to(to)[seen:]
        assert [m.subject for m in new] == [subject], (to, [m.subject for m in new])
        self.seen[to] = seen + 1
        for word in (*self.private, *also_private):
            assert word.lower() not in new[0].body.lower(), (word, new[0].body)
            assert word.lower() not in new[0].subject.lower(), (word, new[0].subject)
        return new[0]

    def nothing_more(self) -> None:
        for to, seen in self.seen.items():
            assert len(self.mailbox.to(to)) == seen, (to, self.mailbox.to(to)[seen:])


def link(mail: ReceivedEmail, fragment: str) -> str:
    return journeys.link_in(mail, fragment)


def send_referral(resident: Person, slug: str, name: str, message: str) -> str:
    """Refer yourself to a service of the organisation; the referral's address."""
    form = ServicePage.open_slug(resident, slug, name).refer_yourself()
    form.choose_sections(["About you", "Money and debt"])
    form.message.fill(message)
    form.continue_().send_referral()
    return resident.page.url.removesuffix("/sent")


def told_resident(
    resident: Person, mail: Mail, email: str, subject: str, service: str
) -> ReferralDetailPage:
    """The resident's e-mail says only that something happened; its link leads to the referral."""
    update = mail.next(email, subject, also_private=(service, ORGANISATION))
    resident.goto(link(update, "/referrals/"))
    return ReferralDetailPage(resident, service=service)


def told_organisation(worker: Person, mail: Mail, subject: str, service: str) -> SharedPassportPage:
    """The organisation's e-mail names the service and links to the referral in its inbox."""
    update = mail.next(ORG_EMAIL, subject)
    assert service in update.body
    worker.goto(link(update, "/staff/eastbridge-advice-centre/referrals/"))
    return SharedPassportPage(worker, service=service)


def open_from_new_referral_email(worker: Person, mail: Mail, service: str) -> SharedPassportPage:
    """The share link in "A new referral" works for the organisation's signed-in staff (no code
    needed), and opening it is the referral's first look."""
    new = mail.next(ORG_EMAIL, "A new referral")
    assert service in new.body
    worker.goto(link(new, "/share/"))
    return SharedPassportPage(worker, service=service)


def from_the_inbox(worker: Person, service: str) -> SharedPassportPage:
    worker.goto("/staff/eastbridge-advice-centre/referrals")
    worker.arrive("Referrals")
    worker.page.locator("#inbox tbody tr").filter(has_text=service).first.get_by_role(
        "link"
    ).click()
    return SharedPassportPage(worker, service=service)


def test_the_loop_is_closed_both_ways(people, live_server):
    marker = uuid.uuid4().hex[:8]
    email = f"loop-{marker}@example.net"
    story = f"I cannot pay the council tax ({marker})"
    reasons = {
        "hold": f"Waiting for an adviser ({marker})",
        "decline": f"We only help people who live in town ({marker})",
        "withdraw": f"I found help at church ({marker})",
        "outcome": f"We set up a payment plan ({marker})",
        "to resident": f"Please bring your letters ({marker})",
        "to organisation": f"My new number is 07700 900{marker[:3]}",
        "message": f"Mornings are best ({marker})",
    }
    mail = Mail(live_server.mailbox, [email, story, *reasons.values(), "council tax"])

    resident = people()
    journeys.sign_up(resident, email)
    journeys.add_need(resident, "Money and debt", story)
    worker = people()
    worker.add_passkey_authenticator()
    worker.goto(invite(live_server, f"loop-staff-{marker}@example.org"))
    worker.arrive(f"Join {ORGANISATION}")
    worker.page.get_by_role("button", name="Create a passkey and accept").click()
    worker.arrive("Your organisations")
    mail.seen[email] = len(live_server.mailbox.to(email))  # the sign-in link

    # 1. Sent, then opened from the organisation's e-mail.
    slug, service = WORKED
    path = send_referral(resident, slug, service, reasons["message"])
    case = open_from_new_referral_email(worker, mail, service)
    assert case.status() == "Opened"
    assert story in case.text() and reasons["message"] in case.text()
    detail = told_resident(resident, mail, email, OPENED, service)
    assert detail.status() == "Opened"
    assert NoticesPage.open(resident).notices() == [
        "An organisation has opened a referral you made"
    ]

    # 2. Accepted, in progress, on hold with a reason, in progress again: from the inbox.
    case = from_the_inbox(worker, service)
    case = case.accept_referral(service=service)
    assert case.status() == "Accepted"
    assert told_resident(resident, mail, email, UPDATE, service).status() == "Accepted"
    case = case.start_work(service=service)
    assert told_resident(resident, mail, email, UPDATE, service).status() == "In progress"
    case = case.put_on_hold().hold_with(reasons["hold"], service=service)
    assert case.status() == "On hold"
    detail = told_resident(resident, mail, email, UPDATE, service)
    assert detail.status() == "On hold"
    assert detail.status_reason() == f"Why it is on hold {reasons['hold']}"
    case = case.start_work(service=service, again=True)
    assert told_resident(resident, mail, email, UPDATE, service).status() == "In progress"

    # 3. Messages both ways: each side is e-mailed that there is one, never its words.
    case.main.get_by_label("Your message").fill(reasons["to resident"])
    case.press("Send message")
    case = SharedPassportPage(worker, service=service)
    detail = told_resident(resident, mail, email, MESSAGE, service)
    assert any(reasons["to resident"] in message for message in detail.messages())
    detail = detail.send_message(reasons["to organisation"], service=service)
    case = told_organisation(worker, mail, MESSAGE, service)
    expect(case.main).to_contain_text(reasons["to organisation"])

    # 4. Completed with an outcome; the resident says it helped.
    complete = case.mark_as_completed()
    assert isinstance(complete, CompletePage)
    complete.main.get_by_label("We referred them to another service", exact=True).check()
    complete.main.get_by_label("Anything else the person should know (optional)").fill(
        reasons["outcome"]
    )
    complete.press("Mark as completed")
    case = SharedPassportPage(worker, service=service)
    assert case.status() == "Completed"
    assert story not in case.text()  # no longer shared
    detail = told_resident(resident, mail, email, UPDATE, service)
    assert detail.status() == "Completed"
    assert detail.outcome() == f"Outcome We referred them to another service {reasons['outcome']}"
    assert not detail.has_similar_services()
    detail = detail.say_whether_it_helped("It helped a lot", service=service)
    expect(detail.main.locator("#feedback-score")).to_have_text("You answered 5 out of 5.")
    assert NoticesPage.open(resident).notices() == [
        "An organisation has finished work on a referral you made",
        "You have a new message about a referral you made",
        "An organisation has started work on a referral you made",
        "An organisation has put a referral you made on hold",
        "An organisation has started work on a referral you made",
        "An organisation has accepted a referral you made",
        "An organisation has opened a referral you made",
    ]
    worker.page.reload()
    assert SharedPassportPage(worker, service=service).status() == "Completed"

    # 5. A second referral, declined with a reason: the resident is offered similar services.
    slug, service = DECLINED
    send_referral(resident, slug, service, reasons["message"])
    case = open_from_new_referral_email(worker, mail, service)
    told_resident(resident, mail, email, OPENED, service)
    declining = case.decline_referral()
    assert isinstance(declining, DeclinePage)
    declined = declining.decline_with(reasons["decline"])
    assert story not in declined.text()
    detail = told_resident(resident, mail, email, UPDATE, service)
    assert detail.status() == "Declined"
    assert reasons["decline"] in detail.decline_reason()
    similar = detail.see_similar_services(service)
    assert similar.services() and service not in similar.services()

    # 6. A third, withdrawn by the resident once opened: the organisation is told.
    slug, service = WITHDRAWN
    withdrawn_path = send_referral(resident, slug, service, reasons["message"])
    case = open_from_new_referral_email(worker, mail, service)
    detail = told_resident(resident, mail, email, OPENED, service)
    detail = detail.withdraw_this_referral().withdraw_with(reasons["withdraw"], service=service)
    assert detail.status() == "Withdrawn"
    assert resident.page.url.endswith(withdrawn_path)
    case = told_organisation(worker, mail, "A referral has been withdrawn", service)
    assert case.status() == "Withdrawn"
    assert story not in case.text()
    similar = detail.see_similar_services(service)
    assert similar.services() and service not in similar.services()

    # Nothing else was sent to anyone; the first referral's page still reads the same.
    mail.nothing_more()
    resident.goto(path)
    assert ReferralDetailPage(resident, service=WORKED[1]).status() == "Completed"
