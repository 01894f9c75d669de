from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names
from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from jinja2_fragments.flask import render_blocks

from passport import parts, taxonomy
from passport.access import public
from passport.directory import details
from passport.directory import service as directory
from passport.directory.forms import SearchForm
from passport.directory.search import Query, Results, Sort, find
from passport.directory.words import clock_time
from passport.extensions import htmx

bp = Blueprint("directory", __name__, template_folder="templates")

# Page links either side of the current page, as GOV.UK's pagination shows them.
PAGES_AROUND = 1
# Further than any real list goes: a hand-made address asks for no absurd offset.
PAGE_MAX = 10_000


@bp.get("/directory")
@public
def search() -> ResponseReturnValue:
    clean = _clean_address()
    if clean is not None and not htmx:
        # A GET form sends every field, filled or not: the address to share and bookmark
        # (and the one in the history) names only what was chosen.
        return redirect(clean)
    form = _search_form()
    valid = form.validate()
    category = _category(form)
    query = _query(form, category)
    results = find(query) if valid else Results()
    if results.total and query.page > results.pages:
        # An old link past the end (the directory shrank): its last page, not an empty one.
        query = dataclasses.replace(query, page=results.pages)
        results = find(query)
    search_args = _search_args(form, category)
    context = {
        "search_form": form,
        "results": results,
        "search_args": search_args,
        "pagination": _pagination(results, search_args) if valid else None,
        # Distance needs a postcode: without one, say what the results are instead.
        "by_distance_without_postcode": valid and form.by_distance and form.near is None,
        "within_without_postcode": valid and bool(form.chosen(form.distance)) and not form.near,
        "near": form.postcode_found,
        "filters_used": _filters_used(form),
        "category": taxonomy.category(category) if category else None,
        "topics": [category],
    }
    if htmx and htmx.target == "results":
        # A live update renders the results alone: no parts (they open a resident's needs).
        fragment = make_response(
            render_blocks(
                "directory/search.html",
                ["count", "errors", "results"],
                out_of_band=True,
                parts={},
                **context,
            )
        )
        if clean is not None:
            fragment.headers["HX-Push-Url"] = clean  # the address htmx puts in the history
        return fragment
    # What other capabilities show here (passport/parts.py): services that may suit you.
    return render_template(
        "directory/search.html", parts=parts.for_page("directory.search"), **context
    )


@bp.get("/directory/services/<slug>")
@public
def service(slug: str) -> ResponseReturnValue:
    found = directory.get_service_or_404(slug)
    about = details.service_details(found)
    categories = [taxonomy.category(code) for code in found.categories]
    # The search the person came from, carried in the link: back to the same results.
    form = _search_form()
    form.validate()
    return render_template(
        "directory/service.html",
        service=found,
        details=about,
        opening_days=_opening_days(about.openings),
        delivered=details.delivered(found.delivery),
        categories=categories,
        service_languages=sorted(map(_language_names(), about.languages), key=str.casefold),
        back_to_search=url_for("directory.search", **_search_args(form, _category(form))),
        # What other capabilities show here (passport/parts.py): your referral to it, say.
        parts=parts.for_page("directory.service", found),
        topics=found.categories,
    )


# What the form sends when nothing is chosen, beside its empty fields.
UNCHOSEN = {("sort", "relevance")}


def _clean_address() -> str | None:
    """This search's address without its empty parameters (or the default sort), when it
    has any."""
    sent = list(request.args.items(multi=True))
    kept = [
        (name, value) for name, value in sent if value.strip() and (name, value) not in UNCHOSEN
    ]
    if len(kept) == len(sent):
        return None
    return url_for("directory.search") + (f"?{urlencode(kept)}" if kept else "")


def _opening_days(openings: list[details.Opening]) -> list[tuple[str, str]]:
    """Each day the service opens, named in the page's language, with its hours."""
    names = get_day_names("wide", locale=get_locale() or Locale("en"))
    days: dict[int, list[str]] = {}
    for opening in openings:
        days.setdefault(opening.weekday, []).append(
            gettext(
                "%(opens)s to %(closes)s",
                opens=_clock_time(opening.opens),
                closes=_clock_time(opening.closes),
            )
        )
    return [(str(names[day]), ", ".join(hours)) for day, hours in sorted(days.items())]


