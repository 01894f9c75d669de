"""Staff roles are one table: every role has what it may do, a name, and one place it is held."""

from __future__ import annotations

from passport.staff.roles import (
    IN_ORGANISATION,
    PERMISSIONS,
    ROLE_NAMES,
    SITE_WIDE,
    Can,
    StaffRole,
    may,
)


def test_every_role_is_held_in_one_place_with_a_name_and_permissions():
    assert set(IN_ORGANISATION) | set(SITE_WIDE) == set(StaffRole)
    assert not set(IN_ORGANISATION) & set(SITE_WIDE)
    assert set(PERMISSIONS) == set(StaffRole) == set(ROLE_NAMES)
    assert all(PERMISSIONS[role] for role in StaffRole)


def test_only_an_admin_manages_the_team_and_only_a_directory_admin_approves():
    assert [role for role in StaffRole if may(role, Can.MANAGE_TEAM)] == [StaffRole.ADMIN]
    assert [role for role in StaffRole if may(role, Can.APPROVE_DIRECTORY)] == [
        StaffRole.DIRECTORY_ADMIN
    ]
    assert may("staff", Can.WORK_REFERRALS) and not may("volunteer", Can.WORK_REFERRALS)
