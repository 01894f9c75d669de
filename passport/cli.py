"""The `passport` command: database, demo data, organisations, email and keys."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from passport.config import ROOT
from passport.i18n import LANGUAGES


def alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", current_app.config["SQLALCHEMY_DATABASE_URI"])
    return cfg


def _emails(count: int) -> str:
    return f"{count} email" if count == 1 else f"{count} emails"


def register(app: Flask) -> None:
    @app.cli.group()
    def db() -> None:
        """The database schema."""

    @db.command("upgrade")
    @click.argument("revision", default="head")
    def db_upgrade(revision: str) -> None:
        """Migrate the database to a revision (default: the newest)."""
        from alembic import command

        command.upgrade(alembic_config(), revision)
        click.echo(f"Database at {revision}.")

    @db.command("current")
    def db_current() -> None:
        """Show the database's revision."""
        from alembic import command

        command.current(alembic_config())

    @app.cli.group()
    def demo() -> None:
        """Demonstration data."""

    @demo.command("load")
    def demo_load() -> None:
        """Load the fictional Eastbridge directory (safe to run again)."""
        from passport.directory import service as directory

        try:
            orgs, services = directory.load_directory()
        except (directory.DirectoryTextError, directory.UnknownLanguageError) as error:
            raise click.ClickException(f"Nothing was loaded. {error}") from None
        click.echo(
            f"Added {orgs} organisations and {services} services "
            f"({directory.count_services()} services in the directory)."
        )

    @app.cli.group()
    def org() -> None:
        """Organisations in the directory."""

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
    def org_create(
        name: str, email: str, slug: str, website: str, phone: str, language: str
    ) -> None:
        """Add an organisation."""
        from email_validator import EmailNotValidError, validate_email
        from sqlalchemy.exc import IntegrityError

        from passport.database import db as database
        from passport.directory import service as directory

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
            database.session.commit()
        except IntegrityError:  # the only unique column is the slug
            database.session.rollback()
            raise click.ClickException(
                f"An organisation with the slug '{taken}' already exists. "
                "Choose another with --slug."
            ) from None
        click.echo(f"Added {organisation.name} ({organisation.slug}).")

    @app.cli.group()
    def mail() -> None:
        """The email outbox."""

    @mail.command("send")
    def mail_send() -> None:
        """Send emails that are still queued (for a scheduled job)."""
        from passport import notify

        outcome = notify.send_pending()
        click.echo(f"Sent {_emails(outcome.sent)}.")
        if outcome.failed:
            click.echo(f"Could not send {_emails(outcome.failed)} (the log says why).")

    @app.cli.group()
    def keys() -> None:
        """Encryption keys."""

    @keys.command("rotate")
    def keys_rotate() -> None:
        """Add a new key-encryption key and re-wrap every data key with it."""
        from passport.keys import rotate

        count = rotate()
        click.echo(f"Re-wrapped {count} data keys with the new key.")


def main() -> None:
    from passport.app import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Needs Passport.")
    sys.exit(cli.main(prog_name="passport"))
