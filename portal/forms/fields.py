"""Validators and field helpers shared by the portal's forms."""

from __future__ import annotations

from wtforms import DecimalField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp, ValidationError

from portal.config import LANGUAGES
from portal.services.accounts.password_policy import MAX_PASSWORD_LENGTH, password_problems
from portal.services.accounts.users import EMAIL_PATTERN
from portal.services.text_rules import bad_characters
from portal.translation import lazy_gettext as _l

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English", "tr": "Türkçe", "ar": "العربية"}
assert list(LANGUAGE_NAMES) == list(LANGUAGES)


def strip(value):
    """Trim surrounding whitespace from text input."""
    return value.strip() if isinstance(value, str) else value


def no_control_characters(form, field) -> None:
    """Refuse NUL and other control characters in a single-line text field (the text rule, for plain Forms)."""
    if isinstance(field.data, str) and bad_characters(field.data):
        raise ValidationError(_l("Please use only normal letters, numbers and punctuation."))


def required(message=None):
    """InputRequired with a translated message."""
    return InputRequired(message=message or _l("Please fill in this field."))


def email_field(label=None) -> EmailField:
    """An email address field with a translated format check."""
    return EmailField(
        label or _l("Email address"),
        filters=[strip],
        validators=[
            required(_l("Please fill in your email address.")),
            Length(max=254, message=_l("This email address is too long.")),
            Regexp(EMAIL_PATTERN, message=_l("Please fill in an email address like name@example.nl.")),
        ],
    )


def display_name_field() -> StringField:
    """The name others see."""
    return StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            required(_l("Please fill in your name.")),
            Length(max=80, message=_l("Please use at most %(max)d characters.")),
            no_control_characters,
        ],
    )


def current_password_field(label=None) -> PasswordField:
    """A password the person types to prove it is them (no strength rules)."""
    return PasswordField(
        label or _l("Password"),
        validators=[
            required(_l("Please fill in your password.")),
            Length(max=MAX_PASSWORD_LENGTH, message=_l("Please use at most %(max)d characters.")),
        ],
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password and its repetition; strength is checked by the form's validate_password."""
    password = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters. A sentence of a few words is easy to remember and hard to guess."),
        validators=[required(_l("Please choose a password."))],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            required(_l("Please type the password again.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )
    return password, confirm


def check_new_password(password: str, email: str | None = None, display_name: str | None = None) -> None:
    """Raise ValidationError with the first problem of a new password."""
    problems = password_problems(password or "", email=email, display_name=display_name)
    if problems:
        raise ValidationError(problems[0])


def language_field(label=None) -> SelectField:
    """Choice of one of the portal's languages."""
    return SelectField(
        label or _l("Language"),
        choices=[SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGE_NAMES.items()],
        validators=[required(_l("Please choose a language."))],
        validate_choice=True,
    )


class EuroField(DecimalField):
    """An amount in euros that also takes the Dutch way of writing it: '2,50' and '€ 2,50' are 2.50."""

    def process_formdata(self, valuelist):
        """Read a decimal comma as a point and drop a euro sign before the usual parsing."""
        if valuelist and isinstance(valuelist[0], str):
            text = valuelist[0].replace("€", "").strip()
            if text.count(",") == 1 and "." not in text:
                text = text.replace(",", ".")
            valuelist = [text, *valuelist[1:]]
        super().process_formdata(valuelist)
