"""How the directory reads what someone types: search words and their light stems, 'contains'
patterns that take LIKE's wildcards literally, and slugs; and how it writes a time of day.
Text in, text out."""

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


def clock_time(minutes: int, midday: str = "midday", midnight: str = "midnight") -> str:
    """A time of day (minutes after midnight; 1440 is the midnight at a day's end) as GOV.UK
    writes it: '9am', '5:30pm', 'midday', 'midnight' (pass the last two translated)."""
    hours, minute = divmod(minutes % 1440, 60)
    if minute == 0 and hours in (0, 12):
        return midnight if hours == 0 else midday
    suffix = "am" if hours < 12 else "pm"
    hour = hours % 12 or 12
    return f"{hour}{suffix}" if minute == 0 else f"{hour}:{minute:02d}{suffix}"
