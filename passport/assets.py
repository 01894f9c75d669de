"""Static files as a phone on a slow connection should get them.

`build()` copies every file in passport/static/ to build/static/ under a content-hashed name
(`app.css` becomes `app.3f2a9c0d1e4b.css`), with gzip and brotli copies beside it
(WhiteNoise's compressor), and works out the stylesheet every page carries inline: the
GOV.UK Frontend rules that some template, Python module or script can use, then app.css.
WhiteNoise serves build/static/ at /static/: the precompressed copy the browser accepts,
cached for good (`immutable`), since a changed file gets a new name. `url_for("static", ...)`
gives the hashed name. Unhashed names still work (Flask serves them, cached for a day).

The app builds on start when the sources have changed (a few hundred milliseconds), so
`make run`, the tests and gunicorn never serve stale files; build/ is not committed.
`passport assets build` does the same ahead of time, for a read-only deployment.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import tinycss2
from flask import Flask
from markupsafe import Markup
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from passport import security
from passport.config import ROOT

PACKAGE = ROOT / "passport"
SOURCE = PACKAGE / "static"
OUTPUT = ROOT / "build" / "static"
MANIFEST = ROOT / "build" / "static-manifest.json"
FRAMEWORK_CSS = "vendor/govuk-frontend.min.css"
OWN_CSS = "app.css"
# Bump when build() itself changes, so every machine builds again.
BUILD_VERSION = "2"
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
# Where class names can come from, and what one looks like (GOV.UK's `govuk-!-…` overrides
# included). `govuk-label--{{ size }}` is a class built from a value written elsewhere.
CLASS_SOURCES = ("*.html", "*.py", "*.js")
WORD = re.compile(r"[A-Za-z0-9_!-]+")
BUILT_CLASS = re.compile(r"([A-Za-z0-9_!-]*)\{\{[^}]*\}\}([A-Za-z0-9_!-]*)")


@dataclass(frozen=True)
class Manifest:
    digest: str  # of every input: a new digest means a new build
    files: dict[str, str]  # "app.css" -> "app.3f2a9c0d1e4b.css"
    styles: str  # the CSS every page carries in its <style>


def class_sources() -> list[Path]:
    return sorted(
        path
        for pattern in CLASS_SOURCES
        for path in PACKAGE.rglob(pattern)
        if "i18n" not in path.relative_to(PACKAGE).parts
    )


def static_sources() -> list[Path]:
    return sorted(path for path in SOURCE.rglob("*") if path.is_file())


def inputs_digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256(BUILD_VERSION.encode())
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def hashed_name(name: str, content: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    tag = hashlib.sha256(content).hexdigest()[:12]
    return f"{stem}.{tag}.{suffix}" if dot else f"{name}.{tag}"


# The stylesheet


class ClassFinder:
    """Which class names the app can put on a page, read the way PurgeCSS reads sources:
    any word in a template, module or script counts, and so does a class built in a
    template (`govuk-{{ kind }}__item`) when its middle is a word found anywhere."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words: set[str] = set()
        self.built: set[tuple[str, str]] = set()
        for text in texts:
            self.words.update(WORD.findall(text))
            self.built.update(pair for pair in BUILT_CLASS.findall(text) if any(pair))

    def used(self, name: str) -> bool:
        if name in self.words:
            return True
        return any(
            name.startswith(prefix)
            and name.endswith(suffix)
            and name[len(prefix) : len(name) - len(suffix)] in self.words
            for prefix, suffix in self.built
            if len(name) > len(prefix) + len(suffix)
        )


def _selectors(prelude: list[tinycss2.ast.Node]) -> Iterator[list[tinycss2.ast.Node]]:
    selector: list[tinycss2.ast.Node] = []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            yield selector
            selector = []
        else:
            selector.append(token)
    yield selector


def _classes(selector: list[tinycss2.ast.Node]) -> list[str]:
    """The classes a selector needs. Those inside :not(), :is() or :where() are left out,
    which keeps a rule rather than dropping one a page needs."""
    return [
        token.value
        for before, token in itertools.pairwise(selector)
        if before.type == "literal" and before.value == "." and token.type == "ident"
    ]


