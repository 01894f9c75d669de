from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from passport import taxonomy
from passport.directory.service import QUERY_MAX
from passport.forms import MaxLength, choices


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing: a plain GET form

    q = StringField(
        _l("Search for a service"),
        validators=[
            Optional(),
            MaxLength(QUERY_MAX, _l("Search words must be %(max)s characters or fewer")),
        ],
    )
    category = SelectField(_l("Type of help"), validators=[Optional()], validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = choices(
            [("", _l("Any type of help"))] + [(c.code, c.name) for c in taxonomy.CATEGORIES]
        )
