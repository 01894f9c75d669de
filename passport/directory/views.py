from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from jinja2_fragments.flask import render_blocks

from passport.access import public
from passport.directory import service as directory
from passport.directory.forms import SearchForm
from passport.extensions import htmx
from passport.needs import taxonomy

bp = Blueprint("directory", __name__, template_folder="templates")
# Directory text keeps its own language on pages in another one (see content_lang).
bp.add_app_template_global(directory.content_lang)
bp.add_app_template_global(directory.content_text)


@bp.get("/directory")
@public
def search() -> ResponseReturnValue:
    form = SearchForm(request.args)
    valid = form.validate()
    category = form.category.data if taxonomy.is_category(form.category.data or "") else ""
    results = directory.search_services(form.q.data or "", category) if valid else []
    context = {
        "form": form,
        "results": results,
        "searched": bool(request.args),
        "category": taxonomy.category(category) if category else None,
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
    return render_template(
        "directory/service.html",
        service=found,
        categories=categories,
        sensitive=any(c.sensitive for c in categories),
    )
