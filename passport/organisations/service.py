"""What the organisation's side does with a link, beyond what sharing and referrals offer."""

from __future__ import annotations

from passport.referrals import lifecycle
from passport.referrals import service as referrals
from passport.referrals.lifecycle import Move
from passport.referrals.models import Referral
from passport.sharing.models import ShareLink


def referral_to_answer(link: ShareLink) -> Referral:
    """The referral behind a link, while the organisation may still accept or decline it.

    Answered already (a second click, or a colleague): StatusChangedError, whose handler
    shows where it stands.
    """
    referral = referrals.referral_for_grant(link.grant_id)
    if not lifecycle.awaiting_answer(referral.status):
        raise referrals.StatusChangedError(referral.id)
    return referral


def referral_to_move(link: ShareLink, move: Move) -> Referral:
    """The referral behind a link, while the organisation may make this move on it.

    Moved on already (a second click, a colleague, the person withdrawing): StatusChangedError,
    whose handler shows where it stands and what was typed.
    """
    referral = referrals.referral_for_grant(link.grant_id)
    if not lifecycle.can(move, referral.status):
        raise referrals.StatusChangedError(referral.id, move)
    return referral
