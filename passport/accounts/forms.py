from flask_wtf import FlaskForm

from passport.forms import email_field


class EmailForm(FlaskForm):
    email = email_field()
