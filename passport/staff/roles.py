"""Staff roles, in one place, with what each may do.

A role is held in an organisation (admin, staff, volunteer) or site-wide (directory admin,
commissioner: a membership with no organisation). Code asks `may(role, Can.X)`, never a
role's name, so a new role (a community information point's volunteer) is a row here.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class StaffRole(enum.StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    VOLUNTEER = "volunteer"
    DIRECTORY_ADMIN = "directory-admin"
    COMMISSIONER = "commissioner"


class Can(enum.StrEnum):
    MANAGE_TEAM = "manage-team"  # invite, remove, change roles
    MANAGE_LISTINGS = "manage-listings"
    WORK_REFERRALS = "work-referrals"
    ASSIST_RESIDENTS = "assist-residents"  # assisted mode, only within a resident's consent
    APPROVE_DIRECTORY = "approve-directory"  # organisations and listing changes
    SEE_REPORTS = "see-reports"


PERMISSIONS: dict[StaffRole, frozenset[Can]] = {
    StaffRole.ADMIN: frozenset({Can.MANAGE_TEAM, Can.MANAGE_LISTINGS, Can.WORK_REFERRALS}),
    StaffRole.STAFF: frozenset({Can.WORK_REFERRALS}),
    StaffRole.VOLUNTEER: frozenset({Can.ASSIST_RESIDENTS}),
    StaffRole.DIRECTORY_ADMIN: frozenset({Can.APPROVE_DIRECTORY}),
    StaffRole.COMMISSIONER: frozenset({Can.SEE_REPORTS}),
}

# Held in an organisation; the others are site-wide (no organisation).
IN_ORGANISATION = (StaffRole.ADMIN, StaffRole.STAFF, StaffRole.VOLUNTEER)
SITE_WIDE = (StaffRole.DIRECTORY_ADMIN, StaffRole.COMMISSIONER)

ROLE_NAMES = {
    StaffRole.ADMIN: _l("Admin"),
    StaffRole.STAFF: _l("Staff"),
    StaffRole.VOLUNTEER: _l("Volunteer"),
    StaffRole.DIRECTORY_ADMIN: _l("Directory admin"),
    StaffRole.COMMISSIONER: _l("Commissioner"),
}

ROLE_HINTS = {
    StaffRole.ADMIN: _l("Works referrals, manages the team and the organisation's listings."),
    StaffRole.STAFF: _l("Works the organisation's referrals."),
    StaffRole.VOLUNTEER: _l("Helps residents in person, only with their consent."),
}


def may(role: StaffRole | str, can: Can) -> bool:
    return can in PERMISSIONS.get(StaffRole(role), frozenset())
