"""The form of a service's questions: one field per question, made for the service asked."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, StringField
from wtforms.validators import ValidationError

from passport.directory import postcodes
from passport.eligibility.service import (
    AGE,
    ANSWERS,
    NO,
    NOT_SURE,
    OLDEST,
    POSTCODE,
    YES,
    Answers,
    Question,
)
from passport.forms import Form, choices

YES_NO_NOT_SURE = choices(((YES, _l("Yes")), (NO, _l("No")), (NOT_SURE, _l("Not sure"))))


def _age(form: Form, field: Field) -> None:
    typed = (field.data or "").strip()
    if not typed:
        raise ValidationError(_l("Enter your age"))
    if not typed.isdigit():
        raise ValidationError(_l("Enter your age as a number, like 34"))
    if int(typed) > OLDEST:
        raise ValidationError(_l("Enter an age between 0 and %(oldest)s", oldest=OLDEST))


def _postcode(form: Form, field: Field) -> None:
    typed = (field.data or "").strip()
    if not typed:
        raise ValidationError(_l("Enter your postcode"))
    if postcodes.normalise(typed) is None:
        raise ValidationError(_l("Enter a full UK postcode, like EB1 2AB"))


def _answered(form: Form, field: Field) -> None:
    if field.data not in ANSWERS:
        raise ValidationError(_l("Select yes, no or not sure"))


def field_name(question: Question) -> str:
    return question.key if question.kind in (AGE, POSTCODE) else f"q-{question.key}"


class QuestionsForm(Form):
    """Made per service by questions_form; its fields are the service's questions."""

    asked: list[Question]

    def answers(self) -> Answers:
        age = postcode = None
        circumstances = {}
        for question in self.asked:
            value = self[field_name(question)].data
            if question.kind == AGE:
                age = int(value.strip())
            elif question.kind == POSTCODE:
                postcode = postcodes.normalise(value)
            else:
                circumstances[question.key] = value
        return Answers(age, postcode, circumstances)


def questions_form(questions: list[Question], kept: Answers) -> QuestionsForm:
    """The form of these questions, filled in with the answers kept in the passport."""

    class ServiceQuestionsForm(QuestionsForm):
        pass

    data: dict[str, Any] = {}
    for question in questions:
        name = field_name(question)
        given = kept.answer(question.key)
        if question.kind == AGE:
            field: Field = StringField(question.text, validators=[_age])
            data[name] = "" if given is None else str(given)
        elif question.kind == POSTCODE:
            field = StringField(
                question.text,
                description=_l("We use it only to check you live in the area it covers."),
                validators=[_postcode],
            )
            data[name] = given or ""
        else:
            field = RadioField(
                question.text,
                choices=YES_NO_NOT_SURE,
                validators=[_answered],
                validate_choice=False,
            )
            data[name] = given
        setattr(ServiceQuestionsForm, name, field)
    form = ServiceQuestionsForm(data=data)
    form.asked = questions
    return form
