from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from jinja2_fragments.flask import render_blocks

from passport import parts, taxonomy
from passport.access import public
from passport.directory import service as directory
from passport.directory.forms import SearchForm
from passport.extensions import htmx

bp = Blueprint("directory", __name__, template_folder="templates")


@bp.get("/directory")
@public
def search() -> ResponseReturnValue:
    form = SearchForm(request.args)
    valid = form.validate()
    category = _category(form)
    results = directory.search_services(form.q.data or "", category) if valid else []
    context = {
        "form": form,
        "results": results,
        "search_args": _search_args(form, category),
        "searched": bool(request.args),
        "category": taxonomy.category(category) if category else None,
        "topics": [category],
    }
    if htmx and htmx.target == "results":
        return render_blocks(
            "directory/search.html", ["count", "results"], out_of_band=True, **context
        )
    return render_template("directory/search.html", **context)


@bp.get("/directory/services/<slug>")
@public
def service(slug: str) -> ResponseReturnValue:
    found = directory.get_service_or_404(slug)
    categories = [taxonomy.category(code) for code in found.categories]
    # The search the person came from, carried in the link: back to the same results.
    form = SearchForm(request.args)
    form.validate()
    return render_template(
        "directory/service.html",
        service=found,
        categories=categories,
        back_to_search=url_for("directory.search", **_search_args(form, _category(form))),
        # What other capabilities show here (passport/parts.py): your referral to it, say.
        parts=parts.for_page("directory.service", found),
        topics=found.categories,
    )


def _category(form: SearchForm) -> str:
    return form.category.data if taxonomy.is_category(form.category.data or "") else ""


def _search_args(form: SearchForm, category: str) -> dict[str, Any]:
    """The words and type of help of a valid search, to carry to a service page and back."""
    if form.errors:
        return {}
    values = {"q": form.q.data or "", "category": category}
    return {name: value for name, value in values.items() if value}
