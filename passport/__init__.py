"""Needs Passport: record your needs once, share them on your terms."""

from passport.app import create_app

__all__ = ["create_app"]
