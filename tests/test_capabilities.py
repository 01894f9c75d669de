"""create_app walks one tuple of capabilities; each brings its own pages through init_app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from passport import app as factory

PASSPORT = Path(factory.__file__).parent


def test_every_package_with_pages_is_a_capability_the_factory_walks() -> None:
    with_pages = {f"passport.{views.parent.name}" for views in PASSPORT.glob("*/views.py")}
    walked = {capability.__name__ for capability in factory.CAPABILITIES}
    assert with_pages
    assert with_pages <= walked


def test_every_blueprint_is_registered_by_the_capability_it_belongs_to(app: Flask) -> None:
    walked = {capability.__name__ for capability in factory.CAPABILITIES}
    for name, blueprint in app.blueprints.items():
        owner = blueprint.import_name.rsplit(".", 1)[0]
        if blueprint.import_name == "passport.views":
            owner = "passport.views"  # the pages that belong to no one capability
        assert owner in walked, name
