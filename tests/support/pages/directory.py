"""The directory's pages (passport/directory), named like e2e/pages.py's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from bs4 import Tag

from passport import taxonomy
from tests.support.pages.base import BasePage, Field, Person

if TYPE_CHECKING:
    from tests.support.pages.referrals import ReferralFormPage

# The search form's choices that are a select, by their label.
SELECTS = ("Type of help", "Distance", "Language spoken", "Sort by")
# The types of help, in English, to name the one a heading shows.
SELECT_LABELS = tuple(str(category.name) for category in taxonomy.CATEGORIES)


def category_in(url: str) -> str:
    """The type of help a directory address names (English), as its heading shows it."""
    code = parse_qs(urlsplit(url).query).get("category", [""])[0]
    found = taxonomy.BY_CODE.get(code)
    return str(found.name) if found else ""


def _words(tag: Tag) -> str:
    return " ".join(tag.get_text().split())


class DirectoryPage(BasePage):
    heading = "Find a service"
    path = "/directory"

    def __init__(self, person: Person, category: str = "") -> None:
        """`category`: the type of help chosen (English), which the heading names."""
        self.person = person
        self.category = category
        heading = self.t(self.heading)
        if category:
            heading = self.t("Find a service: %(name)s", name=self.t(category))
        self.response = person.arrive(heading, self.status_code)
        self.filled = {}

    @property
    def search_box(self) -> Field:
        return self.field("Search for a service")

    def result_names(self) -> list[str]:
        return [" ".join(a.get_text().split()) for a in self.main.select("#results h2 a")]

    def result_count(self) -> str:
        """What the live region says (the count, or that the search has a problem)."""
        status = self.main.select_one("[role=status]")
        return _words(status) if status else ""

    def distances(self) -> dict[str, str]:
        """Each result's distance, as shown, by service name."""
        return {
            _words(result.select_one("h2 a")): _words(found)
            for result in self.main.select("#results .np-result")
            if (found := result.select_one(".np-result__distance"))
        }

    def facts(self, name: str) -> str:
        """Everything a result says about one service."""
        for result in self.main.select("#results .np-result"):
            if _words(result.select_one("h2 a")) == name:
                return _words(result)
        raise AssertionError(f"No result {name!r}")

    def search(self, words: str) -> DirectoryPage:
        """The plain GET form, as without JavaScript."""
        self.person.goto(f"{self.path}?{urlencode({'q': words})}")
        return DirectoryPage(self.person)

    def search_with(
        self, words: str | None = None, ticked: Iterable[str] = (), **chosen: str
    ) -> DirectoryPage:
        """Fill the search form as a person does and press Search: words typed, choices by
        their labels (`chosen` names a select by its label in snake case: type_of_help,
        distance, language_spoken, sort_by; `postcode` is typed), and exactly these boxes
        ticked. The form is sent as a browser sends a GET form, with what it already held."""
        form = self.main.find("form", attrs={"role": "search"})
        assert isinstance(form, Tag), "No search form"
        data = self.form_values()
        if words is not None:
            data["q"] = [words]
        if "postcode" in chosen:
            data["postcode"] = [chosen.pop("postcode")]
        for key, option in chosen.items():
            label = key.replace("_", " ").capitalize()
            name = self.field_name(label)
            select = self.main.find("select", attrs={"name": name})
            assert isinstance(select, Tag), label
            values = [o for o in select.find_all("option") if _words(o) == self.t(option)]
            assert values, f"No choice {option!r} for {label!r}"
            data[name] = [str(values[0]["value"])]
        for name in ("only", "delivery"):
            data[name] = []
        for label in ticked:
            box = self._box(label)
            data[str(box["name"])].append(str(box["value"]))
        category = self._option_label("category", data["category"][0])
        action = urljoin(self.url, str(form.get("action") or self.path))
        self.person.goto(f"{action}?{urlencode(data, doseq=True)}")
        return DirectoryPage(self.person, category)

    def _option_label(self, name: str, value: str) -> str:
        """The English label of a select's option, for the heading that names it."""
        if not value:
            return ""
        option = self.main.select_one(f"select[name={name}] option[value='{value}']")
        label = _words(option) if option else ""
        return next((c for c in SELECT_LABELS if self.t(c) == label), label)

    def form_values(self) -> dict[str, list[str]]:
        """What the search form holds now, as it would send it (name: values)."""
        form = self.main.find("form", attrs={"role": "search"})
        assert isinstance(form, Tag), "No search form"
        data: dict[str, list[str]] = {}
        for field in form.find_all(["input", "select"]):
            name = field.get("name")
            if not name or field.get("type") in ("submit", "button"):
                continue
            values = data.setdefault(str(name), [])
            if field.get("type") == "checkbox":
                if field.has_attr("checked"):
                    values.append(str(field["value"]))
            elif field.name == "select":
                chosen = field.find("option", selected=True) or field.find("option")
                values.append(str(chosen.get("value", "")) if chosen else "")
            else:
                values.append(str(field.get("value", "")))
        return data

    def chosen_filters(self) -> dict[str, Any]:
        """What the form shows chosen, by label: the text typed, each select's chosen
        option, and the ticked boxes' labels."""
        shown: dict[str, Any] = {
            "Search for a service": self.field("Search for a service").input_value(),
            "Postcode": self.field("Postcode").input_value(),
        }
        for label in SELECTS:
            select = self.main.find("select", attrs={"name": self.field_name(label)})
            assert isinstance(select, Tag), label
            chosen = select.find("option", selected=True) or select.find("option")
            shown[label] = _words(chosen) if chosen else ""
        shown["ticked"] = [
            _words(self.main.find("label", attrs={"for": box["id"]}))
            for box in self.main.select("form[role=search] input[type=checkbox][checked]")
        ]
        return shown

    def options(self, label: str) -> list[str]:
        select = self.main.find("select", attrs={"name": self.field_name(label)})
        assert isinstance(select, Tag), label
        return [_words(option) for option in select.find_all("option")]

    def _box(self, label: str) -> Tag:
        for tag in self.main.select("form[role=search] label"):
            if _words(tag) == self.t(label):
                box = self.main.find(id=tag.get("for"))
                if isinstance(box, Tag) and box.get("type") == "checkbox":
                    return box
        raise AssertionError(f"No box labelled {label!r}")

    # GOV.UK pagination

    def page_links(self) -> list[tuple[str, str]]:
        """The pagination's links and ellipses as (text, address); the current page's text
        is marked with a star."""
        nav = self.main.select_one("nav.govuk-pagination")
        if nav is None:
            return []
        found = []
        for item in nav.select(
            ".govuk-pagination__prev a, .govuk-pagination__item, .govuk-pagination__next a"
        ):
            link = item if item.name == "a" else item.find("a")
            title = item.select_one(".govuk-pagination__link-title") or item
            for hidden in title.select(".govuk-visually-hidden"):
                hidden.extract()
            text = _words(title)
            if link is not None and link.get("aria-current") == "page":
                text += "*"
            found.append((text, str(link["href"]) if link is not None else ""))
        return found

    def next_page(self) -> DirectoryPage:
        return self._paginate(".govuk-pagination__next a")

    def previous_page(self) -> DirectoryPage:
        return self._paginate(".govuk-pagination__prev a")

    def _paginate(self, selector: str) -> DirectoryPage:
        link = self.main.select_one(selector)
        assert link is not None, f"No {selector} on {self.url}"
        self.person.goto(urljoin(self.url, str(link["href"])))
        return DirectoryPage(self.person, self.category)

    def open_service(self, name: str) -> ServicePage:
        self.follow(name)
        return ServicePage(self.person, name)


