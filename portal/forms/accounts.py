"""Forms of registration, login, second factor, passwords and the account page."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length

from portal.forms.base import PortalForm
from portal.forms.fields import (
    check_new_password,
    current_password_field,
    display_name_field,
    email_field,
    language_field,
    new_password_fields,
    required,
    strip,
)
from portal.translation import lazy_gettext as _l


class RegisterForm(PortalForm):
    """A resident makes an account."""

    display_name = display_name_field()
    email = email_field()
    password, password_confirm = new_password_fields()
    language = language_field(_l("Language for pages and emails"))
    activity_news = BooleanField(_l("Yes, you may email me now and then about new activities in my neighbourhood."))

    def validate_password(self, field) -> None:
        """Strength, the common-password list and no name or email in it."""
        check_new_password(field.data, self.email.data, self.display_name.data)


class LoginForm(PortalForm):
    """Email and password, the first step of logging in."""

    email = email_field()
    password = current_password_field()


class CodeForm(PortalForm):
    """A six-digit code from the authenticator app or from an email."""

    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[required(_l("Please fill in the code.")), Length(max=20, message=_l("This code is too long."))],
    )


class RecoveryCodeForm(PortalForm):
    """One of the recovery codes, instead of the app."""

    recovery_code = StringField(
        _l("Recovery code"),
        filters=[strip],
        validators=[
            required(_l("Please fill in a recovery code.")),
            Length(max=40, message=_l("This code is too long.")),
        ],
    )


class ResetRequestForm(PortalForm):
    """Ask for a link to choose a new password."""

    email = email_field()


class NewPasswordForm(PortalForm):
    """Choose a new password through a reset link."""

    password, password_confirm = new_password_fields()

    def validate_password(self, field) -> None:
        """Strength and the common-password list."""
        check_new_password(field.data)


class ChangePasswordForm(PortalForm):
    """Change the password on the account page."""

    current_password = current_password_field(_l("Current password"))
    password, password_confirm = new_password_fields()

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._account = account

    def validate_password(self, field) -> None:
        """Strength, the common-password list and no name or email in it."""
        account = self._account
        check_new_password(field.data, account.email if account else None, account.display_name if account else None)


class LanguageForm(PortalForm):
    """The language of pages and mails."""

    language = language_field()


class SecondFactorChoiceForm(PortalForm):
    """A resident chooses how to give the second factor."""

    method = RadioField(
        _l("How do you want to confirm that it is you?"),
        choices=[
            SelectChoice("email", _l("With a code that we email to you")),
            SelectChoice("totp", _l("With an authenticator app on your phone")),
        ],
        validators=[InputRequired(message=_l("Please choose one."))],
    )


class AcceptInvitationForm(PortalForm):
    """An invited staff member sets their name and password."""

    display_name = display_name_field()
    password, password_confirm = new_password_fields()
    language = language_field(_l("Language for pages and emails"))

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_password(self, field) -> None:
        """Strength, the common-password list and no name or email in it."""
        check_new_password(field.data, self._email, self.display_name.data)


class DeleteAccountForm(PortalForm):
    """Erase the account: asks the password and an explicit yes."""

    password = current_password_field()
    confirm = BooleanField(
        _l("I understand that my account and my data will be deleted and cannot be restored."),
        validators=[InputRequired(message=_l("Please tick this box to confirm."))],
    )


class ActionForm(PortalForm):
    """A button that changes something: only the CSRF token."""
