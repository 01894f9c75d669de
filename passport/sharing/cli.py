"""`passport audit verify`: check every passport's audit chain (ADR 0031)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from passport.commands import needs_database
from passport.sharing import service as sharing

audit_group = AppGroup("audit", help="The audit trail of who has seen each passport.")


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@audit_group.command("verify")
@needs_database
def verify() -> None:
    """Walk every passport's chain of access events; exit 1 naming the first broken link of
    each broken chain (the passport's reference and the entry's number), else 0. It reads
    and hashes; it opens nothing sealed."""
    checked = sharing.verify_chains()
    click.echo(
        f"Checked {_count(checked.chains, 'chain', 'chains')} of "
        f"{_count(checked.entries, 'entry', 'entries')}."
    )
    if not checked.broken:
        click.echo("Every chain is whole.")
        return
    for link in checked.broken:
        click.echo(f"Broken: {link.line()}", err=True)
    raise click.exceptions.Exit(1)
