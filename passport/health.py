"""What /healthz checks: the database answers. (Views never touch the database themselves.)"""

from __future__ import annotations

from sqlalchemy import text

from passport.database import db


def check_database() -> None:
    """Raises if the database cannot be reached."""
    db.session.execute(text("SELECT 1"))
