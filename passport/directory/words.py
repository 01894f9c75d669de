"""How the directory reads what someone types: search words and their light stems, 'contains'
patterns that take LIKE's wildcards literally, and slugs. Text in, text out."""

from __future__ import annotations

import re

QUERY_WORDS = 10  # the words of a query that count; the rest are ignored


def search_words(query: str) -> list[str]:
    """The words searched for: in lower case, the first ten, each lightly stemmed."""
    return [stem(word) for word in query.lower().split()[:QUERY_WORDS]]


def stem(word: str) -> str:
    """A light stem, so 'debts' finds 'debt' and 'lonely' finds 'loneliness'."""
    for suffix in ("ies", "ing", "es", "s", "y"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def contains_pattern(word: str) -> str:
    """A LIKE pattern (escape character: backslash) for text that contains the word, with
    the word's own % and _ taken literally."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100] or "organisation"