def _clock_time(minutes: int) -> str:
    """GOV.UK style: '9am', '12:30pm', 'midday', 'midnight' (GOV.UK Welsh writes '9am' too)."""
    return clock_time(minutes, midday=gettext("midday"), midnight=gettext("midnight"))


def _search_form() -> SearchForm:
    names = _language_names()
    offered = sorted(details.languages_offered(), key=lambda code: names(code).casefold())
    return SearchForm(request.args, languages=[(code, names(code)) for code in offered])


def _language_names() -> Callable[[str], str]:
    """A function naming an ISO 639 code's language in the page's language ('cy': 'Welsh')."""
    locale = get_locale() or Locale("en")

    def name(code: str) -> str:
        known = locale.languages.get(code)
        if known:
            return str(known)
        try:
            return str(Locale.parse(code).get_language_name(locale) or code)
        except (ValueError, UnknownLocaleError):
            return code

    return name


def _category(form: SearchForm) -> str:
    return form.category.data if taxonomy.is_category(form.category.data or "") else ""


def _page_number() -> int:
    text = request.args.get("page", "")
    return min(int(text), PAGE_MAX) if text.isascii() and text.isdigit() and int(text) else 1


def _query(form: SearchForm, category: str) -> Query:
    only = form.ticked(form.only)
    near = form.near
    return Query(
        text=(form.q.data or "").strip(),
        categories=(category,) if category else (),
        near=near,
        within_metres=form.within_metres,
        free_only="free" in only,
        open_now="open_now" in only,
        accepting_only="accepting" in only,
        language=form.chosen(form.language),
        delivery=details.delivery_mask(form.ticked(form.delivery)),
        sort=Sort.DISTANCE if form.by_distance and near else Sort.RELEVANCE,
        page=_page_number(),
    )


def _search_args(form: SearchForm, category: str) -> dict[str, Any]:
    """Every filter of a valid search, as the address names it: carried to a service page
    and back, and on every page link. An invalid search is dropped."""
    if form.errors:
        return {}
    values: dict[str, Any] = {
        "q": (form.q.data or "").strip(),
        "category": category,
        "postcode": (form.postcode.data or "").strip(),
        "distance": form.chosen(form.distance),
        "only": form.ticked(form.only),
        "delivery": form.ticked(form.delivery),
        "language": form.chosen(form.language),
        "sort": "distance" if form.by_distance else "",
    }
    return {name: value for name, value in values.items() if value}


def _filters_used(form: SearchForm) -> bool:
    """Whether the search uses more than words: its filters are then shown open on phones."""
    return bool(
        form.postcode.data
        or form.chosen(form.distance)
        or form.ticked(form.only)
        or form.ticked(form.delivery)
        or form.chosen(form.language)
        or form.by_distance
    )


@dataclasses.dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    url: str = ""
    current: bool = False


@dataclasses.dataclass(frozen=True)
class Pagination:
    previous: str
    next: str
    items: list[PageLink]


def _pagination(results: Results, search_args: dict[str, Any]) -> Pagination | None:
    """GOV.UK pagination: previous, the first and last pages, those either side of the
    current one, ellipses for the gaps, next; every link keeps the search's filters."""
    if results.pages <= 1:
        return None

    def url(page: int) -> str:
        args = {**search_args, "page": page} if page > 1 else search_args
        return url_for("directory.search", **args)

    current, last = results.page, results.pages
    shown = sorted({1, last, *range(current - PAGES_AROUND, current + PAGES_AROUND + 1)})
    items: list[PageLink] = []
    for number in (n for n in shown if 1 <= n <= last):
        if items and items[-1].number is not None and number > items[-1].number + 1:
            items.append(PageLink(None))
        items.append(PageLink(number, url(number), number == current))
    return Pagination(
        previous=url(current - 1) if current > 1 else "",
        next=url(current + 1) if current < last else "",
        items=items,
    )
