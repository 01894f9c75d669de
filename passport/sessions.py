"""The session cookie: sealed (encrypted and authenticated), so nothing in it, such as the
address someone is signing up with or a message naming an organisation, can be read from
the browser, its history or a copied cookie."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from flask import Flask, Response, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature

from passport import crypto
from passport.errors import API_PREFIX

# The sealed length shows only a step of this size, not, say, the length of an address.
PAD_TO = 64


class SealedSerializer:
    """What Flask's session interface needs of a serializer (dumps, loads), sealing the
    session with the first key and opening it with any of them (the secret key, then
    SECRET_KEY_FALLBACKS while a new secret key is rolled out)."""

    def __init__(self, keys: Sequence[bytes], serializer: TaggedJSONSerializer) -> None:
        self.keys = keys
        self.serializer = serializer

    def dumps(self, session: dict[str, Any]) -> str:
        text = f"{int(time.time())}:{self.serializer.dumps(session)}"
        text += " " * (-len(text.encode("utf-8")) % PAD_TO)  # JSON allows trailing spaces
        return crypto.seal_cookie(self.keys[0], text.encode("utf-8"))

    def loads(self, value: str, max_age: int | None = None) -> Any:
        """The session, or BadSignature (Flask then starts an empty one) for a cookie that
        is not ours, was changed, or is older than max_age."""
        for key in self.keys:
            try:
                made, _, data = crypto.open_cookie(key, value).decode("utf-8").partition(":")
                if max_age is not None and time.time() - int(made) > max_age:
                    raise BadSignature("The session has expired.")
                return self.serializer.loads(data)
            except ValueError:  # not sealed with this key; also bad UTF-8 or JSON
                continue
        raise BadSignature("The session cookie was not sealed by this app.")


class SessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app: Flask) -> SealedSerializer | None:  # type: ignore[override]
        if not app.secret_key:
            return None
        secrets = [app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or [])]
        return SealedSerializer([crypto.cookie_key(secret) for secret in secrets], self.serializer)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Static files and the public API's answers may sit in shared caches: a cookie sent
        # with one would be handed to everyone who gets the cached copy.
        if request.endpoint == "static" or request.path.startswith(API_PREFIX):
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
