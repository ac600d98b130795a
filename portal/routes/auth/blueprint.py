"""The auth blueprint and what its pages share: the signing key, the rate-limit key by address, the bad-link page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from portal.extensions import db
from portal.services.accounts import mail as account_mail
from portal.services.accounts import registration
from portal.services.accounts.users import normalise_email
from portal.translation import lazy_gettext as _l

bp = Blueprint("auth", __name__)

BAD_LINK = _l("This link does not work (any more). It may have been used already, or it is too old.")


def signing_key() -> str:
    """The key that signs and checks the links in account mails."""
    return current_app.config["SECRET_KEY"]


def posted_email_key() -> str:
    """Rate-limit key: the account the posted form names, whether it exists or not."""
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def bad_link():
    """The page for a bad, used or expired email link (400)."""
    return render_template("auth/link_invalid.html", message=BAD_LINK), 400


def send_confirmation(user) -> None:
    """Issue a new confirmation link, store it, and mail it to the account."""
    token = registration.issue_link(signing_key(), user, "confirm_email")
    account_mail.send_confirmation(user, token)
    db.session.commit()
