"""Staff accounts: invitations, signing in for work, the team, and staff and residents never
mixing (ADR 0026)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from passport import vault
from passport.accounts.models import Account
from passport.database import db
from passport.staff import service as staff_service
from passport.staff.models import OrganisationKey, StaffAccount, StaffMembership
from tests.support import journeys, pages, scenarios, staff
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.mailbox import Mailbox

ORG = "eastbridge-advice-centre"
OTHER_ORG = "eastbridge-community-food-bank"


@pytest.fixture
def admin(app: Flask, client: FlaskClient, mailbox: Mailbox, demo_directory) -> str:
    """`client` is signed in for work as the admin of ORG; returns their address."""
    email = f"admin-{scenarios.marker()}@example.org"
    staff.join(app, client, mailbox, email, "admin", ORG)
    return email


def count(app: Flask, model: type, *where) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(model).where(*where))
        db.session.remove()
    return int(found or 0)


# Invitations ------------------------------------------------------------------------------------


def test_an_invitation_from_the_command_is_emailed_and_accepted_without_a_passkey(
    app, client, mailbox, demo_directory
):
    email = f"new-{scenarios.marker()}@example.org"
    result = app.test_cli_runner().invoke(
        args=["staff", "invite", "--org", ORG, "--email", email, "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    assert f"E-mailed an invitation to {email}: admin at Eastbridge Advice Centre." in result.output
    message = mailbox.last_to(email)
    assert message.subject == "You are invited to Needs Passport"
    assert "Eastbridge Advice Centre" in message.body
    link = journeys.path_of(mailbox.link_to(email, staff.INVITATION))
    assert link in result.output  # for an operator whose mail does not arrive

    page = client.get(link)
    assert page.status_code == 200
    assert pages.heading(page) == "Join Eastbridge Advice Centre"
    assert email in pages.text(page)
    accepted = staff.accept(client, link)
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == "/staff"
    home = client.get("/staff")
    assert pages.heading(home) == "Your organisations"
    text = pages.text(home)
    assert "You have accepted the invitation." in text
    assert "Eastbridge Advice Centre Admin" in text
    assert "Signed in for work" in text
    assert home.headers["Cache-Control"] == "no-store"


def test_an_invitation_works_once(app, client, mailbox, demo_directory):
    link = staff.invite(app, mailbox, f"once-{scenarios.marker()}@example.org", "staff", ORG)
    stale_token = pages.csrf_token(app.test_client().get(link))
    assert staff.accept(client, link).status_code == 302
    again = app.test_client()
    for response in (again.get(link), staff.accept(again, link)):
        assert response.status_code == 410
        assert pages.heading(response) == "This invitation has already been used"
    assert again.get("/staff").status_code == 302  # not signed in
    assert count(app, StaffMembership) == 1
    del stale_token


def test_two_accepts_at_the_same_moment_make_one_membership(app, client, mailbox, demo_directory):
    from concurrent.futures import ThreadPoolExecutor

    from passport.extensions import limiter

    link = staff.invite(app, mailbox, f"twice-{scenarios.marker()}@example.org", "staff", ORG)
    browsers = [app.test_client() for _ in range(6)]
    tokens = [pages.csrf_token(browser.get(link)) for browser in browsers]
    limiter.enabled = False
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(
                pool.map(
                    lambda n: browsers[n].post(link, data={"csrf_token": tokens[n]}).status_code,
                    range(6),
                )
            )
    finally:
        limiter.enabled = True
    assert sorted(results) == [302] + [410] * 5
    assert count(app, StaffMembership) == 1
    assert count(app, StaffAccount) == 1


def test_an_invitation_expires_after_seven_days(app, client, mailbox, demo_directory, frozen_clock):
    link = staff.invite(app, mailbox, f"late-{scenarios.marker()}@example.org", "staff", ORG)
    frozen_clock.advance(days=6, hours=23)
    assert client.get(link).status_code == 200
    frozen_clock.advance(hours=1)
    for response in (client.get(link), staff.accept(app.test_client(), link)):
        assert response.status_code == 410
        assert pages.heading(response) == "This invitation has expired"
    assert count(app, StaffAccount) == 0


def test_a_tampered_invitation_link_does_not_work(app, client, mailbox, demo_directory):
    link = staff.invite(app, mailbox, f"tamper-{scenarios.marker()}@example.org", "staff", ORG)
    last = link[-1]
    tampered = link[:-1] + ("A" if last != "A" else "B")
    for response in (client.get(tampered), client.get(link[:-5])):
        assert response.status_code == 404
        assert pages.heading(response) == "This invitation link does not work"
    token = pages.csrf_token(client.get(link))
    assert client.post(tampered, data={"csrf_token": token}).status_code == 404
    assert count(app, StaffAccount) == 0
    # The real link still works.
    assert staff.accept(client, link).status_code == 302


def test_accepting_with_a_passkey_then_signing_in_with_it(app, client, mailbox, demo_directory):
    email = f"passkey-{scenarios.marker()}@example.org"
    link = staff.invite(app, mailbox, email, "staff", ORG)
    phone = SoftwareAuthenticator()
    made = staff.accept_with_passkey(client, link, phone)
    assert made.status_code == 200, made.get_data(as_text=True)
    assert made.get_json() == {"ok": True, "redirect": "/staff"}
    assert "Eastbridge Advice Centre Staff" in pages.text(client.get("/staff"))
    assert staff.sign_out(client).status_code == 302
    assert client.get("/staff").status_code == 302

    signed_in = staff.sign_in_with_passkey(client, phone)
    assert signed_in.get_json() == {"ok": True, "redirect": "/staff"}
    assert pages.heading(client.get("/staff")) == "Your organisations"
    # The invitation was spent by the passkey's acceptance.
    assert client.get(link).status_code == 410


def test_a_second_invitation_adds_a_membership_to_the_same_account(app, client, mailbox, admin):
    staff.join(app, client, mailbox, admin, "staff", OTHER_ORG)
    text = pages.text(client.get("/staff"))
    assert "Eastbridge Advice Centre Admin" in text
    assert "Eastbridge Community Food Bank Staff" in text
    assert count(app, StaffAccount) == 1


def test_the_command_refuses_a_role_in_the_wrong_place(app, mailbox, demo_directory):
    runner = app.test_cli_runner()
    wrong = [
        ["--role", "directory-admin", "--org", ORG],
        ["--role", "admin"],
        ["--role", "admin", "--org", "no-such-organisation"],
        ["--role", "owner", "--org", ORG],
    ]
    for args in wrong:
        result = runner.invoke(args=["staff", "invite", "--email", "x@example.org", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    assert mailbox.to("x@example.org") == []


def test_the_first_directory_admin_is_made_by_the_command(app, client, mailbox, demo_directory):
    email = f"directory-{scenarios.marker()}@example.org"
    staff.join(app, client, mailbox, email, "directory-admin")
    assert "Needs Passport, site-wide Directory admin" in pages.text(client.get("/staff"))


def test_a_directory_admin_invites_an_organisations_first_admin(
    app, client, mailbox, demo_directory
):
    staff.join(app, client, mailbox, f"dir-{scenarios.marker()}@example.org", "directory-admin")
    page = client.get("/staff/directory")
    assert pages.heading(page) == "Organisations and their admins"
    assert "Eastbridge Community Food Bank 0" in pages.text(page)
    organisation_id = next(
        option["value"]
        for option in pages.soup(page).select("select option")
        if option.get_text() == "Eastbridge Community Food Bank"
    )
    first_admin = f"first-{scenarios.marker()}@example.org"
    sent = journeys.post_form(
        client, "/staff/directory", {"organisation": organisation_id, "email": first_admin}
    )
    assert sent.status_code == 302
    browser = app.test_client()
    staff.accept(browser, journeys.path_of(mailbox.link_to(first_admin, staff.INVITATION)))
    assert browser.get(f"/staff/{OTHER_ORG}/team").status_code == 200
    assert "Eastbridge Community Food Bank 1" in pages.text(client.get("/staff/directory"))
    # Bad input: said on the page, nothing sent.
    refused = journeys.post_form(client, "/staff/directory", {"organisation": "x", "email": "y"})
    assert refused.status_code == 200
    assert "Select an organisation" in pages.text(refused)
    # An organisation's admin is no directory admin.
    assert browser.get("/staff/directory").status_code == 404


def test_staff_list_shows_the_team_and_who_is_invited(app, client, mailbox, admin):
    invited = f"invited-{scenarios.marker()}@example.org"
    staff.invite(app, mailbox, invited, "volunteer", ORG)
    result = app.test_cli_runner().invoke(args=["staff", "list", "--org", ORG])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"{admin}\tadmin", f"{invited}\tvolunteer\tinvited"]


# Signing in for work ----------------------------------------------------------------------------


def test_staff_sign_in_with_an_email_link(app, client, mailbox, admin):
    staff.sign_out(client)
    signed_in = staff.sign_in(client, mailbox, admin)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/staff"
    assert pages.heading(client.get("/staff")) == "Your organisations"


def test_a_staff_sign_in_link_works_once_and_not_at_the_residents_address(
    app, client, mailbox, admin
):
    staff.sign_out(client)
    journeys.post_form(client, "/staff/sign-in", {"email": admin})
    link = journeys.path_of(mailbox.link_to(admin, "/staff/sign-in/link/"))
    resident_address = link.replace("/staff/sign-in/link/", "/sign-in/link/")
    elsewhere = app.test_client()
    assert pages.heading(elsewhere.get(resident_address)) == "This sign-in link does not work"
    assert journeys.post_form(elsewhere, resident_address, {}).status_code == 410
    assert elsewhere.get("/passport").status_code == 302
    assert journeys.post_form(client, link, {}).status_code == 302
    again = journeys.post_form(app.test_client(), link, {})
    assert again.status_code == 410
    assert pages.heading(again) == "This sign-in link has already been used"


def test_an_address_without_a_work_account_is_told_by_email(app, client, mailbox, demo_directory):
    email = f"nobody-{scenarios.marker()}@example.org"
    journeys.sign_up(app.test_client(), mailbox, email)  # a passport, not a work account
    mailbox.clear()
    asked = journeys.post_form(client, "/staff/sign-in", {"email": email})
    assert asked.headers["Location"] == "/staff/check-your-email"
    message = mailbox.last_to(email)
    assert message.subject == "Your sign-in request for work"
    assert "/staff/sign-in/link/" not in message.body
    assert "/sign-in/link/" not in message.body


# Staff and residents never mix --------------------------------------------------------------------


def test_the_same_address_has_two_separate_accounts(app, client, mailbox, demo_directory):
    email = f"both-{scenarios.marker()}@example.org"
    resident = app.test_client()
    journeys.sign_up(resident, mailbox, email)
    story = f"Story {scenarios.marker()}"
    journeys.add_need(resident, "food", story)
    staff.join(app, client, mailbox, email, "admin", ORG)

    with app.app_context():
        kinds = sorted(db.session.scalars(select(Account.kind)))
        assert kinds == ["resident", "staff"]
        member = staff_service.find_by_email(email)
        assert member is not None and member.email_index is not None
        db.session.remove()
    # Signing in to the passport by e-mail still reaches the resident's own account.
    other = app.test_client()
    journeys.sign_in(other, mailbox, email)
    assert story in pages.text(other.get("/passport"))
    assert other.get("/staff").status_code == 403


def test_a_staff_session_gets_no_passport_page(app, client, mailbox, admin):
    for path in ("/passport", "/referrals", "/account", "/passport/needs/new"):
        refused = client.get(path)
        assert refused.status_code == 403, path
        assert pages.heading(refused) == "You are signed in for work", path
        assert refused.headers["Cache-Control"] == "no-store"
    token = pages.csrf_token(client.get("/staff"))
    posted = client.post("/passport/needs/new", data={"csrf_token": token, "category": "food"})
    assert posted.status_code == 403
    menu = [link.get_text() for link in pages.soup(client.get("/staff")).select("nav a")]
    assert "Your organisations" in menu
    assert "Your passport" not in menu and "Your referrals" not in menu
    # The start page takes a staff session to its work, not to a passport.
    assert client.get("/").headers["Location"] == "/staff"


def test_a_resident_session_gets_no_staff_page(app, client, mailbox, admin):
    resident = app.test_client()
    journeys.sign_up(resident, mailbox, f"resident-{scenarios.marker()}@example.net")
    for path in ("/staff", f"/staff/{ORG}/team", f"/staff/{OTHER_ORG}/team"):
        refused = resident.get(path)
        assert refused.status_code == 403, path
        assert pages.heading(refused) == "This page is for work", path
    assert "Signed in for work" not in pages.text(resident.get("/passport"))


def test_a_passkey_is_refused_at_the_other_kinds_sign_in(app, client, mailbox, demo_directory):
    work_phone, own_phone = SoftwareAuthenticator(), SoftwareAuthenticator()
    link = staff.invite(app, mailbox, f"pk-{scenarios.marker()}@example.org", "staff", ORG)
    assert staff.accept_with_passkey(client, link, work_phone).get_json()["ok"] is True
    staff.sign_out(client)
    resident = app.test_client()
    journeys.sign_up_with_passkey(resident, own_phone, f"own-{scenarios.marker()}@example.net")
    journeys.sign_out(resident)

    at_residents = journeys.sign_in_with_passkey(client, work_phone)
    assert at_residents.get_json() == {"ok": False, "redirect": "/sign-in/work-passkey"}
    assert pages.heading(client.get("/sign-in/work-passkey")) == (
        "That passkey is for signing in for work"
    )
    at_staff = staff.sign_in_with_passkey(resident, own_phone)
    assert at_staff.get_json() == {"ok": False, "redirect": "/staff/sign-in/passport-passkey"}
    assert pages.heading(resident.get("/staff/sign-in/passport-passkey")) == (
        "That passkey is for your passport"
    )
    # Neither signed in.
    for browser in (client, resident):
        assert browser.get("/passport").status_code == 302
        assert browser.get("/staff").status_code == 302


def test_nobody_signed_in_is_sent_to_the_staff_sign_in(client, demo_directory):
    for path in ("/staff", f"/staff/{ORG}/team"):
        response = client.get(path)
        assert response.status_code == 302
        assert journeys.path_of(response.headers["Location"]).startswith("/staff/sign-in?next=")


# The team ---------------------------------------------------------------------------------------


def test_an_admin_invites_changes_a_role_and_removes(app, client, mailbox, admin):
    colleague = f"colleague-{scenarios.marker()}@example.org"
    sent = journeys.post_form(client, f"/staff/{ORG}/team", {"email": colleague, "role": "staff"})
    assert sent.status_code == 302
    assert f"Invitation sent to {colleague}." in pages.text(client.get(f"/staff/{ORG}/team"))
    assert f"{colleague}, as Staff" in pages.text(client.get(f"/staff/{ORG}/team"))
    browser = app.test_client()
    staff.accept(browser, journeys.path_of(mailbox.link_to(colleague, staff.INVITATION)))

    members = staff.member_ids(client, ORG)
    assert set(members) == {admin, colleague}
    member_page = f"/staff/{ORG}/team/{members[colleague]}"
    assert journeys.post_form(client, member_page, {"role": "admin"}).status_code == 302
    assert "Eastbridge Advice Centre Admin" in pages.text(browser.get("/staff"))
    assert browser.get(f"/staff/{ORG}/team").status_code == 200

    removed = journeys.post_form(client, f"{member_page}/remove", {})
    assert removed.status_code == 302
    assert set(staff.member_ids(client, ORG)) == {admin}
    assert browser.get(f"/staff/{ORG}/team").status_code == 404
    assert "not a member of any organisation" in pages.text(browser.get("/staff"))


def test_an_invitation_with_bad_input_says_what_is_wrong_and_keeps_it(client, admin):
    typed = "not an address"
    response = journeys.post_form(client, f"/staff/{ORG}/team", {"email": typed, "role": "boss"})
    assert response.status_code == 200
    text = pages.text(response)
    assert "Enter an email address in the correct format" in text
    assert "Select a role" in text
    assert f'value="{typed}"' in response.get_data(as_text=True)


def test_the_last_admin_cannot_be_removed_or_demoted(app, client, mailbox, admin):
    (mine,) = staff.member_ids(client, ORG).values()
    page = f"/staff/{ORG}/team/{mine}"
    demoted = journeys.post_form(client, page, {"role": "staff"})
    assert demoted.status_code == 409
    assert pages.heading(demoted) == "You cannot change the last admin's role"
    removed = journeys.post_form(client, f"{page}/remove", {})
    assert removed.status_code == 409
    assert pages.heading(removed) == "You cannot remove the last admin"
    assert count(app, StaffMembership, StaffMembership.role == "admin") == 1

    # With a second admin, the first may step down.
    second = app.test_client()
    staff.join(app, second, mailbox, f"second-{scenarios.marker()}@example.org", "admin", ORG)
    assert journeys.post_form(client, page, {"role": "staff"}).status_code == 302
    assert count(app, StaffMembership, StaffMembership.role == "admin") == 1


@pytest.mark.parametrize("change", ["remove", "demote"])
def test_two_admins_removing_each_other_at_once_leave_one(app, client, mailbox, admin, change):
    from concurrent.futures import ThreadPoolExecutor

    second = app.test_client()
    other = f"other-admin-{scenarios.marker()}@example.org"
    staff.join(app, second, mailbox, other, "admin", ORG)
    members = staff.member_ids(client, ORG)
    # Each removes the other, many times over, at the same moment.
    plan = [(client, members[other]), (second, members[admin])] * 4
    tokens = [pages.csrf_token(browser.get(f"/staff/{ORG}/team")) for browser, _ in plan]

    def act(n: int) -> int:
        browser, target = plan[n]
        page = f"/staff/{ORG}/team/{target}"
        if change == "remove":
            return browser.post(f"{page}/remove", data={"csrf_token": tokens[n]}).status_code
        data = {"csrf_token": tokens[n], "role": "staff"}
        return browser.post(page, data=data).status_code

    with ThreadPoolExecutor(max_workers=len(plan)) as pool:
        results = list(pool.map(act, range(len(plan))))
    assert count(app, StaffMembership, StaffMembership.role == "admin") == 1
    # Who wins is chance: the loser is told it would leave no admin (409) if both asked at
    # once, or is no longer an admin (404) if the winner was quicker.
    assert set(results) <= {302, 404, 409}
    if change == "remove":
        assert results.count(302) == 1


def test_another_organisations_pages_are_not_found(app, client, mailbox, admin):
    other_admin = app.test_client()
    staff.join(
        app, other_admin, mailbox, f"food-{scenarios.marker()}@example.org", "admin", OTHER_ORG
    )
    (theirs,) = staff.member_ids(other_admin, OTHER_ORG).values()
    (mine,) = staff.member_ids(client, ORG).values()
    token = pages.csrf_token(client.get("/staff"))
    not_found = [
        client.get(f"/staff/{OTHER_ORG}/team"),
        client.get("/staff/no-such-organisation/team"),
        client.get(f"/staff/{OTHER_ORG}/team/{theirs}"),
        client.get(f"/staff/{OTHER_ORG}/team/{theirs}/remove"),
        client.post(f"/staff/{OTHER_ORG}/team/{theirs}/remove", data={"csrf_token": token}),
        client.post(
            f"/staff/{OTHER_ORG}/team",
            data={"csrf_token": token, "email": "x@example.org", "role": "admin"},
        ),
        # Their member through my organisation's address: not mine either.
        client.get(f"/staff/{ORG}/team/{theirs}"),
        client.post(f"/staff/{ORG}/team/{theirs}/remove", data={"csrf_token": token}),
        client.post(f"/staff/{ORG}/team/{theirs}", data={"csrf_token": token, "role": "staff"}),
    ]
    for response in not_found:
        assert response.status_code == 404
        assert pages.heading(response) == "Page not found"
    assert count(app, StaffMembership) == 2
    assert mailbox.to("x@example.org") == []
    # Staff (not admin) of an organisation do not get its team page either.
    worker = app.test_client()
    staff.join(app, worker, mailbox, f"worker-{scenarios.marker()}@example.org", "staff", ORG)
    assert worker.get(f"/staff/{ORG}/team").status_code == 404
    assert worker.get(f"/staff/{ORG}/team/{mine}").status_code == 404


# Keys ---------------------------------------------------------------------------------------------


def test_an_organisation_key_is_made_once_and_indexes_only_its_own(app, demo_directory):
    from passport.directory.models import Organisation

    with app.test_request_context():
        first, second = db.session.scalars(select(Organisation.id).limit(2)).all()
        key = staff_service.organisation_key(first)
        assert staff_service.organisation_key(first) is key
        other = staff_service.organisation_key(second)
        db.session.commit()
        own = vault.keyed_index(key, "status", "sent")
        assert own == vault.keyed_index(key, "status", "sent")
        assert own != vault.keyed_index(key, "status", "accepted")
        assert own != vault.keyed_index(other, "status", "sent")
        assert db.session.scalar(select(func.count()).select_from(OrganisationKey)) == 2
    with app.test_request_context():
        # Another request unwraps the same data key.
        stored = db.session.get(OrganisationKey, first)
        assert vault.keyed_index(stored, "status", "sent") == own
        db.session.remove()
