"""Each organisation reads e-mail in its own language, a directory setting (English unless
set); and each page says which language it is in, for the offline page to follow.
The Welsh e-mails themselves are checked in tests/test_i18n.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from passport.database import db
from passport.directory import importer
from passport.directory import service as directory
from passport.directory.models import Organisation
from tests.support import pages


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def languages(app: Flask) -> dict[str, str]:
    with app.app_context():
        return {o.slug: o.language for o in db.session.scalars(select(Organisation))}


def test_org_create_takes_a_language_and_defaults_to_english(app):
    welsh = run(
        app, "org", "create", "--name", "Cymdeithas Tai Aberwen", "--email", "a@example.cymru",
        "--language", "cy",
    )  # fmt: skip
    english = run(app, "org", "create", "--name", "Riverside Tenants", "--email", "b@example.org")
    assert welsh.exit_code == english.exit_code == 0, welsh.output + english.output

    assert languages(app) == {"cymdeithas-tai-aberwen": "cy", "riverside-tenants": "en"}


def test_org_create_refuses_a_language_it_cannot_write(app):
    result = run(
        app, "org", "create", "--name", "Riverside Tenants", "--email", "b@example.org",
        "--language", "fr",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Invalid value for '--language'" in result.output
    assert "'en'" in result.output and "'cy'" in result.output
    assert languages(app) == {}


def local_file(tmp_path: Path, language: object) -> Path:
    """The demo's own settings (what HSDS has no field for), one organisation's language set."""
    raw = json.loads(importer.DEMO_LOCAL.read_text(encoding="utf-8"))
    settings = list(raw["organisations"].values())[3]
    settings["language"] = language
    path = tmp_path / "directory.local.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_the_demo_sets_each_organisations_language(app, tmp_path):
    raw = json.loads(importer.DEMO_LOCAL.read_text())
    slug = list(raw["organisations"].values())[3]["slug"]
    with app.app_context():
        importer.load_demo(local_path=local_file(tmp_path, "cy"))

    loaded = languages(app)
    assert loaded.pop(slug) == "cy"
    assert set(loaded.values()) == {"en"}


@pytest.mark.parametrize("language", ["fr", "CY", "", None])
def test_the_demo_refuses_an_unknown_language(app, tmp_path, monkeypatch, language):
    with app.app_context(), pytest.raises(directory.UnknownLanguageError) as refused:
        importer.load_demo(local_path=local_file(tmp_path, language))
    assert str(refused.value).endswith(f"is {language!r}: it must be en or cy.")
    assert languages(app) == {}

    monkeypatch.setattr(importer, "DEMO_LOCAL", local_file(tmp_path, language))
    result = run(app, "demo", "load")
    assert result.exit_code == 1
    assert result.output.startswith("Error: Nothing was loaded. The language of organisation")
    assert languages(app) == {}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_page_says_its_language(client, language):
    client.set_cookie("lang", language)
    for path in ("/", "/offline", "/no-such-page"):
        page = client.get(path)
        assert page.headers["Content-Language"] == language, path
    offline = client.get("/offline")
    heading = {"en": "You are offline", "cy": "Rydych all-lein"}[language]
    assert pages.heading(offline) == heading
    # Not a page: the service worker script and the manifest name no language.
    assert "Content-Language" not in client.get("/sw.js").headers
