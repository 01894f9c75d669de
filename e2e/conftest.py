"""Browser tests: the real app under gunicorn, a real database, a real SMTP server, Chromium.

One server serves the whole session. Every test makes its own people (a fresh e-mail address
each time), so the tests never depend on one another's data or order.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

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
SERVER_LOG = pytest.StashKey[Path]()
CONTEXT = {"locale": "en-GB", "viewport": {"width": 1024, "height": 800}}


def pytest_addoption(parser: pytest.Parser) -> None:
    # tests/conftest.py adds the same option: `pytest tests e2e` loads both.
    with contextlib.suppress(ValueError):
        parser.addoption(
            "--db",
            default="sqlite",
            choices=["sqlite", "postgresql"],
            help="Database engine.",
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing browser test shows the end of the server's log: a 500 is explained there."""
    report: pytest.TestReport = yield
    log = item.config.stash.get(SERVER_LOG, None)
    if report.failed and log is not None and log.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-80:])
        report.sections.append(("gunicorn log (last 80 lines)", tail))
    return report


@dataclass(frozen=True)
class LiveServer:
    url: str
    mailbox: Mailbox


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
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
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
        request.config.stash[SERVER_LOG] = log
        try:
            _wait_until_healthy(url, server, log)
            yield LiveServer(url=url, mailbox=mailbox)
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
def people(new_context: Callable[..., BrowserContext], live_server: LiveServer) -> Iterator[People]:
    crowd = People(new_context, live_server)
    yield crowd
    crowd.check_everyone()


class People:
    """Each person gets their own browser context: their own cookies, caches and worker."""

    def __init__(self, new_context: Callable[..., BrowserContext], server: LiveServer) -> None:
        self.new_context = new_context
        self.server = server
        self.everyone: list[Person] = []

    def _context(self, javascript: bool) -> BrowserContext:
        context = self.new_context(java_script_enabled=javascript, **CONTEXT)
        context.set_default_timeout(10_000)
        return context

    def __call__(self, *, javascript: bool = True) -> Person:
        person = Person(
            self._context(javascript),
            self.server.url,
            self.server.mailbox,
            javascript=javascript,
            twin=lambda: self._context(True),
        )
        self.everyone.append(person)
        return person

    def check_everyone(self) -> None:
        problems = [problem for person in self.everyone for problem in person.problems()]
        assert not problems, "\n".join(problems)
