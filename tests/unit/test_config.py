"""Settings come only from PASSPORT_* variables; production refuses unsafe ones."""

from __future__ import annotations

import base64
import os
import secrets

import pytest

from passport import crypto
from passport.config import ConfigurationError, load_settings

SAFE_PRODUCTION = {
    "PASSPORT_ENV": "production",
    "PASSPORT_SECRET_KEY": secrets.token_urlsafe(48),
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
        ("PASSPORT_TESTING", "true", "PASSPORT_TESTING is on"),
    ],
)
def test_production_refuses_unsafe_settings(environment, name, value, complaint):
    environment({**SAFE_PRODUCTION, name: value})
    with pytest.raises(ConfigurationError, match=complaint):
        load_settings()


def test_production_needs_a_secret_key(environment, monkeypatch):
    environment(SAFE_PRODUCTION)
    monkeypatch.delenv("PASSPORT_SECRET_KEY")
    with pytest.raises(ConfigurationError, match=r"PASSPORT_SECRET_KEY.*token_urlsafe\(48\)"):
        load_settings()


@pytest.mark.parametrize(
    "secret",
    [
        "x",
        "a" * 64,
        "passwordpasswordpasswordpassword",
        "this-is-my-production-secret-key",
        "0123456789abcdef0123456789abcdef",
        secrets.token_hex(16),  # 32 characters, but only 16 bytes of randomness
        secrets.token_urlsafe(24),
    ],
    ids=[
        "one letter",
        "one letter repeated",
        "a word repeated",
        "a phrase",
        "hex digits twice",
        "token_hex(16)",
        "token_urlsafe(24)",
    ],
)
def test_production_refuses_a_guessable_secret_key(environment, secret):
    environment({**SAFE_PRODUCTION, "PASSPORT_SECRET_KEY": secret})
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    message = str(refused.value)
    assert "PASSPORT_SECRET_KEY is too easy to guess" in message
    assert "at least 32 bytes of randomness" in message
    assert "secrets.token_urlsafe(48)" in message


@pytest.mark.parametrize(
    "make",
    [
        lambda: secrets.token_urlsafe(48),
        lambda: secrets.token_urlsafe(32),
        lambda: secrets.token_hex(32),
        lambda: base64.b64encode(os.urandom(32)).decode(),  # openssl rand -base64 32
    ],
    ids=["token_urlsafe(48)", "token_urlsafe(32)", "token_hex(32)", "base64 of 32 bytes"],
)
def test_production_accepts_a_random_32_byte_secret_key(environment, make):
    for _ in range(20):
        secret = make()
        environment({**SAFE_PRODUCTION, "PASSPORT_SECRET_KEY": secret})
        assert load_settings().secret_key == secret


def test_development_defaults_make_a_private_secret(environment, tmp_path):
    settings = load_settings()
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'passport.db'}"
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_settings().secret_key == settings.secret_key


# GOV.UK Notify ----------------------------------------------------------------------------

NOTIFY_KEY = "passport-" + "1" * 8 + "-1111-1111-1111-" + "1" * 12 + "-" + "2" * 36


def test_texts_are_off_in_production_unless_chosen(environment):
    environment(SAFE_PRODUCTION)
    assert load_settings().text_transport == "off"


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"PASSPORT_TEXT_TRANSPORT": "console"}, "phone numbers would go to the logs"),
        ({"PASSPORT_MAIL_TRANSPORT": "notify"}, "PASSPORT_NOTIFY_API_KEY is not set"),
        (
            {"PASSPORT_TEXT_TRANSPORT": "notify", "PASSPORT_NOTIFY_API_KEY": NOTIFY_KEY},
            "PASSPORT_NOTIFY_SMS_TEMPLATE_ID is not set",
        ),
        ({"PASSPORT_TEXT_TRANSPORT": "pigeon"}, "must be one of: console, notify, off"),
    ],
)
def test_production_refuses_notify_settings_that_cannot_send(environment, changes, complaint):
    environment({**SAFE_PRODUCTION, **changes})
    with pytest.raises(ConfigurationError, match=complaint):
        load_settings()


def test_notify_in_production(environment):
    environment(
        {
            **SAFE_PRODUCTION,
            "PASSPORT_MAIL_TRANSPORT": "notify",
            "PASSPORT_TEXT_TRANSPORT": "notify",
            "PASSPORT_NOTIFY_API_KEY": NOTIFY_KEY,
            "PASSPORT_NOTIFY_EMAIL_TEMPLATE_ID": "e",
            "PASSPORT_NOTIFY_SMS_TEMPLATE_ID": "s",
        }
    )
    settings = load_settings()
    assert (settings.mail_transport, settings.text_transport) == ("notify", "notify")
    assert settings.notify_base_url == "https://api.notifications.service.gov.uk"


def test_development_refuses_notify_without_a_key(environment):
    environment({"PASSPORT_MAIL_TRANSPORT": "notify"})
    with pytest.raises(ConfigurationError, match=r"Cannot use GOV\.UK Notify"):
        load_settings()


def test_bank_holidays_are_englands_unless_another_nation_is_named(environment):
    environment({})
    assert load_settings().bank_holidays == "ENG"
    environment({"PASSPORT_BANK_HOLIDAYS": "wls"})
    assert load_settings().bank_holidays == "WLS"
    environment({"PASSPORT_BANK_HOLIDAYS": "Wales"})
    with pytest.raises(ConfigurationError, match="BANK_HOLIDAYS must be one of: ENG, WLS"):
        load_settings()
