"""Settings come only from PASSPORT_* variables; production refuses unsafe ones."""

from __future__ import annotations

import os

import pytest

from passport import crypto
from passport.config import ConfigurationError, load_settings

SAFE_PRODUCTION = {
    "PASSPORT_ENV": "production",
    "PASSPORT_SECRET_KEY": "a-long-random-secret-for-the-test",
    "PASSPORT_KEYRING": crypto.Keyring.generate().to_json(),
    "PASSPORT_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    "PASSPORT_MAIL_TRANSPORT": "smtp",
    "PASSPORT_BASE_URL": "https://passport.example.org",
}


@pytest.fixture
def environment(monkeypatch, tmp_path):
    for name in [name for name in os.environ if name.startswith("PASSPORT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PASSPORT_INSTANCE_DIR", str(tmp_path))

    def apply(values: dict[str, str]) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return apply


def test_safe_production_settings_load(environment):
    environment(SAFE_PRODUCTION)
    settings = load_settings()
    assert settings.env == "production"
    assert settings.base_url == "https://passport.example.org"


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("PASSPORT_KEYRING", "", "PASSPORT_KEYRING is not set"),
        ("PASSPORT_RATELIMIT_STORAGE_URI", "memory://", "limits would count per worker"),
        ("PASSPORT_MAIL_TRANSPORT", "console", "links would go to the logs"),
        ("PASSPORT_BASE_URL", "http://passport.example.org", "must be https://"),
    ],
)
def test_production_refuses_unsafe_settings(environment, name, value, complaint):
    environment({**SAFE_PRODUCTION, name: value})
    with pytest.raises(ConfigurationError, match=complaint):
        load_settings()


def test_production_needs_a_secret_key(environment, monkeypatch):
    environment(SAFE_PRODUCTION)
    monkeypatch.delenv("PASSPORT_SECRET_KEY")
    with pytest.raises(RuntimeError, match="PASSPORT_SECRET_KEY"):
        load_settings()


def test_development_defaults_make_a_private_secret(environment, tmp_path):
    settings = load_settings()
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'passport.db'}"
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_settings().secret_key == settings.secret_key
