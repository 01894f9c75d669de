"""The directory's commands: the demo directory, and organisations added by hand."""

from __future__ import annotations

import io
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from passport.commands import needs_database
from passport.database import db
from passport.directory import hsds, importer, listing, postcodes
from passport.directory import service as directory
from passport.i18n import LANGUAGES

demo = AppGroup("demo", help="Demonstration data.")
org = AppGroup("org", help="Organisations in the directory.")
directory_group = AppGroup(
    "directory", help="The directory on Open Referral UK: import, export, postcodes, stale."
)


@demo.command("load")
@needs_database
def demo_load() -> None:
    """Load the fictional Eastbridge directory, an HSDS file, through the importer (safe to
    run again)."""
    try:
        summary = importer.load_demo()
    except directory.UnknownLanguageError as error:
        raise click.ClickException(f"Nothing was loaded. {error}") from None
    if summary.problems:
        problems = "\n".join(str(problem) for problem in summary.problems)
        raise click.ClickException(f"Nothing was loaded.\n{problems}")
    click.echo(
        f"Added {summary.organisations_added} organisations and {summary.services_added} "
        f"services ({directory.count_services()} services in the directory)."
    )
    updated = summary.organisations_updated + summary.services_updated
    if updated:
        moved = (
            f": review dates moved on {summary.days_moved} days from the file's, as if "
            "reviewed as recently as when it was made"
            if summary.days_moved
            else ""
        )
        click.echo(
            f"Updated {summary.organisations_updated} organisations and "
            f"{summary.services_updated} services{moved}."
        )
    _load_demo_postcodes()


@org.command("create")
@needs_database
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
@needs_database
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


# Files bigger than this show a progress bar while they are read.
PROGRESS_FROM_BYTES = 1_000_000


@directory_group.command("import")
@needs_database
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid records and list the others (by default one invalid record "
    "means nothing is imported).",
)
@click.option(
    "--categories",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="PASSPORT_DIRECTORY_CATEGORY_MAP",
    help="A JSON file mapping other taxonomies' terms to the passport's categories (see the "
    "README). Default: PASSPORT_DIRECTORY_CATEGORY_MAP.",
)
def directory_import(source: Path, skip_invalid: bool, categories: Path | None) -> None:
    """Import an HSDS 3.0 (Open Referral UK) JSON file: an organization with its services, a
    service, a page of services, or an array of these. Upserts by id, in one transaction."""
    try:
        category_map = hsds.read_category_map(categories) if categories else None
    except hsds.CategoryMapError as error:
        raise click.ClickException(f"Nothing was imported. {error}") from None
    size = source.stat().st_size
    with click.progressbar(
        length=size, label="Reading", file=None if size >= PROGRESS_FROM_BYTES else io.StringIO()
    ) as bar:
        try:
            summary = importer.import_file(
                source, skip_invalid=skip_invalid, read=bar.update, categories=category_map
            )
        except importer.SourceError as error:
            raise click.ClickException(str(error)) from None
    for problem in summary.problems:
        click.echo(str(problem), err=True)
    for warning in summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    problems = _count(len(summary.problems), "problem")
    if summary.problems and not summary.committed:
        raise click.ClickException(
            f"{problems} in {source.name}: nothing was imported. "
            "Correct them, or use --skip-invalid to import the valid records."
        )
    if summary.problems and not summary.records:
        raise click.ClickException(
            f"Every record in {source.name} had problems ({problems}): nothing was imported."
        )
    if not summary.records:
        click.echo(f"{source.name} holds no organizations or services.")
        return
    for line in summary.lines():
        click.echo(line)
    if summary.problems:
        click.echo(f"Skipped the records with the {problems} listed.")
    elif not summary.changed:
        click.echo("Nothing changed: the directory already holds every record in this file.")
    if summary.located and not postcodes.any_loaded():
        click.echo(
            f"Imported {_count(summary.located, 'location')} with a postcode, but no postcodes"
            " are loaded: to search by distance, run 'passport directory postcodes import"
            " FILE.csv' with the ONS Postcode Directory."
        )


def _count(number: int, noun: str) -> str:
    """ "1 problem", "2 problems": CLI output is English."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


@directory_group.command("export")
@needs_database
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def directory_export(file: Path) -> None:
    """Write the whole directory as HSDS 3.0: a JSON array of organizations with their
    services nested, in order of id."""
    try:
        with file.open("w", encoding="utf-8") as stream:
            count = importer.export(stream)
    except OSError as error:
        raise click.ClickException(f"Could not write {file}: {error.strerror}.") from None
    click.echo(f"Wrote {count} services to {file}.")


# Postcodes (the search helper's) ---------------------------------------------------------------

postcodes_group = AppGroup("postcodes", help="Postcode centroids from the ONS Postcode Directory.")
directory_group.add_command(postcodes_group)


@postcodes_group.command("import")
@needs_database
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def postcodes_import(file: Path) -> None:
    """Import an ONS Postcode Directory CSV (columns pcds, lat, long; osward and lsoa21 or
    lsoa11 when there): adds new postcodes and updates known ones, in one transaction."""
    size = file.stat().st_size
    with click.progressbar(
        length=size, label="Reading", file=None if size >= PROGRESS_FROM_BYTES else io.StringIO()
    ) as bar:
        try:
            summary = postcodes.import_csv(file, progress=bar.update)
        except postcodes.PostcodeFileError as error:
            raise click.ClickException(f"Nothing was imported from {file.name}.\n{error}") from None
    click.echo(
        f"Imported {summary.imported} postcodes from {file.name} "
        f"({postcodes.count()} postcodes known)."
    )
    if summary.without_place:
        click.echo(f"Left out {summary.without_place} the ONS cannot place (latitude 99.999999).")


def _load_demo_postcodes() -> None:
    summary = postcodes.import_csv(postcodes.DEMO_FILE)
    click.echo(f"Loaded {summary.imported} Eastbridge postcodes.")