class ServicePage(BasePage):
    def __init__(self, person: Person, name: str) -> None:
        self.person = person
        self.name = name
        self.filled = {}
        self.response = person.arrive(name)  # directory content: not translated

    @classmethod
    def open_slug(cls, person: Person, slug: str, name: str) -> ServicePage:
        person.goto(f"/directory/services/{slug}")
        return cls(person, name)

    def summary(self) -> dict[str, str]:
        """Every row of the page's summary lists, by its key."""
        return {
            _words(row.select_one("dt")): _words(row.select_one("dd"))
            for row in self.main.select(".govuk-summary-list__row")
        }

    def how_to_get_there(self) -> list[str]:
        return [_words(place) for place in self.main.select(".np-place")]

    def capacity(self) -> str:
        tag = self.main.select_one("[data-capacity]")
        return _words(tag) if tag else ""

    def back_to_search(self) -> DirectoryPage:
        self.follow("Back to search")
        return DirectoryPage(self.person, category_in(self.person.response.request.url))

    def refer_yourself(self) -> ReferralFormPage:
        """The referral form, after answering the service's questions if it asks any (an
        adult's age, a town centre postcode, "Yes" to each of its own)."""
        from tests.support.pages.eligibility import ASKED_AT, EligibilityQuestionsPage
        from tests.support.pages.referrals import ReferralFormPage

        self.press("Refer yourself")
        if self.person.response is not None and self.person.response.request.path.endswith(
            ASKED_AT
        ):
            questions = EligibilityQuestionsPage(self.person, service=self.name)
            questions.answer()
            return questions.continue_to_refer(self.name)
        return ReferralFormPage(self.person, service=self.name)
