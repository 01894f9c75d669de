"""`passport inbox rebuild`: give the referrals sent before the inbox was built (migration
0016) their entries, once."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from passport.commands import needs_database
from passport.database import db
from passport.inbox import service as inbox

inbox_group = AppGroup("inbox", help="Organisations' inboxes of referrals.")

BATCH = 100  # referrals placed per transaction: locks held briefly, work kept as it goes


def _referrals(count: int) -> str:
    return f"{count} referral" if count == 1 else f"{count} referrals"


@inbox_group.command("rebuild")
@needs_database
def rebuild() -> None:
    """Make the inbox entry of every sent referral that has none (those sent before
    migration 0016). Running it again makes nothing twice."""
    placed = dict.fromkeys(inbox.Placed, 0)
    for number, (referral_id, day) in enumerate(inbox.sent_referrals(), start=1):
        placed[inbox.place(referral_id, day)] += 1
        if number % BATCH == 0:
            db.session.commit()
    db.session.commit()
    click.echo(
        f"Added {_referrals(placed[inbox.Placed.MADE])} to their organisations' inboxes; "
        f"{_referrals(placed[inbox.Placed.HAD_ONE])} had their entry already."
    )
    if gone := placed[inbox.Placed.NO_ORGANISATION]:
        click.echo(f"Left out {_referrals(gone)} sent to organisations no longer in the directory.")


__all__ = ["inbox_group"]
