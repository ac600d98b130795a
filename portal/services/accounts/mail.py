"""Account mails: login codes, email links, password notices and invitations, in the recipient's language."""

from __future__ import annotations

from portal.labels import role_label
from portal.links import external_url
from portal.models import Invitation, User
from portal.services.accounts import invitations, registration, second_factor
from portal.services.mail import send_mail


def _hours(lifetime) -> int:
    return int(lifetime.total_seconds() // 3600)


def send_login_code(user: User, code: str) -> bool:
    """Mail the six-digit login code of a pending login."""
    return send_mail(
        user.email,
        user.locale,
        "login_code",
        display_name=user.display_name,
        code=code,
        minutes_valid=second_factor.EMAIL_CODE_LIFETIME_MINUTES,
    )


def send_confirmation(user: User, token: str) -> bool:
    """Mail the link that confirms a new account's email address."""
    return send_mail(
        user.email,
        user.locale,
        "confirm_email",
        display_name=user.display_name,
        link=external_url("auth.confirm", token=token, lang=user.locale),
        hours_valid=_hours(registration.CONFIRM_LIFETIME),
    )


def send_already_registered(user: User) -> bool:
    """Tell the owner of an address that someone tried to register it again, with links to log in or reset."""
    return send_mail(
        user.email,
        user.locale,
        "already_registered",
        link_login=external_url("auth.login", lang=user.locale),
        link_reset=external_url("auth.reset_request", lang=user.locale),
    )


def send_password_reset(user: User, token: str) -> bool:
    """Mail the link to choose a new password."""
    return send_mail(
        user.email,
        user.locale,
        "reset_password",
        display_name=user.display_name,
        link=external_url("auth.reset", token=token, lang=user.locale),
        hours_valid=_hours(registration.RESET_LIFETIME),
    )


def send_password_changed(user: User) -> bool:
    """Tell the account that its password was changed (and its other logins ended)."""
    return send_mail(user.email, user.locale, "password_changed", display_name=user.display_name)


def send_account_deleted(email: str, locale: str, display_name: str) -> bool:
    """Confirm the deletion to the address the account had (the account itself is erased by now)."""
    return send_mail(email, locale, "account_deleted", display_name=display_name)


def send_invitation(invitation: Invitation, token: str, locale: str) -> bool:
    """Mail a staff invitation in the language the coordinator chose, with the link to accept it."""
    return send_mail(
        invitation.email,
        locale,
        "invitation",
        organisation_name=invitation.organisation.name,
        role_label=role_label(invitation.role),
        link=external_url("auth.invitation", token=token, lang=locale),
        days_valid=invitations.INVITE_LIFETIME.days,
        inviter_name=invitation.invited_by.display_name,
    )


def send_unlock(user: User, token: str) -> bool:
    """Mail the link that lets the owner log in again from their own browser after many wrong passwords."""
    return send_mail(
        user.email,
        user.locale,
        "unlock",
        display_name=user.display_name,
        link=external_url("auth.unlock", token=token, lang=user.locale),
        minutes_valid=60,
    )
