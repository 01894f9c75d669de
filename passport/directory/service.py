"""The community directory: search, service pages, loading and adding organisations."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from flask_babel import force_locale, get_locale
from markupsafe import Markup, escape
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from passport import clock, taxonomy
from passport.database import db
from passport.directory.models import Organisation, Service, ServiceCategory
from passport.directory.words import contains_pattern, search_words, slugify
from passport.errors import NotFoundError
from passport.i18n import LANGUAGES

QUERY_MAX = 100
# Text that may run over several lines; in every other field a line break could end up in
# an e-mail header (the referral address) or a page title.
MULTI_LINE_FIELDS = {"description", "eligibility"}


class DirectoryTextError(ValueError):
    """A directory field holds a control character (a line break, tab, NUL and the like)."""

    def __init__(self, record: str, field: str, character: str) -> None:
        self.record, self.field, self.character = record, field, character
        found = f"The {field} of {record} holds a control character (U+{ord(character):04X})."
        if field in MULTI_LINE_FIELDS:
            advice = "Only line breaks are allowed in it: remove the character and try again."
        else:
            advice = "It must be one line, with no tabs: remove the character and try again."
        super().__init__(f"{found} {advice}")


class UnknownLanguageError(ValueError):
    """An organisation's language is not one the service writes e-mail in."""

    def __init__(self, record: str, language: object) -> None:
        known = " or ".join(LANGUAGES)
        super().__init__(f"The language of {record} is {language!r}: it must be {known}.")


def check_language(record: str, language: object) -> None:
    if language not in LANGUAGES:
        raise UnknownLanguageError(record, language)


def check_text(record: str, fields: Mapping[str, object]) -> None:
    """Refuse control characters (Unicode 'Cc', and the line and paragraph separators),
    except a line break in multi-line fields. `record` names what is checked."""
    for field, value in fields.items():
        if not isinstance(value, str):
            continue
        allowed = "\n" if field in MULTI_LINE_FIELDS else ""
        for character in value:
            kind = unicodedata.category(character)
            if kind in ("Cc", "Zl", "Zp") and character not in allowed:
                raise DirectoryTextError(record, field, character)


def search_services(query: str = "", category: str = "") -> list[Service]:
    """Services whose name, description, area or organisation match every word of the query."""
    statement = select(Service).join(Service.organisation).options(joinedload(Service.organisation))
    words = search_words(query)
    category_texts = _category_texts() if words else []
    for word in words:
        statement = statement.where(
            or_(
                _like(Service.name, word),
                _like(Service.description, word),
                _like(Service.area, word),
                _like(Organisation.name, word),
                _in_categories(_categories_named(word, category_texts)),
            )
        )
    if category:
        statement = statement.where(_in_categories([category]))
    # Most relevant first: all the words in the service's name, then in the organisation's.
    relevance = [
        case((and_(*(_like(column, word) for word in words)), 0), else_=1)
        for column in (Service.name, Organisation.name)
        if words
    ]
    statement = statement.order_by(*relevance, Service.name)
    return list(db.session.scalars(statement).unique())


def _category_texts() -> list[tuple[str, str]]:
    """Each category's code with its name and hint, once in every language.

    A word in either language finds the same services whatever language the page is in:
    "debt" and "dyled" both mean the money category on English and Welsh pages alike.
    """
    texts = []
    for language in LANGUAGES:
        with force_locale(language):
            texts += [(c.code, f"{c.name}\n{c.hint}".lower()) for c in taxonomy.CATEGORIES]
    return texts


def _categories_named(word: str, category_texts: list[tuple[str, str]]) -> list[str]:
    """Codes of the categories whose name or hint has the word, in any language."""
    return sorted({code for code, text in category_texts if word in text})


def _in_categories(codes: list[str]):  # type: ignore[no-untyped-def]
    return Service.id.in_(
        select(ServiceCategory.service_id).where(ServiceCategory.category.in_(codes))
    )


def _like(column: Any, word: str) -> Any:
    """Case-insensitive 'contains', with LIKE's wildcards in the word taken literally."""
    return func.lower(column).like(contains_pattern(word), escape="\\")


class InALanguage(Protocol):
    """Something with a name in a language: an organisation, a service, or a referral's
    record of them (None: our own words, so the page's language)."""

    @property
    def content_language(self) -> str | None: ...


def content_lang(item: InALanguage) -> Markup:
    """A lang attribute for directory text on a page in another language, else nothing.

    Screen readers read text in the page's language unless told otherwise: English
    names and descriptions on a Welsh page would be read with Welsh pronunciation.
    """
    locale = get_locale()
    if item.content_language is None:
        return Markup("")
    if locale is not None and item.content_language == locale.language:
        return Markup("")
    return Markup(' lang="{}"').format(item.content_language)


def content_text(item: InALanguage, text: str) -> Markup:
    """Directory text inside a sentence of the page: marked with its language if it differs."""
    lang = content_lang(item)
    return Markup("<span{}>{}</span>").format(lang, text) if lang else escape(text)


def get_service_or_404(slug: str) -> Service:
    service = db.session.scalar(
        select(Service).where(Service.slug == slug).options(joinedload(Service.organisation))
    )
    if service is None:
        raise NotFoundError(slug)
    return service


def get_service(service_id: uuid.UUID) -> Service | None:
    return db.session.get(Service, service_id)


def create_organisation(
    name: str,
    referral_email: str,
    *,
    slug: str = "",
    description: str = "",
    website: str = "",
    phone: str = "",
    language: str = "en",
) -> Organisation:
    slug = slug or slugify(name)
    check_language(_organisation_record(slug), language)
    check_text(
        _organisation_record(slug),
        {
            "slug": slug,
            "name": name,
            "description": description,
            "referral_email": referral_email,
            "website": website,
            "phone": phone,
        },
    )
    organisation = Organisation(
        slug=slug,
        name=name,
        description=description,
        referral_email=referral_email,
        website=website,
        phone=phone,
        language=language,
        created_at=clock.now(),
    )
    # Its HSDS document, so the export and the API show it like any imported one.
    organisation.document = {
        "id": str(organisation.id),
        "name": name,
        "description": description,
        "email": referral_email,
        **({"website": website} if website else {}),
        **({"phones": [{"id": str(uuid.uuid4()), "number": phone}]} if phone else {}),
    }
    db.session.add(organisation)
    return organisation


def _organisation_record(slug: object) -> str:
    return f"organisation {str(slug)!r}"


def count_services() -> int:
    return db.session.scalar(select(func.count()).select_from(Service)) or 0
