"""Staff: accounts of their own kind for the people who work in organisations, their roles,
invitations, and the organisation's team page (ADR 0026)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The staff pages, the role names for templates, and `passport staff`."""
    from passport.staff import cli
    from passport.staff.roles import ROLE_NAMES, StaffRole
    from passport.staff.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["staff_role_name"] = lambda role: ROLE_NAMES[StaffRole(role)]
    app.cli.add_command(cli.staff_group)
