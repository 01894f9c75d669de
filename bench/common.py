"""What both benchmarks share: a throwaway instance (database, keys, secret) and page parsing.

Nothing here touches the repository's own instance/ folder: every run makes a temporary
directory, points PASSPORT_INSTANCE_DIR and PASSPORT_DATABASE_URL at it, migrates it with
`passport db upgrade`, loads the demo directory, and removes it afterwards.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make the project's packages importable

import sqlalchemy as sa  # noqa: E402

from tests.support import server  # noqa: E402
from tests.support.database import PG_ADMIN_URL  # noqa: E402
from tests.support.mailbox import free_port  # noqa: E402

__all__ = ["ROOT", "free_port", "server"]

STORY = (
    "My landlord gave me a section 21 notice three weeks ago and says I have to leave the "
    "flat by the end of next month. I have lived here for six years with my two children, "
    "who are eight and eleven and go to the primary and secondary schools nearby. The "
    "notice came after I asked him again to fix the damp in the children's bedroom, which "
    "has black mould on the walls and makes my younger son's asthma worse. I do not know "
    "if the notice is valid, because I never got a copy of the gas safety certificate or "
    "the information about where my deposit is protected. I work part time at a care home, "
    "about twenty hours a week, and I get Universal Credit on top of my wages, but the "
    "housing element does not cover the whole rent, so I have fallen behind by about two "
    "months. I have looked at other flats but every letting agent asks for a guarantor and "
    "a deposit of five weeks' rent that I do not have. I am worried that if we have to go "
    "into temporary accommodation the children will have to move schools, and that I will "
    "lose my job because I do not drive and the shifts start early. I would like someone to "
    "check whether the notice is valid, help me talk to the council's housing team before "
    "it is too late, and tell me what I can do about the arrears and the repairs. Mornings "
    "are hard for me to talk because of the school run, but I can usually take calls after "
    "ten o'clock or on Wednesdays when I do not work. Please do not leave voicemails "
    "mentioning the landlord, because my phone is sometimes used by my eldest daughter."
)


@contextlib.contextmanager
def temp_instance(**settings: str) -> Iterator[tuple[Path, dict[str, str]]]:
    """A migrated SQLite database with the demo directory; yields (folder, environment).

    The environment (PASSPORT_* settings) is also applied to os.environ for the duration,
    so create_app() in this process reads the same database, keys and secret.
    """
    with tempfile.TemporaryDirectory(prefix="passport-bench-") as folder:
        path = Path(folder)
        env = {
            "PASSPORT_INSTANCE_DIR": str(path),
            "PASSPORT_DATABASE_URL": f"sqlite:///{path / 'bench.db'}",
            "PASSPORT_MAIL_TRANSPORT": "console",
            "PASSPORT_RATELIMIT_ENABLED": "false",
            **{f"PASSPORT_{name.upper()}": value for name, value in settings.items()},
        }
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        try:
            full_env = dict(os.environ)
            server.run_passport(full_env, "db", "upgrade")
            server.run_passport(full_env, "demo", "load")
            yield path, full_env
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@contextlib.contextmanager
def database(engine: str, folder: Path, kept: str | None = None) -> Iterator[str]:
    """A new database for the engine, dropped afterwards; with `kept` (a name), a lasting one
    that a later run reuses."""
    if engine == "sqlite":
        name = f"{kept}.db" if kept else "bench-" + uuid.uuid4().hex[:8] + ".db"
        yield f"sqlite:///{folder / name}"
        return
    name = f"passport_bench_{kept}" if kept else "passport_bench_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        there = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not there:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        if not kept:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def environment(folder: Path, url: str) -> Iterator[dict[str, str]]:
    """PASSPORT_* settings for a database of the benchmark's own, applied to os.environ for
    the duration (so create_app() in this process reads them); yields the whole environment."""
    env = {
        "PASSPORT_INSTANCE_DIR": str(folder),
        "PASSPORT_DATABASE_URL": url,
        "PASSPORT_MAIL_TRANSPORT": "console",
        "PASSPORT_RATELIMIT_ENABLED": "false",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield dict(os.environ)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value at least `share` of them are within."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class PageParser(HTMLParser):
    """The assets a page references, and the values of its hidden inputs."""

    ICON_RELS = frozenset({"icon", "shortcut", "apple-touch-icon", "mask-icon"})

    def __init__(self) -> None:
        super().__init__()
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.icons: list[str] = []
        self.manifests: list[str] = []
        self.images: list[str] = []
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "link":
            rels = set(found.get("rel", "").lower().split())
            href = found.get("href", "")
            if "stylesheet" in rels:
                self.stylesheets.append(href)
            elif "manifest" in rels:
                self.manifests.append(href)
            elif rels & self.ICON_RELS:
                self.icons.append(href)
        elif tag == "script" and found.get("src"):
            self.scripts.append(found["src"])
        elif tag == "img" and found.get("src"):
            self.images.append(found["src"])
        elif tag == "input" and found.get("type") == "hidden" and "name" in found:
            self.hidden.setdefault(found["name"], found.get("value", ""))


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser
