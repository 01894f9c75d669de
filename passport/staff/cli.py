"""`passport staff`: invite someone to an organisation (or to a site-wide role), list a team."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask import g
from flask.cli import AppGroup

from passport import notify
from passport.commands import needs_database
from passport.database import db
from passport.i18n import LANGUAGES
from passport.links import external_url
from passport.staff import service as staff
from passport.staff.roles import SITE_WIDE, StaffRole

staff_group = AppGroup("staff", help="Staff accounts: invitations and teams.")


@staff_group.command("invite")
@needs_database
@click.option("--org", "slug", default="", help="The organisation's short name (its slug).")
@click.option("--email", required=True, help="Their work email address.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in StaffRole]),
    required=True,
    help="admin, staff or volunteer in an organisation; directory-admin or commissioner "
    "site-wide (without --org).",
)
@click.option(
    "--language",
    type=click.Choice(list(LANGUAGES)),
    default="en",
    show_default=True,
    help="The language of the invitation e-mail (English or Welsh).",
)
def invite(slug: str, email: str, role: str, language: str) -> None:
    """E-mail someone a single-use invitation, valid for 7 days."""
    try:
        address = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from None
    organisation = None
    if StaffRole(role) in SITE_WIDE:
        if slug:
            raise click.BadParameter(f"{role} is site-wide: leave out --org.", param_hint="--org")
    else:
        if not slug:
            raise click.BadParameter(f"Say which organisation {role} is for.", param_hint="--org")
        organisation = staff.find_organisation(slug)
        if organisation is None:
            raise click.BadParameter(f"No organisation {slug!r}.", param_hint="--org")
    token = staff.invite(address, role, organisation, language=language)
    db.session.commit()
    # The mail this command queued and committed, sent now (what fails waits in the outbox
    # for `passport mail send`).
    outcome = notify.send_pending(only=g.pop("committed_mail", []))
    where = organisation.name if organisation is not None else "Needs Passport (site-wide)"
    sent = "E-mailed" if outcome.sent else "Queued (not sent yet: run 'passport mail send')"
    click.echo(f"{sent} an invitation to {address}: {role} at {where}.")
    click.echo(f"Its link, valid for 7 days: {external_url('staff.invitation', token=token)}")


@staff_group.command("list")
@needs_database
@click.option("--org", "slug", required=True, help="The organisation's short name (its slug).")
def list_team(slug: str) -> None:
    """The organisation's staff and pending invitations."""
    organisation = staff.find_organisation(slug)
    if organisation is None:
        raise click.BadParameter(f"No organisation {slug!r}.", param_hint="--org")
    members = staff.team(organisation)
    if not members:
        click.echo(f"{organisation.name} has no staff yet.")
    for member in members:
        click.echo(f"{member.email}\t{member.role.value}")
    for invitation in staff.pending_invitations(organisation):
        click.echo(f"{invitation.email}\t{invitation.role.value}\tinvited")


__all__ = ["staff_group"]
