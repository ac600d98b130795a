"""My account: overview, language, password, second factor, logins, consents and my data."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.access import load_or_404, policy
from portal.auth_session import audit_context, current_login, end_login
from portal.downloads import file_download
from portal.extensions import db
from portal.forms.accounts import (
    ActionForm,
    ChangePasswordForm,
    CodeForm,
    DeleteAccountForm,
    LanguageForm,
)
from portal.models import LoginSession
from portal.services import audit
from portal.services import policy as policies
from portal.services.accounts import login_sessions, registration, second_factor
from portal.services.accounts import mail as account_mail
from portal.services.accounts.passwords import verify_password
from portal.services.booking.mail import send_all
from portal.services.policy import RESIDENT, SIGNED_IN
from portal.services.privacy import consent, erasure, export

bp = Blueprint("account", __name__)


@bp.get("")
@policy(SIGNED_IN)
def index():
    """The account overview."""
    language = LanguageForm(language=current_user.locale)
    return render_template(
        "account/index.html",
        language_form=language,
        action=ActionForm(),
        logins=login_sessions.open_sessions(current_user),
        this_login=current_login(),
        consents=consent.overview(current_user),
        recovery_left=second_factor.recovery_codes_left(current_user) if current_user.second_factor == "totp" else 0,
    )


@bp.post("/language")
@policy(SIGNED_IN)
def language():
    """Save the language of pages and mails, and show the account in it."""
    form = LanguageForm()
    if form.validate_on_submit():
        registration.set_language(current_user, form.language.data)
        audit.account_event(current_user, current_user, "language", context=audit_context())
        db.session.commit()
        flash(_("Your language is saved."), "ok")
        return redirect(url_for(".index", lang=form.language.data))
    flash(_("Please choose a language."), "error")
    return redirect(url_for(".index"))


@bp.route("/password", methods=["GET", "POST"])
@policy(SIGNED_IN)
def password():
    """Change the password; every other login of the account ends."""
    form = ChangePasswordForm(account=current_user)
    if form.validate_on_submit():
        if registration.change_password(current_user, form.current_password.data, form.password.data, current_login()):
            account_mail.send_password_changed(current_user)
            audit.account_event(current_user, current_user, "password_changed", context=audit_context())
            db.session.commit()
            flash(_("Your new password is saved. You were logged out on your other devices."), "ok")
            return redirect(url_for(".index"))
        form.current_password.errors.append(_("This is not your current password."))
    return render_template("account/password.html", form=form)


@bp.get("/second-factor")
@policy(SIGNED_IN)
def second_factor_page():
    """How this account gives its second factor, and the choices to change it."""
    return render_template(
        "account/second_factor.html",
        action=ActionForm(),
        recovery_left=second_factor.recovery_codes_left(current_user),
    )


@bp.post("/second-factor/email")
@policy(RESIDENT)
def use_email_codes():
    """A resident switches from the app to login codes by email."""
    if ActionForm().validate_on_submit():
        second_factor.use_email_codes(current_user)
        audit.account_event(current_user, current_user, "second_factor_email", context=audit_context())
        db.session.commit()
        flash(_("From now on we email you a code when you log in."), "ok")
    return redirect(url_for(".second_factor_page"))


@bp.route("/second-factor/app", methods=["GET", "POST"])
@policy(SIGNED_IN)
def setup_app():
    """Set up (or move to a new phone) the authenticator app."""
    login = current_login()
    secret = second_factor.pending_secret(login)
    db.session.commit()
    form = CodeForm()
    if form.validate_on_submit():
        if second_factor.enable_totp(current_user, secret, form.code.data):
            login.pending_totp_secret = None
            codes = second_factor.new_recovery_codes(current_user)
            audit.account_event(current_user, current_user, "second_factor_app", context=audit_context())
            db.session.commit()
            return render_template("account/recovery_codes.html", codes=codes, continue_url=url_for(".index"))
        form.code.errors.append(_("This code is not right. Check the time on your phone and try the newest code."))
    return render_template(
        "auth/setup_app.html",
        form=form,
        back_url=url_for(".second_factor_page"),
        **second_factor.app_setup_context(secret, current_user.email),
    )


@bp.post("/second-factor/recovery-codes")
@policy(SIGNED_IN)
def new_recovery_codes():
    """Replace the recovery codes; the old ones stop working."""
    if not ActionForm().validate_on_submit() or current_user.second_factor != "totp":
        return redirect(url_for(".second_factor_page"))
    codes = second_factor.new_recovery_codes(current_user)
    audit.account_event(current_user, current_user, "recovery_codes", context=audit_context())
    db.session.commit()
    return render_template("account/recovery_codes.html", codes=codes, continue_url=url_for(".index"))


@bp.post("/logins/<int:login_id>/end")
@policy(SIGNED_IN)
def end_other_login(login_id: int):
    """Log out one of the account's logins (for example a forgotten computer)."""
    login = load_or_404(LoginSession, login_id, policies.may_end_login)
    if ActionForm().validate_on_submit():
        if login.id == current_login().id:
            end_login("logout")
            return redirect(url_for("main.home"))
        login_sessions.end(login, "ended_by_user")
        audit.account_event(current_user, current_user, "login_ended", context=audit_context())
        db.session.commit()
        flash(_("That login has been ended."), "ok")
    return redirect(url_for(".index"))


@bp.post("/consents/<purpose>/<any(give, withdraw):choice>")
@policy(SIGNED_IN)
def consent_choice(purpose: str, choice: str):
    """Give or withdraw a consent with one click."""
    if purpose not in consent.CONSENT_VERSIONS:
        abort(404)
    if ActionForm().validate_on_submit():
        if choice == "give":
            consent.give(current_user, purpose)
            flash(_("Thank you. Your choice is saved."), "ok")
        else:
            consent.withdraw(current_user, purpose)
            flash(_("Your consent is withdrawn."), "ok")
        audit.account_event(current_user, current_user, f"consent_{choice}", context=audit_context())
        db.session.commit()
    return redirect(url_for(".index") + "#consents")


@bp.get("/data")
@policy(SIGNED_IN)
def data():
    """My data: a readable copy of everything the portal holds about me, with download and delete."""
    return render_template("account/data.html", data=export.export_data(current_user, readable=True))


@bp.get("/data.json")
@policy(SIGNED_IN)
def data_json():
    """Download all my data as JSON."""
    audit.record(
        current_user, "export", "account", context=audit_context(), object_id=current_user.id, subject=current_user
    )
    body = json.dumps(export.export_data(current_user), ensure_ascii=False, indent=2)
    db.session.commit()
    return file_download(body, "application/json", "wijkportaal-my-data.json")


@bp.get("/viewed-by")
@policy(RESIDENT)
def viewed_by():
    """Wie bekeek mijn gegevens: which staff looked at, found, changed or downloaded my data."""
    return render_template("account/viewed_by.html", events=audit.views_of(current_user))


@bp.route("/delete", methods=["GET", "POST"])
@policy(RESIDENT)
def delete():
    """Delete my account: personal data erased everywhere, the audit log kept."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.password.data):
            form.password.errors.append(_("This is not your current password."))
        else:
            user = current_user._get_current_object()
            email, locale, name = user.email, user.locale, user.display_name
            audit.record(user, "delete", "account", context=audit_context(), object_id=user.id, subject=user)
            promoted = erasure.erase_account(user)
            account_mail.send_account_deleted(email, locale, name)
            send_all(promoted, "booking_promoted")
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your account and your data have been deleted."), "ok")
            return redirect(url_for("main.home"))
    return render_template("account/delete.html", form=form)
