"""Pages for tests only, registered only when PASSPORT_TESTING is on (never in production:
config refuses it there). The browser tests move the live server's clock here."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from passport import clock
from passport.access import public
from passport.extensions import csrf

bp = Blueprint("testing", __name__)


def init_app(app: Flask) -> None:
    if app.config["SETTINGS"].testing:
        csrf.exempt(bp)  # posted by the test harness, not by a page
        app.register_blueprint(bp)


@bp.post("/_testing/clock")
@public
def move_clock() -> ResponseReturnValue:
    """Move the clock on by `seconds` (JSON), or back to real time with `{"reset": true}`."""
    movable = current_app.extensions["clock"]
    assert isinstance(movable, clock.MovableClock)
    body = request.get_json(force=True)
    if body.get("reset"):
        movable.reset()
    else:
        movable.advance(timedelta(seconds=float(body["seconds"])))
    return jsonify(now=clock.now().isoformat())


@bp.post("/_testing/session-limits")
@public
def session_limits_switch() -> ResponseReturnValue:
    """Turn the session limits (passport/accounts/session_limits.py) on with `{"on": true}`,
    off with `{"on": false}`: they are off on test servers, whose tests move the clock."""
    from passport.accounts.session_limits import switch_file

    switch = switch_file(current_app)
    if request.get_json(force=True).get("on"):
        switch.touch()
    else:
        switch.unlink(missing_ok=True)
    return jsonify(on=switch.exists())
