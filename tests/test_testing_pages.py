"""The test-only pages (passport/testing.py): a clock a test can move from outside the server,
registered only when PASSPORT_TESTING is on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from passport import clock, create_app
from tests.conftest import make_settings


def make_app(instance: Path, **changes: object) -> Flask:
    settings = make_settings(instance, f"sqlite:///{instance / 'unused.db'}", 25, **changes)
    return create_app({"SETTINGS": settings, "TESTING": True})


def routes_for_tests(app: Flask) -> list[str]:
    return [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("testing.")]


def test_a_test_server_has_the_clock_page(tmp_path):
    assert routes_for_tests(make_app(tmp_path, env="test", testing=True)) == [
        "/_testing/clock",
        "/_testing/session-limits",
    ]


@pytest.mark.parametrize("env", ["development", "production"])
def test_production_and_development_never_have_it(tmp_path, env):
    app = make_app(tmp_path, env=env)
    assert routes_for_tests(app) == []
    assert "testing" not in app.blueprints
    assert app.test_client().post("/_testing/clock", json={"seconds": 60}).status_code == 404
    assert app.test_client().post("/_testing/session-limits", json={}).status_code == 404


def test_moving_the_clock_moves_it_for_every_worker_of_the_server(tmp_path):
    # Two apps on one instance folder stand for two gunicorn workers of the e2e server.
    worker, other_worker = make_app(tmp_path, testing=True), make_app(tmp_path, testing=True)
    with other_worker.app_context():
        before = clock.now()

    moved = worker.test_client().post("/_testing/clock", json={"seconds": 3600})
    assert moved.status_code == 200

    with other_worker.app_context():
        assert clock.now() - before >= timedelta(hours=1)
    worker.test_client().post("/_testing/clock", json={"reset": True})
    with other_worker.app_context():
        assert clock.now() - before < timedelta(minutes=5)


def test_each_app_keeps_its_own_clock(tmp_path):
    moved, plain = make_app(tmp_path, testing=True), make_app(tmp_path / "other")
    moved.test_client().post("/_testing/clock", json={"seconds": 86400})
    with moved.app_context():
        tomorrow = clock.now()
    with plain.app_context():
        assert tomorrow - clock.now() > timedelta(hours=23)
