"""Starting points the security tests share: a resident who has referred themself."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import journeys, pages
from tests.support.mailbox import Mailbox

# From the demo directory (passport/demo/directory.hsds.json).
SERVICE = "debt-advice-drop-in"
OTHER_SERVICE = "housing-rights-advice"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Referred:
    """A signed-in resident with a money need and a sent referral to SERVICE."""

    email: str
    story: str
    message: str
    referral: str  # the resident's path, /referrals/<id>
    share_link: str  # the organisation's path, /share/<token>


def marker() -> str:
    """A value no page, table or log could contain by chance."""
    return uuid.uuid4().hex


def resident_with_referral(
    client: FlaskClient,
    mailbox: Mailbox,
    *,
    email: str | None = None,
    story: str | None = None,
    message: str | None = None,
) -> Referred:
    email = email or f"resident-{marker()}@example.net"
    story = story or f"My story {marker()}"
    message = message or f"My message {marker()}"
    journeys.sign_up(client, mailbox, email)
    added = journeys.add_need(client, "money", story)
    assert added.status_code == 302, added.status_code
    referral = journeys.refer(client, SERVICE, ["about", "money"], message)
    share_link = journeys.path_of(mailbox.link_to(ORG_EMAIL, "/share/"))
    return Referred(email, story, message, referral, share_link)


def ids_in(response: TestResponse, pattern: str) -> list[str]:
    """The uuids in the links of a page that match `pattern` ({id} marks the uuid)."""
    regex = re.compile(pattern.replace("{id}", f"({UUID})"))
    found = []
    for link in pages.soup(response).find_all("a", href=True):
        match = regex.fullmatch(str(link["href"]))
        if match:
            found.append(match.group(1))
    return found
