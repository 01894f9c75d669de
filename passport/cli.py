"""The `passport` command (the console script): the app's commands, run against create_app.

The commands themselves live with what they work on (`passport/commands.py`, and each
capability's `init_app`), so the factory never imports this module.
"""

from __future__ import annotations

import sys

from flask.cli import FlaskGroup

from passport.app import create_app


def main() -> None:
    cli = FlaskGroup(create_app=lambda: create_app(), help="Needs Passport.")
    sys.exit(cli.main(prog_name="passport"))
