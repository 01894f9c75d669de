"""Wellbeing check-ins with JavaScript off: two check-ins from the passport, then the chart
and its table, each page checked with axe (issue 11)."""

from __future__ import annotations

import uuid

from e2e import journeys
from e2e.pages import BasePage

QUESTIONS = (
    "Overall, how satisfied are you with your life nowadays?",
    "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
    "Overall, how happy did you feel yesterday?",
    "Overall, how anxious did you feel yesterday?",
)


class WellbeingPage(BasePage):
    heading = "Your wellbeing"
    path = "/passport/wellbeing"

    def check_in(self) -> CheckInPage:
        self.main.get_by_role("button", name=self.t("Check in again")).or_(
            self.main.get_by_role("button", name=self.t("Check in now"))
        ).click()
        return CheckInPage(self.person)

    def chart_text(self) -> str:
        """The chart, as a screen reader names it: its title (the rest is its description)."""
        chart = self.main.get_by_role("img", name=self.t("Your wellbeing check-ins"))
        return " ".join(chart.locator("text").all_text_contents())

    def chart_labels(self) -> list[str]:
        return [t.strip() for t in self.main.locator("svg .np-chart__latest").all_text_contents()]

    def table(self) -> list[list[str]]:
        rows = self.main.locator("#checkins tbody tr").all()
        return [
            [cell.strip() for cell in row.locator("td[data-question]").all_inner_texts()]
            for row in rows
        ]


class CheckInPage(BasePage):
    heading = "How are you feeling?"

    def answer(self, *scores: int) -> None:
        for question, score in zip(QUESTIONS, scores, strict=False):
            group = self.main.get_by_role("group", name=self.t(question))
            group.locator(f"input[value='{score}']").check()

    def chosen(self) -> list[str]:
        return [
            self.main.get_by_role("group", name=self.t(q))
            .locator("input:checked")
            .get_attribute("value")
            or ""
            if self.main.get_by_role("group", name=self.t(q)).locator("input:checked").count()
            else ""
            for q in QUESTIONS
        ]

    def save(self) -> WellbeingPage:
        self.press("Save your check-in")
        return WellbeingPage(self.person)


def test_two_check_ins_drawn_as_a_chart_beside_a_table_without_javascript(people, screenshots):
    resident = people(javascript=False)
    journeys.sign_up(resident, f"kai-{uuid.uuid4().hex[:8]}@example.net")
    resident.page.get_by_role("link", name="See your wellbeing check-ins").click()
    wellbeing = WellbeingPage(resident)

    form = wellbeing.check_in()
    form.answer(4, 5, 3, 8)
    form.press("Save your check-in")
    wellbeing = WellbeingPage(resident)
    form = wellbeing.check_in()
    # A question left out: named, and the answers given are kept.
    form.answer(7, 6, 8)
    form.press("Save your check-in")
    form = CheckInPage(resident)
    assert form.error_summary() == [
        ("Select a number from 0 to 10 for how anxious you felt yesterday", "#anxious")
    ]
    assert form.chosen() == ["7", "6", "8", ""]
    form.answer(7, 6, 8, 2)
    wellbeing = form.save()

    assert wellbeing.success_banner().endswith("Your check-in has been saved.")
    assert wellbeing.table() == [["7", "6", "8", "2"], ["4", "5", "3", "8"]]
    assert wellbeing.chart_labels() == ["7", "6", "8", "2"]
    assert "Anxiety – lower is better" in wellbeing.chart_text()
    resident.screenshot(screenshots, "wellbeing")