def _purge(rules: list[tinycss2.ast.Node], finder: ClassFinder) -> list[tinycss2.ast.Node]:
    kept: list[tinycss2.ast.Node] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in _selectors(rule.prelude) if all(map(finder.used, _classes(s)))]
            if selectors:
                comma = tinycss2.ast.LiteralToken(0, 0, ",")
                rule.prelude = [t for s in selectors for t in [comma, *s]][1:]
                kept.append(rule)
        elif (
            rule.type == "at-rule"
            and rule.content is not None
            and rule.lower_at_keyword
            in (
                "media",
                "supports",
                "-moz-document",
            )
        ):
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            purged = _purge(inner, finder)
            if purged:
                rule.content = purged
                kept.append(rule)
        elif rule.type == "at-rule" and rule.lower_at_keyword != "charset":
            kept.append(rule)  # @keyframes, @font-face and the like
    return kept


def used_css(css: str, finder: ClassFinder) -> str:
    """The rules of `css` that the app can use; the others are dropped."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return tinycss2.serialize(_purge(rules, finder))


def page_styles() -> str:
    finder = ClassFinder(path.read_text(encoding="utf-8") for path in class_sources())
    framework = used_css((SOURCE / FRAMEWORK_CSS).read_text(encoding="utf-8"), finder)
    styles = framework + "\n" + (SOURCE / OWN_CSS).read_text(encoding="utf-8")
    if "</" in styles:  # it goes inside <style>: nothing in it may close the element
        raise ValueError("The page stylesheet contains '</'.")
    return styles


# The build


@contextlib.contextmanager
def _scratch(folder: Path) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".building-") as scratch:
        yield Path(scratch)


def _place(file: Path, target: Path, compressor: Compressor) -> None:
    """Put one hashed file in place with its compressed copies, each by an atomic rename
    (other processes may be serving the folder), the file itself last."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with _scratch(OUTPUT.parent) as scratch:
        staged = scratch / target.name
        staged.write_bytes(file.read_bytes())
        if compressor.should_compress(staged.name):  # not PNGs: they are compressed already
            for compressed in compressor.compress(str(staged)):
                os.replace(compressed, target.parent / Path(compressed).name)
        os.replace(staged, target)


def _write_manifest(manifest: Manifest) -> None:
    text = json.dumps(
        {"digest": manifest.digest, "files": manifest.files, "styles": manifest.styles},
        indent=1,
    )
    with _scratch(MANIFEST.parent) as scratch:
        staged = scratch / MANIFEST.name
        staged.write_text(text, encoding="utf-8")
        os.replace(staged, MANIFEST)


def build() -> Manifest:
    """Hashed, compressed copies of every static file, and the inline stylesheet."""
    sources = static_sources()
    digest = inputs_digest([*sources, *class_sources()])
    compressor = Compressor(quiet=True)
    files = {}
    for path in sources:
        name = path.relative_to(SOURCE).as_posix()
        files[name] = hashed_name(name, path.read_bytes())
        target = OUTPUT / files[name]
        if not target.exists():
            _place(path, target, compressor)
    manifest = Manifest(digest, files, page_styles())
    _write_manifest(manifest)
    return manifest


def load_or_build() -> Manifest:
    """The current build, made first if any source has changed since the last one."""
    with contextlib.suppress(OSError, ValueError, KeyError):
        saved = json.loads(MANIFEST.read_text(encoding="utf-8"))
        manifest = Manifest(saved["digest"], saved["files"], saved["styles"])
        if manifest.digest == inputs_digest([*static_sources(), *class_sources()]):
            return manifest
    return build()


def init_app(app: Flask) -> None:
    manifest = load_or_build()
    app.extensions["assets"] = manifest
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=OUTPUT,
        prefix="static/",
        max_age=None,
        allow_all_origins=False,
        immutable_file_test=lambda path, url: bool(HASHED.search(url)),
        add_headers_function=security.file_headers(app),
    )

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict[str, str]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest.files.get(values["filename"], values["filename"])

    app.jinja_env.globals["page_styles"] = lambda: Markup(manifest.styles)  # noqa: S704
    app.jinja_env.globals["assets_version"] = manifest.digest[:12]

    @app.cli.group()
    def assets() -> None:
        """Static files: hashed names, compressed copies, the inline stylesheet."""

    @assets.command("build")
    def assets_build() -> None:
        """Build them now (the app also does when they are out of date)."""
        built = build()
        click.echo(f"Built {len(built.files)} files into {OUTPUT.relative_to(ROOT)}.")
