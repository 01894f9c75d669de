"""Throughput of the signed-in passport page against a bare route, in the same server and run.

Starts gunicorn (2 gthread workers x 4 threads) on bench.wsgi:app against a temporary
database, signs a resident up through the app's own e-mail link (the console transport
prints it on gunicorn's stdout), adds a need of a few hundred words so the page decrypts
real data, then runs wrk against /bench/hello and /passport in turn, ROUNDS times each, and
reports the median requests per second and p50/p99 latency of each, and their ratio.

Target: passport/hello >= 0.5. Absolute figures move a lot between runs and machines; the
ratio is the figure to watch. Always exits 0 once measured (noise moves the ratio); exits
1 if the set-up fails. Run: `make bench`, or `.venv/bin/python bench/throughput.py`.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

from common import STORY, free_port, parse_page, temp_instance

from tests.support import server

ROUNDS = 3
DURATION = "10s"
WARM_UP = "2s"
WRK = ["wrk", "-t2", "-c10", "--latency"]
TARGET = 0.5
EMAIL = "bench.throughput@example.net"
COOKIE = "passport_session"
# Flask-Login ties the session to the client's address and User-Agent: sign in with the
# User-Agent wrk will send, or every measured request would rewrite the session cookie.
USER_AGENT = "passport-bench"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


class SetupError(Exception):
    """The server, the sign-in or a check before measuring went wrong."""


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class Answer:
    status: int
    location: str
    body: str
    sets_cookie: bool


class Browser:
    """Just enough of a browser: cookies kept by hand, redirects not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = build_opener(_NoRedirect)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def open(self, path: str, form: dict[str, str] | None = None) -> Answer:
        data = urlencode(form).encode() if form is not None else None
        request = Request(self.base + path, data=data, headers={"User-Agent": USER_AGENT})
        if self.cookies:
            request.add_header("Cookie", self.cookie_header())
        try:
            response = self.opener.open(request, timeout=15)
        except HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            response = error
        set_cookies = response.headers.get_all("Set-Cookie") or []
        for header in set_cookies:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        body = response.read().decode("utf-8", "replace")
        location = response.headers.get("Location", "")
        return Answer(response.status, location, body, bool(set_cookies))

    def submit(self, path: str, fields: dict[str, str], action: str | None = None) -> Answer:
        """Open a form page and post it with its CSRF token, as a person would."""
        page = self.open(path)
        if page.status != 200:
            raise SetupError(f"GET {path} answered {page.status}")
        token = parse_page(page.body).hidden.get("csrf_token")
        if not token:
            raise SetupError(f"No CSRF token on {path}")
        return self.open(action or path, {"csrf_token": token, **fields})


def expect_redirect(answer: Answer, to: str, what: str) -> str:
    path = urlsplit(answer.location).path
    if answer.status not in (302, 303) or not path.startswith(to):
        raise SetupError(f"{what}: expected a redirect to {to}, got {answer.status} {path}")
    return path


def sign_in_link(log: Path) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = re.findall(r"https?://\S+(/sign-in/link/[\w-]+)", log.read_text())
        if found:
            return found[-1]
        time.sleep(0.1)
    raise SetupError("No sign-in link on gunicorn's stdout")


def sign_in_with_need(base: str, log: Path) -> str:
    """Sign a resident up by e-mail link, add a long need; returns the session cookie value."""
    browser = Browser(base)
    sent = browser.submit("/sign-up", {"email": EMAIL, "method": "link"})
    expect_redirect(sent, "/check-your-email", "Sign up")
    link = sign_in_link(log)
    expect_redirect(browser.submit(link, {}), "/passport", "Sign-in link")
    added = browser.submit("/passport/needs/new", {"category": "housing", "story": STORY})
    expect_redirect(added, "/passport", "Add a need")
    browser.open("/passport")  # shows and clears the 'need added' banner
    if COOKIE not in browser.cookies:
        raise SetupError(f"No {COOKIE} cookie after signing in")
    return browser.cookies[COOKIE]


def verify(base: str, cookie: str) -> None:
    """The cookie alone (as wrk sends it) must give the passport page with the need."""
    browser = Browser(base)
    browser.cookies[COOKIE] = cookie
    page = browser.open("/passport")
    if page.status != 200:
        raise SetupError(f"/passport with the cookie answered {page.status} {page.location}")
    if "section 21 notice" not in page.body:
        raise SetupError("/passport with the cookie does not show the need")
    if page.sets_cookie:
        raise SetupError("/passport rewrites the session cookie: each measured request would too")
    hello = browser.open("/bench/hello")
    if hello.status != 200 or hello.body != "Hello":
        raise SetupError(f"/bench/hello answered {hello.status}")


@dataclass
class Run:
    rps: float
    p50: float
    p99: float


def milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise SetupError(f"Cannot read wrk latency {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def wrk(url: str, cookie: str, duration: str) -> Run:
    headers = ["-H", f"Cookie: {COOKIE}={cookie}", "-H", f"User-Agent: {USER_AGENT}"]
    command = [*WRK, f"-d{duration}", *headers, url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wrong = re.search(r"Non-2xx or 3xx responses: \d+", output)
    if wrong:
        raise SetupError(f"wrk {url}: {wrong.group(0)}\n{output}")
    socket_errors = re.search(r"Socket errors: .*", output)
    if socket_errors:  # timeouts on a busy machine: worth seeing, not worth failing for
        print(f"  warning, wrk {url}: {socket_errors.group(0)}", flush=True)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rps and p50 and p99):
        raise SetupError(f"Cannot read wrk's output:\n{output}")
    return Run(float(rps.group(1)), milliseconds(p50.group(1)), milliseconds(p99.group(1)))


def median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.rps for r in runs),
        statistics.median(r.p50 for r in runs),
        statistics.median(r.p99 for r in runs),
    )


def measure(base: str, cookie: str) -> dict[str, list[Run]]:
    paths = {"hello": "/bench/hello", "passport": "/passport"}
    for path in paths.values():
        wrk(base + path, cookie, WARM_UP)
    runs: dict[str, list[Run]] = {name: [] for name in paths}
    for round_number in range(1, ROUNDS + 1):
        for name, path in paths.items():
            run = wrk(base + path, cookie, DURATION)
            runs[name].append(run)
            print(
                f"  round {round_number} {name:<8} {run.rps:>8.0f} req/s  "
                f"p50 {run.p50:6.2f} ms  p99 {run.p99:6.2f} ms",
                flush=True,
            )
    return runs


def report(runs: dict[str, list[Run]], load: float) -> None:
    hello, passport = median(runs["hello"]), median(runs["passport"])
    print(f"\nMedian of {ROUNDS} runs of {DURATION} each (wrk {' '.join(WRK[1:])}):")
    print(f"  {'route':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, run in (("/bench/hello", hello), ("/passport", passport)):
        print(f"  {name:<14} {run.rps:>8.0f} {run.p50:>8.2f} {run.p99:>8.2f}")
    ratio = passport.rps / hello.rps
    verdict = "PASS" if ratio >= TARGET else "BELOW"
    print(f"\nRatio passport/hello: {ratio:.2f} (target >= {TARGET}): {verdict}")
    print(f"Load average before measuring: {load:.1f} on {os.cpu_count()} cores", end="")
    print(": other work on the machine skews these figures" if load > 1 else "")


def main() -> int:
    if shutil.which("wrk") is None:
        print("FAILED: wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 1
    with temp_instance() as (folder, env):
        options = ("--workers", "2", "--worker-class", "gthread", "--threads", "4")
        try:
            with server.gunicorn(
                "bench.wsgi:app", "127.0.0.1", free_port(), env, folder, *options
            ) as running:
                base = running.url
                cookie = sign_in_with_need(base, running.stdout)
                verify(base, cookie)
                print(f"gunicorn on {base} (2 gthread workers x 4 threads); signed in, need added.")
                load = os.getloadavg()[0]
                runs = measure(base, cookie)
                verify(base, cookie)  # still signed in at the end: no run measured a redirect
        except (SetupError, RuntimeError) as error:
            print(f"FAILED: {error}", file=sys.stderr)
            return 1
    report(runs, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
