from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import AnyOf, DataRequired, ValidationError

from passport.forms import Option, email_field
from passport.staff.roles import IN_ORGANISATION, ROLE_HINTS, ROLE_NAMES


def _role_field(label: str) -> RadioField:
    return RadioField(
        label,
        choices=[
            Option(role.value, ROLE_NAMES[role], hint=ROLE_HINTS[role]) for role in IN_ORGANISATION
        ],
        validators=[
            DataRequired(message=_l("Select a role")),
            AnyOf([role.value for role in IN_ORGANISATION], message=_l("Select a role")),
        ],
        validate_choice=False,
    )


class EmailForm(FlaskForm):
    email = email_field()


class InviteForm(FlaskForm):
    email = email_field(_l("Their work email address"))
    role = _role_field(_l("Their role"))


class RoleForm(FlaskForm):
    role = _role_field(_l("Role"))


class AdminInviteForm(FlaskForm):
    """A directory admin invites an organisation's admin (its choices: the directory's)."""

    organisation = SelectField(
        _l("Organisation"),
        validators=[DataRequired(message=_l("Select an organisation"))],
        validate_choice=False,
    )
    email = email_field(_l("Their work email address"))

    def validate_organisation(self, field: SelectField) -> None:
        if not field.data or field.data not in {choice.value for choice in field.choices or []}:
            raise ValidationError(str(_l("Select an organisation")))
