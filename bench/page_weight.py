"""First-load weight of every page of the journey, against the budget.

Walks the journey with the Flask test client (a resident signs up, adds needs, finds a
service and refers themself; the organisation opens the share link and enters its code),
and for each page adds up the HTML and every stylesheet, script and icon it references:
the favicon, the apple-touch-icon, the web manifest and the icons it lists, and the
service worker that app.js registers. Everything is measured as the app itself sends it to
a browser that accepts brotli: static files as their precompressed copies (PNGs as they
are), pages brotli-compressed as passport/compression.py does for the site's own requests.
A first load has an empty cache, so each page counts all its assets.

Budget per page: total <= 100 KB and JavaScript <= 25 KB, compressed. Exits 1 if a page is
over. Run: `make bench`, or `.venv/bin/python bench/page_weight.py`.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import brotli
from common import STORY, parse_page, temp_instance
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

KB = 1024
TOTAL_BUDGET = 100 * KB
JS_BUDGET = 25 * KB
SERVICE = "debt-advice-drop-in"
RESIDENT_EMAIL = "bench.resident@example.net"
# What a browser sends: the page's own request (passport/compression.py compresses it).
BROWSER = {"Accept-Encoding": "br, gzip", "Sec-Fetch-Site": "same-origin"}


@dataclass
class Asset:
    url: str
    kind: str  # css, js or icons
    raw: int
    gz: int


@dataclass
class Page:
    name: str
    html_raw: int
    html_gz: int
    assets: list[Asset] = field(default_factory=list)

    def gz(self, kind: str) -> int:
        return sum(asset.gz for asset in self.assets if asset.kind == kind)

    @property
    def total_gz(self) -> int:
        return self.html_gz + sum(asset.gz for asset in self.assets)

    @property
    def total_raw(self) -> int:
        return self.html_raw + sum(asset.raw for asset in self.assets)

    @property
    def over(self) -> list[str]:
        problems = []
        if self.total_gz > TOTAL_BUDGET:
            problems.append("total")
        if self.gz("js") > JS_BUDGET:
            problems.append("JS")
        return problems


def decoded(response: TestResponse) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return bytes(brotli.decompress(body))
    if encoding is not None:
        raise SystemExit(f"Unexpected Content-Encoding {encoding}")
    return body


class Meter:
    """Measures pages; assets are fetched through the app once and remembered."""

    def __init__(self, client: FlaskClient, page_level: int) -> None:
        self.client = client
        self.page_level = page_level
        self.cache: dict[str, tuple[bytes, int]] = {}
        self.pages: list[Page] = []

    def fetch(self, url: str) -> tuple[bytes, int]:
        """The file and how many bytes of it the browser receives."""
        path = urlsplit(url).path
        if path not in self.cache:
            response = self.client.get(path, headers=BROWSER)
            if response.status_code != 200:
                raise SystemExit(f"Asset {path} answered {response.status_code}")
            self.cache[path] = (decoded(response), len(response.get_data()))
            response.close()
        return self.cache[path]

    def asset(self, url: str, kind: str) -> Asset:
        body, sent = self.fetch(url)
        return Asset(urlsplit(url).path, kind, len(body), sent)

    def measure(self, name: str, response: TestResponse) -> TestResponse:
        if response.status_code != 200 or response.mimetype != "text/html":
            raise SystemExit(f"{name}: expected an HTML page, got {response.status_code}")
        body = response.get_data()
        parsed = parse_page(body.decode("utf-8"))
        sent = len(brotli.compress(body, quality=self.page_level))
        page = Page(name, len(body), sent)
        urls: dict[str, str] = {}
        for url in parsed.stylesheets:
            urls.setdefault(url, "css")
        for url in parsed.scripts:
            urls.setdefault(url, "js")
            # app.js registers a service worker: the browser fetches it on the first load.
            script, _type = self.fetch(url)
            for worker in re.findall(rb"serviceWorker\.register\(\"([^\"]+)\"", script):
                urls.setdefault(worker.decode(), "js")
        for url in parsed.icons + parsed.images:
            urls.setdefault(url, "icons")
        for url in parsed.manifests:
            urls.setdefault(url, "icons")
            manifest, _type = self.fetch(url)
            for icon in json.loads(manifest).get("icons", []):
                urls.setdefault(icon["src"], "icons")
        page.assets = [self.asset(url, kind) for url, kind in urls.items()]
        self.pages.append(page)
        return response


class Outbox:
    """E-mails from the console transport, captured from stdout."""

    def __init__(self, buffer: io.StringIO) -> None:
        self.buffer = buffer

    def last_body(self, to: str) -> str:
        for message in reversed(self.buffer.getvalue().split("----- e-mail -----")):
            if f"\nTo: {to}\n" in message:
                return message
        raise SystemExit(f"No e-mail to {to}")

    def link(self, to: str, fragment: str) -> str:
        match = re.search(rf"https?://\S*{re.escape(fragment)}\S*", self.last_body(to))
        if not match:
            raise SystemExit(f"No {fragment} link in the e-mail to {to}")
        return urlsplit(match.group(0)).path

    def code(self, to: str) -> str:
        match = re.search(r"\b(\d{6})\b", self.last_body(to))
        if not match:
            raise SystemExit(f"No code in the e-mail to {to}")
        return match.group(1)


def redirected(response: TestResponse, pattern: str = "") -> str:
    location = response.headers.get("Location", "")
    if response.status_code not in (302, 303) or not re.search(pattern, location):
        text = response.get_data(as_text=True)[:400]
        raise SystemExit(f"Expected a redirect to {pattern!r}, got {response.status_code}: {text}")
    return urlsplit(location).path


def post(
    client: FlaskClient, page: TestResponse, url: str, data: dict[str, object]
) -> TestResponse:
    token = parse_page(page.get_data(as_text=True)).hidden.get("csrf_token", "")
    return client.post(url, data={"csrf_token": token, **data})


def walk(resident: FlaskClient, org: FlaskClient, meter: Meter, outbox: Outbox) -> None:
    measure = meter.measure
    measure("Start", resident.get("/"))
    sign_up = measure("Sign up", resident.get("/sign-up"))
    measure("Sign in", resident.get("/sign-in"))
    sent = post(resident, sign_up, "/sign-up", {"email": RESIDENT_EMAIL, "method": "link"})
    measure("Check your email", resident.get(redirected(sent, "/check-your-email")))

    link = outbox.link(RESIDENT_EMAIL, "/sign-in/link/")
    redirected(post(resident, resident.get(link), link, {}), "/passport")
    resident.get("/passport")  # a first visit, so no sign-in banner is left for later

    new_need = measure("Add a need", resident.get("/passport/needs/new"))
    for category, story in (("housing", STORY), ("money", "I am behind on council tax.")):
        added = post(
            resident, new_need, "/passport/needs/new", {"category": category, "story": story}
        )
        redirected(added, "/passport")
    resident.get("/passport")  # shows and clears the 'need added' banners
    passport = measure("Passport (with needs)", resident.get("/passport"))
    if "section 21 notice" not in passport.get_data(as_text=True):
        raise SystemExit("The passport page does not show the need")

    search = measure("Directory search", resident.get("/directory?q=debt&category=money"))
    if f"/directory/services/{SERVICE}" not in search.get_data(as_text=True):
        raise SystemExit("The directory search has no results")
    measure("Service page", resident.get(f"/directory/services/{SERVICE}"))
    refer_url = f"/directory/services/{SERVICE}/refer"
    form = measure("Refer form", resident.get(refer_url))
    drafted = post(
        resident,
        form,
        refer_url,
        {"sections": ["about", "money"], "message": "Mornings are best.", "share_days": "90"},
    )
    check_url = redirected(drafted, r"/referrals/[0-9a-f-]{36}/check")
    check = measure("Check your answers", resident.get(check_url))
    sent_url = redirected(post(resident, check, check_url, {}), "/sent")
    measure("Referral sent", resident.get(sent_url))
    measure("Referrals list", resident.get("/referrals"))
    measure("Referral detail", resident.get(sent_url.removesuffix("/sent")))

    org_email = "referrals@eastbridge-advice.example.org"
    share = outbox.link(org_email, "/share/")
    request_code = measure("Organisation: code request", org.get(share))
    code_url = redirected(post(org, request_code, f"{share}/code/send", {}), "/code")
    enter = measure("Organisation: code entry", org.get(code_url))
    opened = post(org, enter, code_url, {"code": outbox.code(org_email)})
    redirected(opened, share + "$")
    view = measure("Organisation: referral view", org.get(share))
    if "council tax" not in view.get_data(as_text=True):
        raise SystemExit("The organisation's view does not show the shared need")


def kb(size: int) -> str:
    return f"{size / KB:.1f}"


def report(meter: Meter) -> bool:
    headers = ("Page", "HTML gz", "CSS gz", "JS gz", "icons gz", "total gz", "total raw", "budget")
    rows = []
    for page in meter.pages:
        over = page.over
        rows.append(
            (
                page.name,
                kb(page.html_gz),
                kb(page.gz("css")),
                kb(page.gz("js")),
                kb(page.gz("icons")),
                kb(page.total_gz),
                kb(page.total_raw),
                "OVER (" + ", ".join(over) + ")" if over else "PASS",
            )
        )
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        return "  ".join([*cells, row[-1]])

    print("First-load page weight as sent (KB = 1,024 bytes; gz = brotli or gzip as sent)")
    print(f"Budget per page: total <= {kb(TOTAL_BUDGET)} KB gz, JS <= {kb(JS_BUDGET)} KB gz\n")
    print(line(headers))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))

    assets = {asset.url: asset for page in meter.pages for asset in page.assets}
    print("\nAssets (each page loads all of them on a first visit):")
    for asset in sorted(assets.values(), key=lambda a: (a.kind, a.url)):
        print(
            f"  {asset.kind:<5} {asset.url:<42} {kb(asset.raw):>6} KB raw  {kb(asset.gz):>5} KB gz"
        )

    over = [page.name for page in meter.pages if page.over]
    print()
    if over:
        print(f"OVER BUDGET: {', '.join(over)}")
    else:
        print(f"All {len(meter.pages)} pages within budget.")
    return not over


def main() -> int:
    with temp_instance(base_url="http://localhost") as (_folder, _env):
        from passport import create_app
        from passport.database import db

        app = create_app()
        captured = io.StringIO()
        meter = Meter(app.test_client(), app.config["COMPRESS_BR_LEVEL"])
        try:
            with contextlib.redirect_stdout(captured):
                walk(app.test_client(), app.test_client(), meter, Outbox(captured))
        finally:
            with app.app_context():
                db.engine.dispose()
        return 0 if report(meter) else 1


if __name__ == "__main__":
    sys.exit(main())
