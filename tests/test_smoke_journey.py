"""The whole journey through the web pages, as someone without JavaScript would take it, read
through the page objects that the browser tests name the same way (e2e/test_passkey_journey.py)."""

from tests.support.journeys import path_of
from tests.support.pages.accounts import SignInLinkPage
from tests.support.pages.base import Person
from tests.support.pages.core import StartPage
from tests.support.pages.directory import DirectoryPage
from tests.support.pages.needs import PassportPage
from tests.support.pages.organisations import NoLongerAvailablePage, RequestCodePage
from tests.support.pages.referrals import ReferralsPage

ORGANISATION = "Eastbridge Advice Centre"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
SERVICE = "Debt advice drop-in"
HOUSING = "My landlord has given me notice to leave."
MONEY = "I am behind on council tax."
REASON = "We only see people who live in the town centre."


def add_need(passport: PassportPage, category: str, story: str) -> PassportPage:
    form = passport.add_something_you_need_help_with()
    form.choose(category)
    form.story().fill(story)
    passport = form.save()
    assert passport.success_banner().endswith("Your need has been added to your passport.")
    return passport


def test_resident_refers_themself_and_organisation_declines(
    client, org_client, mailbox, demo_directory
):
    resident = Person(client, mailbox)
    StartPage.open(resident).create_your_passport().email_me_a_sign_in_link("sam@example.net")
    resident.goto(path_of(mailbox.link_to("sam@example.net", "/sign-in/link/")))
    passport = SignInLinkPage(resident).sign_in()

    add_need(passport, "Housing", HOUSING)
    passport = add_need(PassportPage.open(resident), "Money and debt", MONEY)
    assert passport.needs() == {"Housing": HOUSING, "Money and debt": MONEY}

    # Search with the plain form, open the service, refer yourself sharing two sections.
    directory = DirectoryPage.open(resident).search("debt")
    assert SERVICE in directory.result_names()
    form = directory.open_service(SERVICE).refer_yourself()
    form.choose_sections(["About you", "Money and debt"])
    form.message.fill("Mornings are best.")
    check = form.continue_()
    assert check.what_they_can_see() == ["About you", "Money and debt"]
    assert check.send_referral().panel() == f"Referral sent to {SERVICE}"

    # The organisation, in its own browser, opens the link from its e-mail with a code.
    organisation = Person(org_client, mailbox)
    link = path_of(mailbox.link_to(ORG_EMAIL, "/share/"))
    organisation.goto(link)
    enter = RequestCodePage(organisation).email_me_a_code()
    shared = enter.enter_code(mailbox.code_to(ORG_EMAIL), service=SERVICE)
    assert shared.section_headings() == ["About the person", "Money and debt"]
    assert MONEY in shared.text()
    assert HOUSING not in shared.text()
    declined = shared.decline_referral().decline_with(REASON)
    assert "We have told the person." in declined.text()
    # Declining ends the sharing: the link now shows nothing, even in the same browser.
    organisation.goto(link)
    assert MONEY not in NoLongerAvailablePage(organisation).text()

    # Back to the resident: the reason in plain words.
    referrals = ReferralsPage.open(resident)
    assert referrals.status_of(SERVICE) == "Declined"
    detail = referrals.open_referral(SERVICE)
    assert detail.status() == "Declined"
    assert detail.decline_reason() == f"Why {ORGANISATION} cannot help {REASON}"
    looked = PassportPage.open(resident).access_log()
    assert len(looked) == 1, looked
    assert looked[0].startswith(f"{ORGANISATION} looked at About you, Money and debt")

    PassportPage.open(resident).sign_out()
