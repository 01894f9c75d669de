"""Setting a service's own questions: `passport directory questions SLUG` (organisation
admins' pages will call the same service functions), and the demo's few."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from passport.commands import needs_database
from passport.database import db
from passport.directory import service as directory
from passport.eligibility import service as eligibility
from passport.eligibility.models import IfNo
from passport.errors import NotFoundError

if TYPE_CHECKING:
    from passport.directory.models import Service

DERIVED = {"age": "How old are you?", "postcode": "What is your postcode?"}
DEMO_QUESTIONS = Path(__file__).resolve().parent.parent / "demo" / "eligibility.json"


def _service(slug: str) -> Service:
    try:
        return directory.get_service_or_404(slug)
    except NotFoundError:
        raise click.ClickException(f"No service has the slug '{slug}'.") from None


@click.command("questions")
@with_appcontext
@needs_database
@click.argument("slug")
@click.option("--add", "question", default=None, help="A yes/no question to add, in quotes.")
@click.option(
    "--meaning",
    default="",
    help="Who the service is for, said plainly, shown to someone a 'No' rules out "
    "(e.g. 'It is only for unpaid carers.').",
)
@click.option(
    "--if-no",
    type=click.Choice([rule.value for rule in IfNo]),
    default=IfNo.NOT_ELIGIBLE.value,
    show_default=True,
    help="What a 'No' means: not eligible (told why before sending), or borderline (sent, "
    "with a note to the organisation). 'Not sure' is always borderline.",
)
@click.option("--remove", type=int, default=None, help="Remove the question at this number.")
def questions(
    slug: str, question: str | None, meaning: str, if_no: str, remove: int | None
) -> None:
    """List a service's eligibility questions, or add or remove one of its own. Its ages and
    an area the directory can place come from its listing."""
    service = _service(slug)
    if question is not None:
        try:
            eligibility.add_question(service, question, meaning, if_no)
        except eligibility.QuestionError as error:
            raise click.ClickException(f"Nothing was added. {error}") from None
        db.session.commit()
    if remove is not None:
        if not eligibility.remove_question(service, remove):
            raise click.ClickException(f"The service has no question {remove}.")
        db.session.commit()
    asked = eligibility.questions_for(service)
    own = eligibility.own_questions(service)
    derived = [q for q in asked if q.kind != "circumstance"]
    if not asked:
        click.echo("It asks no questions.")
        return
    for found in derived:
        click.echo(f"- {DERIVED[found.kind]} (from its listing)")
    for mine in own:
        meaning_words = f"; who it is for: {mine.meaning}" if mine.meaning else ""
        click.echo(f"{mine.position}. {mine.question} (a 'No' is {mine.if_no}{meaning_words})")


@click.command("questions")
@with_appcontext
@needs_database
@click.argument(
    "source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEMO_QUESTIONS,
    required=False,
)
def demo_questions(source: Path) -> None:
    """Give a few demo services their own questions (passport/demo/eligibility.json: each
    service's slug and its questions). Safe to run again: each service's list is replaced."""
    wanted = json.loads(source.read_text(encoding="utf-8"))
    for slug, own in wanted.items():
        try:
            eligibility.set_questions(_service(slug), own)
        except eligibility.QuestionError as error:
            raise click.ClickException(f"Nothing was set. {slug}: {error}") from None
    db.session.commit()
    click.echo(f"Set the questions of {len(wanted)} services.")
