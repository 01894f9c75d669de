"""Parts that one capability adds to another's page, so that the page's capability imports
nothing of the capability that adds to it, and capabilities stay acyclic.

The passport page (needs) shows the prompt to confirm an email address (accounts) and who can
see the passport and who has looked at it (referrals, which knows the referral each share was
made for); a service page (directory) says when you already referred yourself there
(referrals). A capability adds its parts in its init_app; the page's view asks for them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

Placed = dict[str, list[tuple[str, Mapping[str, Any]]]]


@dataclass(frozen=True)
class Part:
    template: str  # rendered where the page includes its parts, with `part` = the context
    context: Callable[..., Mapping[str, Any] | None]  # None: nothing to show this time
    place: str = "below"  # one of the places the page's template has


def add(app: Flask, page: str, part: Part) -> None:
    """Add a part to a page, named by its endpoint (e.g. "needs.passport")."""
    app.extensions.setdefault("page_parts", {}).setdefault(page, []).append(part)


def for_page(page: str, *about: Any) -> Placed:
    """The page's parts by place, each as (template, context), in the order they were added.
    `about` is what the page is about (a passport, a service), passed to each part."""
    placed: Placed = defaultdict(list)
    for part in current_app.extensions.get("page_parts", {}).get(page, []):
        context = part.context(*about)
        if context is not None:
            placed[part.place].append((part.template, context))
    return placed
