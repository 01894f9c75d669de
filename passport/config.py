"""All configuration, read from PASSPORT_* environment variables in this one place.

Defaults are safe for local development: an embedded SQLite database and a key file in
`instance/`, e-mail printed to the console. Production sets PASSPORT_ENV=production,
which turns on Secure cookies and refuses to start without a real secret key.
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PASSPORT_{name}", default)


def _instance_dir() -> Path:
    """The folder for the key file and the SQLite database: made private (0700) if new."""
    path = Path(_env("INSTANCE_DIR") or ROOT / "instance")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _dev_secret(instance: Path) -> str:
    """A random secret kept in instance/ so development sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"
MAIL_TRANSPORTS = ("console", "smtp", "notify")
TEXT_TRANSPORTS = ("console", "notify", "off")
# England, Wales, Scotland, Northern Ireland: the UK's subdivisions in `holidays`.
BANK_HOLIDAYS = ("ENG", "WLS", "SCT", "NIR")


@dataclass(frozen=True)
class Settings:
    env: str
    instance_dir: Path
    secret_key: str
    database_url: str
    keyring: str | None
    key_file: Path
    base_url: str
    mail_transport: str
    mail_from: str
    smtp_host: str
    smtp_port: int
    ratelimit_storage_uri: str
    ratelimit_enabled: bool
    proxy_hops: int
    # Test-only pages (passport/testing.py) and a clock tests can move; never in production.
    testing: bool = False
    # A listing not reviewed for this long shows a warning; for this long, no referrals.
    directory_stale_months: int = 6
    directory_hide_months: int = 12
    # Who publishes the directory, as the API's metadata (/api/) says: the base URL stands
    # for the identifier and website unless they are set.
    api_publisher_name: str = "Needs Passport"
    api_publisher_identifier: str = ""
    api_publisher_email: str = ""
    api_publisher_website: str = ""
    # Who is responsible for the personal data shared (the partnership running the service),
    # as every consent receipt names it: a name and how to contact them (an e-mail address
    # or a web address).
    controller_name: str = "Needs Passport"
    controller_contact: str = ""
    # Texts (SMS): "console" (printed), "notify" (GOV.UK Notify) or "off" (residents cannot
    # choose texts). E-mail through Notify is mail_transport "notify".
    text_transport: str = "console"
    notify_api_key: str = ""
    notify_base_url: str = NOTIFY_BASE_URL
    # One generic template per channel: e-mail subject ((subject)), body ((body)); text ((body)).
    notify_email_template_id: str = ""
    notify_sms_template_id: str = ""
    # Whose bank holidays count as non-working days for chasers (passport/workdays.py): the
    # UK nation the partnership works in, by the `holidays` library's subdivision code.
    # England and Wales share one list today, but each is named for when they differ.
    bank_holidays: str = "ENG"


class ConfigurationError(RuntimeError):
    """A production setting that would lose data or weaken security."""


# Whoever reads the inbox sees the sender and subject: neither may say what someone needs help
# with, nor name a needs service (this one included).
DEFAULT_MAIL_FROM = "Account notifications <no-reply@notifications.example>"

HOW_TO_MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def guessable_secret(secret: str) -> bool:
    """Shorter than 32 bytes, or too little randomness for its length.

    The estimate is the key's length times the entropy of its character frequencies: a random
    32-byte key scores over 170 bits in any usual encoding (base64 about 208, hex about 244),
    while phrases, repeated words and 16-byte keys stay under 160.
    """
    if len(secret.encode()) < 32:
        return True
    counts = Counter(secret).values()
    bits = -sum(count * math.log2(count / len(secret)) for count in counts)
    return bits < 160


def check_production(settings: Settings) -> None:
    """Refuse to start in production with settings that only suit one development machine."""
    problems = []
    if guessable_secret(settings.secret_key):
        problems.append(
            "PASSPORT_SECRET_KEY is too easy to guess: it needs at least 32 bytes of "
            f"randomness. Make one with: {HOW_TO_MAKE_A_KEY}"
        )
    if not settings.keyring:
        problems.append(
            "PASSPORT_KEYRING is not set: each server would make its own key file and "
            "could not read the others' passports."
        )
    if settings.ratelimit_storage_uri.startswith("memory://"):
        problems.append(
            "PASSPORT_RATELIMIT_STORAGE_URI is memory://: limits would count per worker. "
            "Use redis://."
        )
    if settings.mail_transport not in ("smtp", "notify"):
        problems.append(
            "PASSPORT_MAIL_TRANSPORT is not smtp or notify: links would go to the logs."
        )
    if settings.text_transport not in ("notify", "off"):
        problems.append(
            "PASSPORT_TEXT_TRANSPORT is not notify or off: phone numbers would go to the logs."
        )
    if not settings.base_url.startswith("https://"):
        problems.append("PASSPORT_BASE_URL must be https:// in production.")
    if settings.testing:
        problems.append("PASSPORT_TESTING is on: its pages let anyone move the clock.")
    problems.extend(notify_problems(settings))
    if problems:
        raise ConfigurationError("Cannot start in production:\n- " + "\n- ".join(problems))


