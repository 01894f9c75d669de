"""The public, read-only API on the Open Referral UK profile of HSDS 3.0, under /api/.

Thin, as views are: read the parameters (refusing any this path does not take), ask
`published` for the documents, answer JSON. Every answer is open to any site (CORS `*`):
the directory is public data, and nothing else is reachable from here. What each path takes
and answers is described in `openapi.py`, served at /api/openapi.json.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import MethodNotAllowed

from passport.access import public
from passport.directory import openapi, postcodes, published
from passport.errors import DomainError, is_api_request, status_as_json
from passport.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api")

HSDS_VERSION = "3.0"
# The Open Referral UK profile of HSDS 3.0 (what the profile's own example names).
ORUK_PROFILE = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
PAGE_MAX = 2**31 - 1
NDJSON = "application/x-ndjson"
HEADER_NAMES = re.compile(r"[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*")
PAGING = frozenset({"page", "per_page"})
# ORUK clients written for the older profile send `text` for the words of a search.
SERVICE_PARAMETERS = PAGING | {
    "search",
    "text",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "minimal",
    "full",
    "format",
}

limiter.limit(openapi.RATE_LIMIT, methods=["GET", "HEAD"])(bp)


class BadParameterError(DomainError):
    """A parameter the path does not take, or a value it cannot use: a 400 that says which."""

    status = 400
    code = "bad-parameter"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PostcodesNotLoadedError(DomainError):
    """A search by postcode on an installation with no postcode data: the client's postcode
    is not at fault, so not a 400 that blames it."""

    status = 503
    code = "postcodes-not-loaded"

    def __init__(self) -> None:
        super().__init__()
        self.message = (
            "Searching by postcode is not available yet: this directory has no postcode data "
            "loaded. Search without a postcode."
        )


class Parameters:
    """The query string, read strictly: one value each, of the type the path documents."""

    TRUE: ClassVar[dict[str, bool]] = {"true": True, "false": False}

    def __init__(self, allowed: frozenset[str]) -> None:
        self.args = request.args
        unknown = sorted(set(self.args) - allowed)
        if unknown:
            takes = ", ".join(sorted(allowed)) or "no parameters"
            raise BadParameterError(f"Unknown parameter {unknown[0]!r}: this path takes {takes}.")
        repeated = sorted(name for name in self.args if len(self.args.getlist(name)) > 1)
        if repeated:
            raise BadParameterError(f"The parameter {repeated[0]!r} is given more than once.")

    def text(self, *names: str, longest: int) -> str:
        given = [self.args[name] for name in names if name in self.args]
        if len(given) > 1:
            raise BadParameterError(f"Give only one of {' or '.join(names)}.")
        value = given[0].strip() if given else ""
        if len(value) > longest:
            raise BadParameterError(f"{names[0]} must be at most {longest} characters.")
        return value

    def integer(self, name: str, default: int, lowest: int, highest: int) -> int:
        if name not in self.args:
            return default
        value = self.args[name].strip()
        if not value.isascii() or not value.isdigit() or len(value) > 19:
            raise BadParameterError(f"{name} must be a whole number from {lowest}.")
        number = int(value)
        if number < lowest or number > highest:
            raise BadParameterError(f"{name} must be from {lowest} to {highest}.")
        return number

    def paging(self) -> tuple[int, int]:
        page = self.integer("page", 1, 1, PAGE_MAX)
        # Above the maximum, a page holds the maximum: the answer's size says so.
        per_page = min(
            self.integer("per_page", published.PER_PAGE, 1, PAGE_MAX), published.PER_PAGE_MAX
        )
        return page, per_page

    def boolean(self, name: str) -> bool:
        if name not in self.args:
            return False
        value = self.TRUE.get(self.args[name].strip().lower())
        if value is None:
            raise BadParameterError(f"{name} must be true or false.")
        return value

    def uuid(self, name: str) -> uuid.UUID | None:
        if name not in self.args:
            return None
        try:
            return uuid.UUID(self.args[name].strip())
        except ValueError:
            raise BadParameterError(f"{name} must be a UUID.") from None

    def moment(self, name: str) -> datetime | None:
        if name not in self.args:
            return None
        value = self.args[name].strip()
        try:
            moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        except ValueError:
            raise BadParameterError(
                f"{name} must be a date and time such as 2024-05-01T09:30:00Z."
            ) from None
        # A time without an offset is taken as UTC, as HSDS writes last_modified.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.args.get(name, choices[0]).strip()
        if value not in choices:
            raise BadParameterError(f"{name} must be {' or '.join(choices)}.")
        return value


# Metadata and the description of the API


@bp.get("/")
@public
def metadata() -> ResponseReturnValue:
    Parameters(frozenset())
    settings = current_app.config["SETTINGS"]
    publisher = {
        "name": settings.api_publisher_name,
        "identifier": settings.api_publisher_identifier or settings.base_url,
        "website": settings.api_publisher_website or settings.base_url,
    }
    if settings.api_publisher_email:
        publisher["email"] = settings.api_publisher_email
    return jsonify(
        version=HSDS_VERSION,
        profile=ORUK_PROFILE,
        openapi_url=settings.base_url + url_for("api.openapi_document"),
        description=openapi.DESCRIPTION,
        publisher=publisher,
    )


@bp.get("/openapi.json")
@public
def openapi_document() -> ResponseReturnValue:
    Parameters(frozenset())
    return jsonify(openapi.document())


# Services


@bp.get("/services")
@public
def services() -> ResponseReturnValue:
    params = Parameters(SERVICE_PARAMETERS)
    minimal, full = params.boolean("minimal"), params.boolean("full")
    if minimal and full:
        raise BadParameterError("Ask for minimal or full, not both.")
    wanted = published.ServiceFilter(
        text=params.text("search", "text", longest=published.SEARCH_MAX),
        term_id=params.uuid("taxonomy_term_id"),
        taxonomy_id=params.uuid("taxonomy_id"),
        organisation_id=params.uuid("organization_id"),
        modified_after=params.moment("modified_after"),
        shape="minimal" if minimal else "full" if full else "list",
    )
    if wanted.text and wanted.modified_after:
        # The search engine ranks by relevance and knows no dates: a client following
        # changes asks by date alone.
        raise BadParameterError("modified_after cannot be combined with search.")
    if params.choice("format", ("json", "ndjson")) == "ndjson":
        if set(request.args) & PAGING:
            raise BadParameterError("ndjson streams every result: leave out page and per_page.")
        return _stream(published.all_services(wanted))
    page, per_page = params.paging()
    return jsonify(published.services_page(wanted, page, per_page).as_json())


@bp.get("/services/<service_id>")
@public
def service(service_id: str) -> ResponseReturnValue:
    Parameters(frozenset())
    return jsonify(published.service(service_id))


def _stream(documents: Iterator[dict[str, Any]]) -> Response:
    """One JSON document a line, written as it is read: memory stays one batch deep."""

    def lines() -> Iterator[str]:
        for document in documents:
            yield json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n"

    return Response(stream_with_context(lines()), mimetype=NDJSON)


# Organisations


@bp.get("/organizations")
@public
def organisations() -> ResponseReturnValue:
    params = Parameters(PAGING | {"full", "full_service"})
    full, full_service = params.boolean("full"), params.boolean("full_service")
    services = "full" if full_service else "list" if full else ""
    page, per_page = params.paging()
    return jsonify(published.organisations_page(page, per_page, services).as_json())


@bp.get("/organizations/<organisation_id>")
@public
def organisation(organisation_id: str) -> ResponseReturnValue:
    Parameters(frozenset())
    return jsonify(published.organisation(organisation_id))


# Taxonomies and their terms


@bp.get("/taxonomies")
@public
def taxonomies() -> ResponseReturnValue:
    page, per_page = Parameters(PAGING).paging()
    return jsonify(published.taxonomies_page(page, per_page).as_json())


@bp.get("/taxonomies/<taxonomy_id>")
@public
def taxonomy(taxonomy_id: str) -> ResponseReturnValue:
    Parameters(frozenset())
    return jsonify(published.taxonomy(taxonomy_id))


@bp.get("/taxonomy_terms")
@public
def taxonomy_terms() -> ResponseReturnValue:
    params = Parameters(PAGING | {"top_only", "parent_id", "taxonomy_id"})
    top_only, parent_id = params.boolean("top_only"), params.uuid("parent_id")
    if top_only and parent_id:
        raise BadParameterError("A term with a parent is not a top term: ask for one or other.")
    taxonomy_id = params.uuid("taxonomy_id")
    page, per_page = params.paging()
    found = published.taxonomy_terms_page(
        page, per_page, top_only=top_only, parent_id=parent_id, taxonomy_id=taxonomy_id
    )
    return jsonify(found.as_json())


@bp.get("/taxonomy_terms/<term_id>")
@public
def taxonomy_term(term_id: str) -> ResponseReturnValue:
    Parameters(frozenset())
    return jsonify(published.taxonomy_term(term_id))


# Services at locations


@bp.get("/service_at_locations")
@public
def service_at_locations() -> ResponseReturnValue:
    params = Parameters(PAGING | {"postcode", "proximity"})
    postcode = params.text("postcode", longest=10)
    proximity = (
        params.integer("proximity", published.PROXIMITY_DEFAULT, 1, published.PROXIMITY_MAX)
        if "proximity" in request.args
        else None
    )
    if proximity is not None and not postcode:
        raise BadParameterError("proximity is measured from a postcode: give one.")
    if postcode and postcodes.normalise(postcode) is None:
        raise BadParameterError(f"{postcode!r} is not a postcode.")
    if postcode and not postcodes.any_loaded():
        raise PostcodesNotLoadedError()
    page, per_page = params.paging()
    found = published.service_at_locations_page(
        page, per_page, postcode=postcode, proximity=proximity
    )
    return jsonify(found.as_json())


@bp.get("/service_at_locations/<link_id>")
@public
def service_at_location(link_id: str) -> ResponseReturnValue:
    Parameters(frozenset())
    return jsonify(published.service_at_location(link_id))


# Read only


READ_METHODS = ("GET", "HEAD", "OPTIONS")


@bp.before_app_request
def reads_only() -> ResponseReturnValue | None:
    """Any other method under /api/ is answered in JSON: 405 with the methods allowed (404
    for a path that is not there). Registered by the directory before passport/security.py
    registers its check on cross-site changes, so this runs first: that check answers with
    the site's HTML error page, and the API changes nothing for it to guard."""
    if not is_api_request() or request.method in READ_METHODS:
        return None
    if not isinstance(request.routing_exception, MethodNotAllowed):
        return status_as_json(404)
    allowed = ", ".join(READ_METHODS)
    response = jsonify(
        status=405,
        error="method-not-allowed",
        message=f"The API only reads: {request.method} is not allowed. Use GET.",
    )
    response.status_code = 405
    response.headers["Allow"] = allowed
    return response


# Open to every site, briefly cacheable, never carrying anyone's cookie


@bp.after_app_request
def open_to_every_site(response: Response) -> Response:
    """CORS, caching and the resource policy of every answer under /api/, errors included.

    Registered on the app by the directory before passport/security.py registers its
    headers, so this runs after them (Flask runs after-request hooks last first) and has
    the last word on the API's Cache-Control and Cross-Origin-Resource-Policy.
    """
    # /api itself (no slash) is answered with a redirect to /api/, which needs CORS too.
    if not (is_api_request() or request.path == bp.url_prefix):
        return response
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = (
        "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    )
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        # Any header a client asks to send: nothing here reads credentials or cookies.
        asked = request.headers.get("Access-Control-Request-Headers", "")
        headers["Access-Control-Allow-Headers"] = (
            asked if HEADER_NAMES.fullmatch(asked) else "Accept, Accept-Language, Content-Type"
        )
        headers["Access-Control-Max-Age"] = "86400"
    # Public data any site may read, so any page may load it (CORS decides for fetch()).
    headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        headers["Cache-Control"] = f"public, max-age={openapi.CACHE_SECONDS}"
    else:
        headers["Cache-Control"] = "no-store"
    return response
