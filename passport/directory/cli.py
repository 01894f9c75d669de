"""The directory's commands: the demo directory, and organisations added by hand."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from passport.database import db
from passport.directory import listing
from passport.directory import service as directory
from passport.i18n import LANGUAGES

demo = AppGroup("demo", help="Demonstration data.")
org = AppGroup("org", help="Organisations in the directory.")
directory_group = AppGroup(
    "directory", help="The directory on Open Referral UK: import, export, postcodes, stale."
)


@demo.command("load")
def demo_load() -> None:
    """Load the fictional Eastbridge directory (safe to run again)."""
    try:
        orgs, services = directory.load_directory()
    except (directory.DirectoryTextError, directory.UnknownLanguageError) as error:
        raise click.ClickException(f"Nothing was loaded. {error}") from None
    click.echo(
        f"Added {orgs} organisations and {services} services "
        f"({directory.count_services()} services in the directory)."
    )


@org.command("create")
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--email", required=True, help="Where referrals and codes are sent.")
@click.option("--slug", default="", help="Short name for web addresses.")
@click.option("--website", default="")
@click.option("--phone", default="")
@click.option(
    "--language",
    type=click.Choice(list(LANGUAGES)),
    default="en",
    show_default=True,
    help="The language of the emails sent to it (English or Welsh).",
)
def org_create(name: str, email: str, slug: str, website: str, phone: str, language: str) -> None:
    """Add an organisation."""
    options = {"name": name, "email": email, "slug": slug, "website": website, "phone": phone}
    for option, value in options.items():
        try:
            directory.check_text(f"organisation {name!r}", {option: value})
        except directory.DirectoryTextError as error:
            raise click.BadParameter(str(error), param_hint=f"--{option}") from None
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from None
    organisation = directory.create_organisation(
        name, email, slug=slug, website=website, phone=phone, language=language
    )
    taken = organisation.slug
    try:
        db.session.commit()
    except IntegrityError:  # the only unique column is the slug
        db.session.rollback()
        raise click.ClickException(
            f"An organisation with the slug '{taken}' already exists. Choose another with --slug."
        ) from None
    click.echo(f"Added {organisation.name} ({organisation.slug}).")


@directory_group.command("stale")
@click.option(
    "--months",
    type=click.IntRange(min=0),
    default=None,
    help="Not reviewed for this many months (default: PASSPORT_DIRECTORY_STALE_MONTHS).",
)
def directory_stale(months: int | None) -> None:
    """List listings not reviewed for a while (or never), with their organisation."""
    stale = listing.stale_listings(months)
    shown = listing.stale_months() if months is None else months
    if not stale:
        click.echo(f"Every listing was reviewed in the last {shown} months.")
        return
    click.echo(f"{len(stale)} listings not reviewed in the last {shown} months:")
    for found in stale:
        day = found.reviewed_on
        reviewed = f"last reviewed {day.day} {day:%B %Y}" if day else "never reviewed"
        hidden = "; hidden from referral" if found.hidden else ""
        click.echo(f"- {found.name} ({found.organisation}): {reviewed}{hidden}")
