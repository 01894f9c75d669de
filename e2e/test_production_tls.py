"""Production as the README describes it, over TLS, walked in Chromium.

gunicorn serves HTTPS with a certificate made for this run; the settings are the README's:
PASSPORT_ENV=production, a generated keyring and secret key, SMTP to a real server (aiosmtpd),
rate limits counted in the local Redis, and the database chosen with --db. Plain-HTTP tests
cannot see what only happens over TLS (Secure cookies, HSTS, the browser's Origin and
Referer rules on every post), so the whole journey runs here once more.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from playwright.sync_api import BrowserContext

from e2e import journeys
from e2e.conftest import SERVER_LOG, LiveServer, People
from e2e.pages import ReferralsPage, StartPage
from passport import crypto
from tests.support import database, server
from tests.support.mailbox import free_port, smtp_server

ORG_EMAIL = "referrals@eastbridge-advice.example.org"
SERVICE = "Debt advice drop-in"
REDIS = {"host": "127.0.0.1", "port": 6379}
CLAIM = "needs-passport:e2e:claim"


def self_signed_certificate(folder: Path) -> server.Certificate:
    """A certificate for localhost, valid for a day, and its key (0600)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "localhost.crt", folder / "localhost.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return server.Certificate(cert_file, key_file)


@contextlib.contextmanager
def redis_database() -> Iterator[tuple[str, redis.Redis]]:
    """An empty Redis database (1-15) claimed for this run, emptied again afterwards, so
    runs side by side never share counters."""
    token = secrets.token_hex(8)
    for number in range(1, 16):
        client = redis.Redis(**REDIS, db=number)  # type: ignore[arg-type]
        if client.dbsize() == 0 and client.set(CLAIM, token, nx=True, ex=3600):
            break
        client.close()
    else:
        raise RuntimeError("Redis databases 1 to 15 are all in use")
    try:
        yield f"redis://{REDIS['host']}:{REDIS['port']}/{number}", client
    finally:
        # Only this run's server wrote here since it was claimed empty.
        added = list(client.scan_iter())
        if added:
            client.delete(*added)
        client.close()


@dataclass(frozen=True)
class ProductionServer(LiveServer):
    redis: redis.Redis


@pytest.fixture(scope="module")
def production(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProductionServer]:
    engine = str(request.config.getoption("--db"))
    folder = tmp_path_factory.mktemp("production")
    port = free_port()
    url = f"https://localhost:{port}"  # a passkey's relying party is the host: localhost
    with (
        smtp_server() as mailbox,
        database.fresh_database(engine, folder) as database_url,
        redis_database() as (redis_url, counters),
    ):
        env = {
            name: value for name, value in os.environ.items() if not name.startswith("PASSPORT_")
        }
        env |= {
            "PASSPORT_ENV": "production",
            "PASSPORT_SECRET_KEY": secrets.token_urlsafe(48),
            "PASSPORT_KEYRING": crypto.Keyring.generate().to_json(),
            "PASSPORT_DATABASE_URL": database_url,
            "PASSPORT_BASE_URL": url,
            "PASSPORT_MAIL_TRANSPORT": "smtp",
            "PASSPORT_SMTP_HOST": "127.0.0.1",
            "PASSPORT_SMTP_PORT": str(mailbox.port),
            "PASSPORT_RATELIMIT_STORAGE_URI": redis_url,
            # Production keeps nothing there; this keeps the checkout's instance/ untouched.
            "PASSPORT_INSTANCE_DIR": str(folder),
        }
        server.run_passport(env, "db", "upgrade")
        server.run_passport(env, "demo", "load")
        with server.gunicorn(
            "passport:create_app()",
            "localhost",
            port,
            env,
            folder,
            *("--workers", "2", "--worker-class", "gthread", "--threads", "4"),
            tls=self_signed_certificate(folder),
        ) as running:
            previous_log = request.config.stash.get(SERVER_LOG, None)
            request.config.stash[SERVER_LOG] = running.stderr
            yield ProductionServer(url=running.url, mailbox=mailbox, redis=counters)
            if previous_log is not None:
                request.config.stash[SERVER_LOG] = previous_log


@pytest.fixture(scope="module")
def browser_context_args(production: ProductionServer) -> dict[str, object]:
    """Contexts open paths on the production server (not the session's plain-HTTP one)."""
    return {"base_url": production.url}


@pytest.fixture
def people(
    new_context: Callable[..., BrowserContext], production: ProductionServer
) -> Iterator[People]:
    crowd = People(new_context, production, ignore_https_errors=True)
    yield crowd
    crowd.check_everyone()


def rate_limit_keys(counters: redis.Redis) -> list[str]:
    return [key.decode() for key in counters.scan_iter() if key.decode() != CLAIM]


def test_sign_up_need_and_referral_in_production_over_tls(
    people: People, production: ProductionServer
):
    marker = secrets.token_hex(4)
    email = f"tls-{marker}@example.net"
    story = f"I am behind on my rent and council tax ({marker})."
    resident = people()

    # HTTPS with HSTS; no rate limit has been counted yet.
    response = resident.goto("/")
    assert response is not None and response.url.startswith("https://")
    assert "max-age=" in response.headers["strict-transport-security"]
    assert rate_limit_keys(production.redis) == []
    StartPage(resident).create_your_passport()

    # Every step below posts a form or a passkey over TLS, without a Referer.
    journeys.sign_up_with_passkey(resident, email)
    cookies = {cookie["name"]: cookie for cookie in resident.context.cookies()}
    session = cookies["passport_session"]
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax"
    assert rate_limit_keys(production.redis), "The sign-up was not counted in Redis"

    journeys.add_need(resident, "Money and debt", story)
    service = journeys.find_service(resident, "debt", SERVICE)
    journeys.refer(resident, service, ["About you", "Money and debt"])

    # The organisation opens the e-mailed link in its own browser, asks for a code, accepts.
    organisation = people()
    shared = journeys.open_share_as_org(organisation, ORG_EMAIL, SERVICE)
    assert story in shared.text()
    accepted = shared.accept_referral(service=SERVICE)
    assert accepted.status() == "Accepted"

    assert ReferralsPage.open(resident).status_of(SERVICE) == "Accepted"
