"""What each kind of notice says, and where it leads. A notice keeps only its kind and the ids
its link needs; the words are chosen when it is shown, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Kind:
    title: LazyString
    endpoint: str  # the page the notice links to
    values: tuple[str, ...]  # the ids that page's address takes
    # The e-mail and text it goes with (emails/<message>.txt, texts/<message>.txt), if not
    # its own name's: kinds that the notices page tells apart can share one neutral e-mail.
    message: str | None = None


KINDS: dict[str, Kind] = {}


def add(name: str, kind: Kind) -> None:
    """A capability adds the notices it sends (their e-mail and text templates share the
    name, emails/<name>.txt and texts/<name>.txt, unless the kind names its `message`)."""
    KINDS[name] = kind


add(
    "referral_update",
    Kind(
        _l("An organisation has replied to a referral you made"),
        "referrals.detail",
        ("referral_id",),
    ),
)
add(
    "link_locked",
    Kind(_l("A link you shared has been locked"), "referrals.detail", ("referral_id",)),
)


def message_of(name: str) -> str:
    """The e-mail's and text's template for a kind of notice."""
    kind = KINDS.get(name)
    return kind.message if kind is not None and kind.message else name
