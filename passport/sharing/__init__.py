"""Share grants, share links, one-time codes, the access log."""
