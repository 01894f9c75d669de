"""The app-wide `passport` commands: the database schema, the e-mail outbox, encryption keys,
and the scheduled jobs (`passport jobs run`, for cron).

A capability adds its own commands in its `init_app` (the directory: `demo`, `org`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from passport.config import ROOT

if TYPE_CHECKING:
    from alembic.config import Config

database = AppGroup("db", help="The database schema.")
mail = AppGroup("mail", help="The email outbox.")
keys = AppGroup("keys", help="Encryption keys.")
scheduled = AppGroup("jobs", help="Scheduled jobs (run them from cron).")


def init_app(app: Flask) -> None:
    for group in (database, mail, keys, scheduled):
        app.cli.add_command(group)


def alembic_config() -> Config:
    """Alembic's configuration for the current app's database."""
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", current_app.config["SQLALCHEMY_DATABASE_URI"])
    return cfg


def revisions() -> tuple[str | None, str | None]:
    """The database's revision (None: never migrated) and the newest the code has."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from passport.database import db

    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, ScriptDirectory.from_config(alembic_config()).get_current_head()


def needs_database(command: Callable[..., Any]) -> Callable[..., Any]:
    """A command that reads or writes the tables: a clear message, not a traceback, when the
    database has not been migrated to the code's newest revision."""

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        current, newest = revisions()
        if current != newest:
            state = "is empty" if current is None else f"is at revision {current}, not {newest}"
            raise click.ClickException(
                f"The database {state}: run 'passport db upgrade' first. Nothing was changed."
            )
        return command(*args, **kwargs)

    return checked


def _emails(count: int) -> str:
    return f"{count} email" if count == 1 else f"{count} emails"


def _messages(count: int) -> str:
    return f"{count} message" if count == 1 else f"{count} messages"


@database.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database to a revision (default: the newest)."""
    from alembic import command

    command.upgrade(alembic_config(), revision)
    current, newest = revisions()
    if current == newest:
        click.echo(f"The database is up to date (revision {current}).")
    else:
        click.echo(f"The database is at revision {current} (the newest is {newest}).")


@database.command("current")
def db_current() -> None:
    """Show the database's revision."""
    from alembic import command

    command.current(alembic_config())


@mail.command("send")
def mail_send() -> None:
    """Send emails that are still queued (for a scheduled job)."""
    from passport import notify

    outcome = notify.send_pending()
    click.echo(f"Sent {_emails(outcome.sent)}.")
    if outcome.failed:
        click.echo(f"Could not send {_emails(outcome.failed)} (the log says why).")
    if outcome.given_up:
        click.echo(f"Gave up on {_messages(outcome.given_up)}: 'passport mail failed' lists them.")


@mail.command("failed")
def mail_failed() -> None:
    """List the messages given up (never to whom), and what still waits to be sent."""
    from passport import notify

    waiting = notify.waiting()
    line = f"Waiting to be sent: {_messages(waiting.messages)}"
    if waiting.next_attempt_at is not None:
        line += f" (the next retry is due at {waiting.next_attempt_at:%Y-%m-%d %H:%M} UTC)"
    click.echo(line + ".")
    given_up = notify.given_up()
    if not given_up:
        click.echo("None given up.")
        return
    click.echo(f"Given up: {_messages(len(given_up))}.")
    for message in given_up:
        click.echo(
            f"  {message.id}  {message.channel:<5}  queued {message.created_at:%Y-%m-%d %H:%M}"
            f"  given up {message.failed_at:%Y-%m-%d %H:%M}  after {message.attempts} "
            f"{'try' if message.attempts == 1 else 'tries'}: {message.last_error or 'unknown'}"
        )


@scheduled.command("run")
@click.option("--only", metavar="NAME", help="Run only the job of that name.")
@needs_database
def jobs_run(only: str | None) -> None:
    """Do what is due now: send due and retried messages, and every other job. Running it
    twice does nothing twice."""
    from passport import jobs

    names = [job.name for job in jobs.registered()]
    if only is not None and only not in names:
        raise click.ClickException(f"No job is named {only!r}. Jobs: {', '.join(names)}.")
    failed = False
    for ran in jobs.run_due(only):
        click.echo(f"{ran.name}: {ran.said}")
        failed = failed or not ran.ok
    if failed:
        raise SystemExit(1)


@keys.command("rotate")
def keys_rotate() -> None:
    """Add a new key-encryption key and re-wrap every data key with it."""
    from passport.keys import rotate

    count = rotate()
    click.echo(f"Re-wrapped {count} data keys with the new key.")
