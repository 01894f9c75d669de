"""How search reads text, the same way for both engines: words, stems, trigrams, similarity.

Stemming happens here, in Python (Snowball's English stemmer, through PyStemmer), and the
engines index and match the stems as they are given: SQLite's porter tokenizer and
PostgreSQL's english configuration stem differently, and the same results on both engines
need one stemmer. Trigrams and their similarity follow pg_trgm exactly (each word padded
with two spaces before and one after), so a typo is corrected to the same word on both.
Text in, text out: nothing here touches the database.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import Stemmer

QUERY_WORDS = 10  # the words of a query that count; the rest are ignored
WORD_MAX = 40  # longer "words" (a pasted address, a hash) are not words
SHORT = 2  # a query of words this short matches the start of words in services' names
ALIKE_FROM = 5  # a word's light stem this long also finds the words that start with it
ALIKE_MAX = 20  # and at most this many of them, the most used first
SIMILAR = 0.3  # the least trigram similarity for a typo's correction (pg_trgm's default)

# Words that would match nearly every service and say nothing about what someone needs.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "such",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "will",
        "with",
        "you",
        "your",
        "i",
        "me",
        "my",
    ]
)

_WORD = re.compile(r"[^\W_]+")
_stemmer = Stemmer.Stemmer("english")


def fold(text: str) -> str:
    """Lower case without accents: 'Café' and 'cafe' are one word; Welsh 'ŵ' reads as 'w'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).casefold()


def words(text: str) -> list[str]:
    """The words of a text, folded: letters and digits, split on everything else."""
    return [word for word in _WORD.findall(fold(text)) if len(word) <= WORD_MAX]


@functools.lru_cache(maxsize=4096)
def shared_words(text: str) -> tuple[str, ...]:
    """The words of a text many services share (a term's name, a category's): read once."""
    return tuple(words(text))


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def stems(text: str) -> list[str]:
    """The stems a text is indexed by, in order, without stop words."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


def index_line(found: Iterable[str]) -> str:
    """Words as one line of stems, each once, as the full-text indexes store them."""
    unique = dict.fromkeys(found)
    return " ".join(dict.fromkeys(stem(word) for word in unique if word not in STOP_WORDS))


def index_text(*texts: str) -> str:
    return index_line(word for text in texts for word in words(text))


def vocabulary_of(*found: Iterable[str]) -> set[str]:
    """The words a typo may be corrected to: three letters or more, not only digits."""
    unique: set[str] = set().union(*found)
    return {
        word
        for word in unique
        if len(word) > SHORT and word not in STOP_WORDS and not word.isdigit()
    }


def vocabulary(*texts: str) -> set[str]:
    return vocabulary_of(*(words(text) for text in texts))


def prefixes_of(found: Iterable[str]) -> set[str]:
    """The first letter and the first two letters of each word (of a name) but stop words."""
    return {
        word[:length] for word in found if word not in STOP_WORDS for length in range(1, SHORT + 1)
    }


def name_prefixes(name: str) -> set[str]:
    return prefixes_of(words(name))


def sort_key(name: str) -> str:
    """What names are sorted by: folded, so the order is the same on both engines."""
    return fold(" ".join(name.split()))[:200]


@functools.lru_cache(maxsize=4096)
def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: '  w', ' wo', ..., 'rd '."""
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity: the trigrams both share over the trigrams either has."""
    first, second = trigrams(a), trigrams(b)
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def similar_enough(a: str, b: str) -> bool:
    """At least SIMILAR, in whole numbers (no rounding at the boundary)."""
    first, second = trigrams(a), trigrams(b)
    shared = len(first & second)
    return shared * 10 >= round(SIMILAR * 10) * (len(first) + len(second) - shared)


def least_shared(word: str) -> int:
    """The fewest trigrams a word must share with this one to be similar enough to it."""
    return max(1, -(-len(trigrams(word)) * round(SIMILAR * 10) // 10))


def best_correction(word: str, candidates: Iterable[tuple[str, int]]) -> str | None:
    """The vocabulary word closest to a typo: most similar, then most used, then A to Z.

    `candidates` are (word, number of services using it); those not similar enough are
    left out, so each engine may offer more than it needs to."""
    ranked = sorted(
        (-similarity(word, candidate), -used, candidate)
        for candidate, used in candidates
        if candidate != word and similar_enough(word, candidate)
    )
    return ranked[0][2] if ranked else None


def query_words(text: str) -> tuple[list[str], str]:
    """What a query searches for: its words of three letters or more (not stop words),
    or else, for one or two letters typed so far, the start of a word in a name. A word
    longer than WORD_MAX is kept: no service has it, so the query finds nothing."""
    typed = _WORD.findall(fold(text))[:QUERY_WORDS]
    significant = list(dict.fromkeys(w for w in typed if len(w) > SHORT and w not in STOP_WORDS))
    if significant or not typed:
        return significant, ""
    return [], typed[0][:SHORT]
