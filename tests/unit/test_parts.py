"""passport/parts.py: what one capability adds to another's page, by place and in order."""

from __future__ import annotations

from flask import Flask

from passport import parts


def test_a_page_gets_its_parts_by_place_in_the_order_they_were_added():
    app = Flask(__name__)
    parts.add(app, "needs.passport", parts.Part("prompt.html", lambda p: {"p": p}, "above"))
    parts.add(app, "needs.passport", parts.Part("shares.html", lambda p: {"shares": [p]}))
    parts.add(app, "needs.passport", parts.Part("more.html", lambda p: {"more": p}))
    parts.add(app, "directory.service", parts.Part("yours.html", lambda s: {"s": s}, "above"))
    with app.app_context():
        placed = parts.for_page("needs.passport", "a passport")
    assert placed == {
        "above": [("prompt.html", {"p": "a passport"})],
        "below": [
            ("shares.html", {"shares": ["a passport"]}),
            ("more.html", {"more": "a passport"}),
        ],
    }


def test_a_part_with_nothing_to_show_is_left_out():
    app = Flask(__name__)
    parts.add(app, "directory.service", parts.Part("yours.html", lambda s: None, "above"))
    with app.app_context():
        assert parts.for_page("directory.service", "a service")["above"] == []
        assert parts.for_page("core.start") == {}


def test_each_app_has_its_own_parts():
    first, second = Flask(__name__), Flask(__name__)
    parts.add(first, "needs.passport", parts.Part("shares.html", lambda p: {}))
    with second.app_context():
        assert parts.for_page("needs.passport", "a passport") == {}
