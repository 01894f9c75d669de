"""Services, models and the domain modules take no part in the web request: no `abort`,
`session`, `request`, `url_for` or `redirect`. They raise domain errors (passport/errors.py)
that handlers answer; the views, access decorators and templates know the request."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from passport.config import ROOT

PASSPORT = ROOT / "passport"
WEB_ONLY = {"abort", "session", "request", "url_for", "redirect"}
# Every capability's service and models (a new capability is covered from its first line),
# and the modules of the domain that every capability shares.
DOMAIN = sorted(
    [
        *PASSPORT.glob("*/service.py"),
        *PASSPORT.glob("*/models.py"),
        *PASSPORT.glob("*/lifecycle.py"),
        PASSPORT / "accounts" / "passkeys.py",
        *(PASSPORT / name for name in ("database.py", "events.py", "notify.py", "vault.py")),
    ]
)


def flask_names(source: str) -> set[str]:
    """What a module takes from flask: `from flask import x`, or `flask.x` used."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "flask":
            names |= {alias.name for alias in node.names}
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "flask"
        ):
            names.add(node.attr)
    return names


def test_the_rule_covers_every_capability():
    assert {path.parent.name for path in DOMAIN if path.name == "service.py"} >= {
        "accounts",
        "directory",
        "needs",
        "referrals",
        "sharing",
    }


@pytest.mark.parametrize("path", DOMAIN, ids=lambda path: str(path.relative_to(PASSPORT)))
def test_a_domain_module_knows_nothing_of_the_request(path: Path):
    assert flask_names(path.read_text()) & WEB_ONLY == set()


def test_the_check_sees_what_it_forbids():
    assert flask_names("from flask import abort, g\nimport flask\nflask.session['x'] = 1") == {
        "abort",
        "g",
        "session",
    }
