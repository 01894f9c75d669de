"""Browser tests: the real app under gunicorn, a real database, a real SMTP server, Chromium.

One server serves the whole session. Every test makes its own people (a fresh e-mail address
each time), so the tests never depend on one another's data or order.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from e2e.pages import Person
from tests.support import database
from tests.support.mailbox import Mailbox, free_port, smtp_server

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CHROMIUM = "/usr/bin/chromium"
QUIET_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default="sqlite",
        choices=["sqlite", "postgresql"],
        help="Database engine.",
    )


@dataclass(frozen=True)
class LiveServer:
    url: str
    mailbox: Mailbox
    log: Path


def _passport(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [str(BIN / "passport"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"passport {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped on start:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /healthz within 30 s:\n{log.read_text()}")


def _stop(pid_file: Path, server: subprocess.Popen[bytes]) -> None:
    pid = int(pid_file.read_text().strip()) if pid_file.exists() else server.pid
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.kill(pid, signal.SIGKILL)
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """Migrate a fresh database, load the demo directory, and serve the app with gunicorn."""
    engine = str(request.config.getoption("--db"))
    instance = tmp_path_factory.mktemp("instance")
    with smtp_server() as mailbox, database.fresh_database(engine, instance) as database_url:
        port = free_port()
        url = f"http://localhost:{port}"  # WebAuthn needs localhost, not 127.0.0.1
        env = {
            **os.environ,
            "PASSPORT_DATABASE_URL": database_url,
            "PASSPORT_INSTANCE_DIR": str(instance),
            "PASSPORT_KEY_FILE": str(instance / "keyring.json"),
            "PASSPORT_SECRET_KEY": secrets.token_urlsafe(32),
            "PASSPORT_BASE_URL": url,
            "PASSPORT_MAIL_TRANSPORT": "smtp",
            "PASSPORT_SMTP_HOST": "127.0.0.1",
            "PASSPORT_SMTP_PORT": str(mailbox.port),
            "PASSPORT_RATELIMIT_ENABLED": "false",
        }
        env.pop("PASSPORT_KEYRING", None)
        _passport(env, "db", "upgrade")
        _passport(env, "demo", "load")
        pid_file = instance / "gunicorn.pid"
        log = instance / "gunicorn.log"
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-b",
                    f"localhost:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--pid",
                    str(pid_file),
                    "passport:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_healthy(url, server, log)
            yield LiveServer(url=url, mailbox=mailbox, log=log)
        finally:
            _stop(pid_file, server)


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """pytest-base-url's fixture, pointed at the live server (contexts get it as base_url)."""
    return live_server.url


@pytest.fixture(scope="session")
def mailbox(live_server: LiveServer) -> Mailbox:
    return live_server.mailbox


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": QUIET_FLAGS}


@pytest.fixture
def screenshots() -> Path | None:
    """Where README screenshots go, only when E2E_SCREENSHOTS=1 (normal runs leave them)."""
    if os.environ.get("E2E_SCREENSHOTS") != "1":
        return None
    folder = ROOT / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def people(
    browser: Browser, browser_context_args: dict[str, object], live_server: LiveServer
) -> Iterator[PeopleFactory]:
    factory = PeopleFactory(browser, browser_context_args, live_server)
    yield factory
    factory.close()


class PeopleFactory:
    """Each person gets their own browser context: their own cookies, caches and worker."""

    def __init__(
        self, browser: Browser, context_args: dict[str, object], server: LiveServer
    ) -> None:
        self.browser = browser
        self.context_args = context_args
        self.server = server
        self.contexts: list[BrowserContext] = []
        self.people: list[Person] = []

    def __call__(self, *, javascript: bool = True, language: str = "en") -> Person:
        context = self.browser.new_context(
            **self.context_args,
            java_script_enabled=javascript,
            locale="en-GB",
            viewport={"width": 1024, "height": 800},
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        person = Person(context, self.server.url, self.server.mailbox, language=language)
        self.people.append(person)
        return person

    def close(self) -> None:
        problems = [problem for person in self.people for problem in person.problems()]
        for context in self.contexts:
            context.close()
        assert not problems, "\n".join(problems)
