"""The app's keyring, reloaded from its file when a stored key names a KEK it lacks.

`passport keys rotate` writes a new key file from one process; the other workers learn
of the new KEK the first time they meet a data key wrapped with it.
"""

from __future__ import annotations

from flask import current_app

from passport import crypto


def keyring() -> crypto.Keyring:
    ring: crypto.Keyring = current_app.extensions["keyring"]
    return ring


def keyring_for(kek_id: str) -> crypto.Keyring:
    ring = keyring()
    if kek_id not in ring.keks:
        settings = current_app.config["SETTINGS"]
        ring = crypto.load_keyring(settings.keyring, settings.key_file)
        current_app.extensions["keyring"] = ring
    return ring
