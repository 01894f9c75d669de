"""Residents' accounts: passkeys, e-mail sign-in links, sessions."""
