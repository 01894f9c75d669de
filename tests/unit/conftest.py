"""The unit tier: pure code, no app, no database, no mail server. `pytest tests/unit` runs in
seconds; `make test` collects it with the rest of tests/."""

from __future__ import annotations

import pytest

NOT_HERE = {
    "app",
    "client",
    "org_client",
    "database_url",
    "engine_name",
    "instance_dir",
    "mailbox",
    "demo_directory",
    "frozen_clock",
}


@pytest.fixture(autouse=True)
def _pure(request: pytest.FixtureRequest) -> None:
    used = sorted(NOT_HERE & set(request.fixturenames))
    if used:
        pytest.fail(f"A unit test that needs {used} belongs in tests/, not tests/unit/")
