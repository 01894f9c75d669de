"""Services that may suit a resident, from the needs in their passport, each with a plain why.

The needs are opened with the passport's key for this page only: the match is made in
memory, on the server, and nothing about it is stored, cached or logged. The directory is
asked only for services in the needs' categories (the passport taxonomy's terms), the same
question anyone could ask the public search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from passport import taxonomy
from passport.directory import listing, search
from passport.needs import service as needs

if TYPE_CHECKING:
    from passport.directory.models import Service
    from passport.needs.models import Passport

SHOWN = 5
# How many services of the needs' categories are weighed before the best few are shown.
WEIGHED = 50


@dataclass(frozen=True)
class Suggestion:
    service: Service
    matches: list[str]  # the names of the resident's needs it helps with, taxonomy order
    eligibility: str  # what the listing says about who it is for (the directory's words)
    rule_outs: list[str]  # what could rule it out, in plain words

    @property
    def referable(self) -> bool:
        return listing.referral_refusal(self.service) is None


def age_limit(service: Service) -> str | None:
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None:
        return _("Only for people aged %(low)s to %(high)s.", low=low, high=high)
    if low is not None:
        return _("Only for people aged %(low)s or over.", low=low)
    if high is not None:
        return _("Only for people aged %(high)s or under.", high=high)
    return None


def rule_outs(service: Service) -> list[str]:
    """What could stop this service helping: who it is for, whether it takes referrals now
    and whether its listing can be trusted."""
    found = [limit] if (limit := age_limit(service)) else []
    refusal = listing.referral_refusal(service)
    if refusal is not None:
        found.append(refusal)
    elif not service.accepts_self_referral:
        found.append(_("You cannot refer yourself: it takes referrals from professionals only."))
    elif listing.is_stale(service):
        found.append(_("Its details may be out of date: check with the service first."))
    return found


def suggest(passport: Passport, shown: int = SHOWN) -> list[Suggestion]:
    """The few services that best fit the passport's needs: those meeting more of the needs
    first, then those that can be referred to now. Empty without needs."""
    wanted = needs.categories(passport)
    if not wanted:
        return []
    order = [category.code for category in taxonomy.CATEGORIES if category.code in wanted]
    results = search.find(search.Query(categories=tuple(order), per_page=WEIGHED))
    suggestions = []
    for hit in results.hits:
        service = hit.service
        matched = [code for code in order if code in service.categories]
        if not matched:
            continue
        suggestions.append(
            Suggestion(
                service=service,
                matches=[str(taxonomy.category(code).name) for code in matched],
                eligibility=service.eligibility,
                rule_outs=rule_outs(service),
            )
        )
    # Stable: within each rank, the directory's own order.
    suggestions.sort(key=lambda found: (-len(found.matches), not found.referable))
    return suggestions[:shown]
