"""The organisation's inbox: its staff's list of the referrals sent to it, and each
referral's page (ADR 0010)."""

from __future__ import annotations

from flask import Flask, g


def init_app(app: Flask) -> None:
    """The inbox pages, and the count of new referrals the header shows on an
    organisation's pages to those who work its referrals; and `passport inbox`."""
    from passport.inbox import cli, service
    from passport.inbox.views import bp
    from passport.staff.roles import Can, may

    app.register_blueprint(bp)
    app.cli.add_command(cli.inbox_group)

    def inbox_nav() -> tuple[str, int] | None:
        """(the organisation's slug, how many referrals are new) on an organisation's page,
        for a role that works referrals; else None."""
        organisation, role = g.get("organisation"), g.get("staff_role")
        if organisation is None or role is None or not may(role, Can.WORK_REFERRALS):
            return None
        return organisation.slug, service.new_count(organisation.id)

    app.jinja_env.globals["inbox_nav"] = inbox_nav