def notify_problems(settings: Settings) -> list[str]:
    """What GOV.UK Notify needs, when either transport uses it."""
    uses = {
        "email": settings.mail_transport == "notify",
        "sms": settings.text_transport == "notify",
    }
    if not any(uses.values()):
        return []
    problems = []
    # A key is "name-<service id: 36>-<secret: 36>", as Notify's client reads it.
    if len(settings.notify_api_key) < 74:
        problems.append("PASSPORT_NOTIFY_API_KEY is not set, or is not a whole Notify API key.")
    for channel, setting in (
        ("email", settings.notify_email_template_id),
        ("sms", settings.notify_sms_template_id),
    ):
        if uses[channel] and not setting:
            problems.append(f"PASSPORT_NOTIFY_{channel.upper()}_TEMPLATE_ID is not set.")
    return problems


def load_settings() -> Settings:
    env = _env("ENV", "development") or "development"
    instance = _instance_dir()
    secret = _env("SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigurationError(
                f"Set PASSPORT_SECRET_KEY in production. Make one with: {HOW_TO_MAKE_A_KEY}"
            )
        secret = _dev_secret(instance)
    settings = Settings(
        env=env,
        instance_dir=instance,
        secret_key=secret,
        database_url=_env("DATABASE_URL") or f"sqlite:///{instance / 'passport.db'}",
        keyring=_env("KEYRING"),
        key_file=Path(_env("KEY_FILE") or instance / "keyring.json"),
        base_url=(_env("BASE_URL") or "http://localhost:5000").rstrip("/"),
        mail_transport=_env("MAIL_TRANSPORT", "console") or "console",
        mail_from=_env("MAIL_FROM", DEFAULT_MAIL_FROM) or DEFAULT_MAIL_FROM,
        smtp_host=_env("SMTP_HOST", "localhost") or "localhost",
        smtp_port=int(_env("SMTP_PORT", "25") or 25),
        ratelimit_storage_uri=_env("RATELIMIT_STORAGE_URI", "memory://") or "memory://",
        ratelimit_enabled=(_env("RATELIMIT_ENABLED", "true") or "true").lower() != "false",
        proxy_hops=int(_env("PROXY_HOPS", "0") or 0),
        testing=(_env("TESTING", "false") or "false").lower() == "true",
        directory_stale_months=int(_env("DIRECTORY_STALE_MONTHS", "6") or 6),
        directory_hide_months=int(_env("DIRECTORY_HIDE_MONTHS", "12") or 12),
        api_publisher_name=_env("API_PUBLISHER_NAME") or "Needs Passport",
        api_publisher_identifier=_env("API_PUBLISHER_IDENTIFIER") or "",
        api_publisher_email=_env("API_PUBLISHER_EMAIL") or "",
        api_publisher_website=_env("API_PUBLISHER_WEBSITE") or "",
        controller_name=_env("CONTROLLER_NAME") or "Needs Passport",
        controller_contact=_env("CONTROLLER_CONTACT") or "",
        # Off in production unless chosen: printed texts would put phone numbers in the logs.
        text_transport=_env("TEXT_TRANSPORT") or ("off" if env == "production" else "console"),
        notify_api_key=_env("NOTIFY_API_KEY") or "",
        notify_base_url=(_env("NOTIFY_BASE_URL") or NOTIFY_BASE_URL).rstrip("/"),
        notify_email_template_id=_env("NOTIFY_EMAIL_TEMPLATE_ID") or "",
        notify_sms_template_id=_env("NOTIFY_SMS_TEMPLATE_ID") or "",
        bank_holidays=(_env("BANK_HOLIDAYS") or "ENG").upper(),
    )
    for name, value, allowed in (
        ("MAIL_TRANSPORT", settings.mail_transport, MAIL_TRANSPORTS),
        ("TEXT_TRANSPORT", settings.text_transport, TEXT_TRANSPORTS),
        ("BANK_HOLIDAYS", settings.bank_holidays, BANK_HOLIDAYS),
    ):
        if value not in allowed:
            raise ConfigurationError(f"PASSPORT_{name} must be one of: {', '.join(allowed)}.")
    if env == "production":
        check_production(settings)
    elif problems := notify_problems(settings):
        raise ConfigurationError("Cannot use GOV.UK Notify:\n- " + "\n- ".join(problems))
    return settings


def flask_config(settings: Settings) -> dict[str, object]:
    """Translate settings into the keys Flask and its extensions read."""
    secure = settings.env == "production" or settings.base_url.startswith("https://")
    return {
        "SETTINGS": settings,
        "SECRET_KEY": settings.secret_key,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        # A pre-ping guards against dropped server connections; SQLite has none to drop.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": not settings.database_url.startswith("sqlite")
        },
        "SESSION_COOKIE_NAME": "passport_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": secure,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "WTF_CSRF_TIME_LIMIT": None,
        # Off: we send no Referer for it to check; passport/security.py checks the origin.
        "WTF_CSRF_SSL_STRICT": False,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "passport" / "i18n"),
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_ENABLED": settings.ratelimit_enabled,
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }
