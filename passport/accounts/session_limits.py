"""How long a signed-in session lasts: 30 minutes without a request, and 12 hours in all,
however busy (ADR 0030). Both times ride in the sealed session cookie and are checked on
the server at every request, with the app's clock.

A session that has run out is ended before the view runs. A form sent after that keeps
what was typed (passport/kept.py) for the same person once they sign in again; the next
page says they were signed out, and why.

With JavaScript, a page warns two minutes before the idle limit and offers to stay signed
in (app.js); without it, nothing shows until the next request.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user, user_logged_in

from passport import clock, kept, unit_of_work
from passport.errors import API_PREFIX

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
# When app.js warns: this long before the session would end.
WARN_BEFORE = timedelta(minutes=2)
# Seen again within this long: the cookie is not rewritten for it.
TOUCH_EVERY = 60

SIGNED_IN_AT, SEEN_AT = "signed_in_at", "seen_at"
TIMED_OUT = "timed_out"
IDLE_REASON, ABSOLUTE_REASON = "idle", "absolute"
# Neither ended nor kept alive by these: the page that says a session ended, and what the
# browser fetches by itself (the service worker and what it caches, the manifest, health).
EXEMPT = frozenset(
    {
        "static",
        "accounts.timed_out",
        "core.service_worker",
        "core.offline",
        "core.manifest",
        "core.health",
    }
)


def init_app(app: Flask) -> None:
    # Off on test servers and in the shared test app, whose tests move the clock on by days
    # with a resident signed in; tests/test_session_limits.py turns it on.
    app.config.setdefault("SESSION_LIMITS", not app.config["SETTINGS"].testing)
    app.before_request(check)
    user_logged_in.connect(_started, app)
    app.context_processor(lambda: {"session_ends_in": ends_in})


def _now() -> float:
    return clock.now().timestamp()


def _started(_app: Flask, **_extra: object) -> None:
    now = _now()
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def switch_file(app: Flask) -> Path:
    """On a test server, the browser tests turn the limits on by making this file
    (passport/testing.py), which every worker of the server sees."""
    return Path(app.config["SETTINGS"].instance_dir) / "session-limits-on"


def _limits_on() -> bool:
    if current_app.config.get("SESSION_LIMITS"):
        return True
    return bool(current_app.config["SETTINGS"].testing and switch_file(current_app).exists())


def _limits_apply() -> bool:
    return "_user_id" in session and _limits_on()


def ends_in() -> int | None:
    """Seconds until this session ends if nothing more is asked of the server (None: not
    signed in, or no limits)."""
    if not _limits_apply() or not current_user.is_authenticated:
        return None
    now = _now()
    seen = float(session.get(SEEN_AT, now))
    started = float(session.get(SIGNED_IN_AT, now))
    end = min(seen + IDLE.total_seconds(), started + ABSOLUTE.total_seconds())
    return max(0, int(end - now))


def check() -> ResponseReturnValue | None:
    if request.endpoint in EXEMPT or request.path.startswith(API_PREFIX):
        return None
    if not _limits_apply():
        return None
    now = _now()
    # A session from before these limits: its clock starts now.
    started = float(session.setdefault(SIGNED_IN_AT, now))
    seen = float(session.get(SEEN_AT, now))
    if now - started >= ABSOLUTE.total_seconds():
        return _time_out(ABSOLUTE_REASON)
    if now - seen >= IDLE.total_seconds():
        return _time_out(IDLE_REASON)
    if SEEN_AT not in session or now - seen >= TOUCH_EVERY:
        session[SEEN_AT] = now
    return None


def _time_out(reason: str) -> ResponseReturnValue:
    """End the session; keep what a form sent now had typed in it, for the same person."""
    from passport.forms import _form_page, _typed

    previous = str(session.get("_user_id") or "").partition(".")[0] or None
    staff = bool(getattr(current_user, "is_staff", False))
    kept_typing = bool(
        request.method == "POST"
        and previous
        and _form_page(request.path)
        and (typed := _typed())
        and kept.keep(request.path, typed, account=previous, check=True)
    )
    if kept_typing:
        unit_of_work.commit_now()  # what was typed is kept, whatever happens next
    ref = session.get(kept.SESSION_KEY)
    logout_user()
    session.clear()
    if ref:
        session[kept.SESSION_KEY] = ref  # only opens again for the same account
    if kept_typing:
        session["next"] = request.path
    elif request.method == "GET":
        session["next"] = request.full_path.rstrip("?")
    session[TIMED_OUT] = {"reason": reason, "kept": kept_typing, "staff": staff}
    return redirect(url_for("accounts.timed_out"))


def take_timed_out() -> dict[str, object] | None:
    found = session.pop(TIMED_OUT, None)
    return found if isinstance(found, dict) else None
