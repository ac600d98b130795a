"""Logging in: password, then the second factor (code, recovery code, or setting one up first), and logging out."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import policy, safe_next
from portal.auth_session import NEXT_PAGE, begin_login, end_login, finish_login, pending_login
from portal.extensions import db, limiter
from portal.forms.accounts import ActionForm, CodeForm, LoginForm, RecoveryCodeForm, SecondFactorChoiceForm
from portal.routes.auth.blueprint import bp, send_confirmation, signing_key
from portal.services.accounts import login_limits, login_sessions, registration, second_factor
from portal.services.accounts import mail as account_mail
from portal.services.accounts import unlock as unlock_links
from portal.services.accounts.users import find_user_by_email
from portal.services.policy import GUEST, PUBLIC
from portal.translation import lazy_gettext as _l

log = logging.getLogger("portal.auth")

BAD_LOGIN = _l("The email address or the password is not right.")
TOO_MANY_HERE = _l(
    "You typed a wrong password too often. Wait 15 minutes and try again. Forgot your password? Choose a new one."
)
TOO_MANY_ACCOUNT = _l(
    "There were too many wrong passwords for this account. If the account is yours, we have sent you an email"
    " with a link. With that link you can log in again on this device."
)
TOO_MANY_CODES = _l("A wrong code was typed too often. Please log in again.")


def _failed(response) -> bool:
    """A form shown again (200) counts as a failed attempt; a redirect is a success."""
    return response.status_code == 200


def _pending_key() -> str:
    login = pending_login()
    return f"login:{login.user_id}" if login else f"ip:{request.remote_addr}"


def _next_page() -> str:
    """Where to go after logging in: the page that asked for it, else a professional's workspace or the account."""
    home = "professional.index" if current_user.is_authenticated and current_user.role == "professional" else None
    return safe_next(session.pop(NEXT_PAGE, None)) or url_for(home or "account.index")


def _send_login_code(login) -> None:
    code = second_factor.issue_email_code(login)
    account_mail.send_login_code(login.user, code)
    db.session.commit()


def _refused(form, refusal):
    """The login page again with why the try was not let through (429); the owner gets an unlock link."""
    if refusal is login_limits.Refusal.ACCOUNT:
        user = find_user_by_email(form.email.data)
        if user is not None and user.is_active and login_limits.may_mail_unlock(user.email):
            account_mail.send_unlock(user, unlock_links.link_token(signing_key(), user))
            db.session.commit()
        log.warning("login refused: too many tries for the account", extra={"fields": {"event": "login_limited"}})
        form.form_errors.append(TOO_MANY_ACCOUNT)
    else:
        log.warning("login refused: too many tries", extra={"fields": {"event": "login_limited"}})
        form.form_errors.append(TOO_MANY_HERE)
    return render_template("auth/login.html", form=form), 429


def _void_pending(login):
    """Too many wrong codes: end the pending login and start again at the password."""
    login_sessions.end(login, "too_many_codes")
    db.session.commit()
    log.warning("second factor refused: too many codes", extra={"fields": {"event": "second_factor_limited"}})
    flash(TOO_MANY_CODES, "error")
    return redirect(url_for(".login"))


@bp.route("/login", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("30 per minute; 300 per hour", methods=["POST"])
def login():
    """Step 1: email and password. Never says whether an address has an account."""
    form = LoginForm()
    if request.method == "GET" and safe_next(request.args.get("next")):
        session[NEXT_PAGE] = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        address = request.remote_addr or ""
        trusted = unlock_links.is_trusted_device(
            signing_key(), request.cookies.get(unlock_links.DEVICE_COOKIE), form.email.data
        )
        refusal = login_limits.password_try(form.email.data, address, trusted)
        if refusal is not None:
            return _refused(form, refusal)
        user = registration.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_limits.password_ok(form.email.data, address)
        if user is None:
            log.info("login failed", extra={"fields": {"event": "login_failed"}})
            form.form_errors.append(BAD_LOGIN)
        elif user.email_confirmed_at is None:
            send_confirmation(user)
            return render_template("auth/confirm_first.html")
        else:
            login = begin_login(user)
            db.session.commit()
            if second_factor.needs_setup(user):
                return redirect(url_for(".setup"))
            if user.second_factor == "email":
                _send_login_code(login)
            return redirect(url_for(".verify"))
    return render_template("auth/login.html", form=form)


def _pending_or_restart():
    login = pending_login()
    if login is None:
        flash(_("Please log in again. It took too long, or the login was stopped."), "info")
    return login


@bp.route("/login/code", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("5 per minute; 30 per hour", key_func=_pending_key, methods=["POST"], deduct_when=_failed)
def verify():
    """Step 2: the code from the authenticator app or from the email."""
    login = _pending_or_restart()
    if login is None:
        return redirect(url_for(".login"))
    user = login.user
    if second_factor.needs_setup(user):
        return redirect(url_for(".setup"))
    form = CodeForm()
    if form.validate_on_submit():
        if not second_factor.count_attempt(login):
            return _void_pending(login)
        if user.second_factor == "totp":
            ok = second_factor.verify_totp(user, form.code.data)
        else:
            ok = second_factor.check_email_code(login, form.code.data)
        if ok:
            finish_login(login)
            return redirect(_next_page())
        db.session.commit()  # the counted attempt and the used time step
        form.code.errors.append(_("This code is not right, or it was used already. Please try again."))
    return render_template("auth/verify.html", form=form, method=user.second_factor, resend=ActionForm())


@bp.post("/login/code/resend")
@policy(GUEST)
@limiter.limit("3 per 10 minutes", key_func=_pending_key)
def resend_code():
    """Send a new login code by email."""
    login = _pending_or_restart()
    if login is None:
        return redirect(url_for(".login"))
    if ActionForm().validate_on_submit() and login.user.second_factor == "email":
        if login_limits.may_resend_code(login.id):
            _send_login_code(login)
            flash(_("We have sent you a new code."), "ok")
        else:
            flash(_("We have sent you several codes already. Please wait 10 minutes."), "error")
    return redirect(url_for(".verify"))


@bp.route("/login/recovery", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("5 per minute; 20 per hour", key_func=_pending_key, methods=["POST"], deduct_when=_failed)
def recovery():
    """Step 2 without the phone: one of the recovery codes."""
    login = _pending_or_restart()
    if login is None:
        return redirect(url_for(".login"))
    if login.user.second_factor != "totp":
        return redirect(url_for(".verify"))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if not second_factor.count_attempt(login):
            return _void_pending(login)
        if second_factor.use_recovery_code(login.user, form.recovery_code.data):
            left = second_factor.recovery_codes_left(login.user)
            finish_login(login)
            flash(_("You used a recovery code. You have %(num)s left.", num=left), "info")
            return redirect(_next_page())
        db.session.commit()
        form.recovery_code.errors.append(_("This recovery code is not right, or it was used already."))
    return render_template("auth/recovery.html", form=form)


@bp.route("/login/setup", methods=["GET", "POST"])
@policy(GUEST)
def setup():
    """First login: residents choose email codes or an app; staff always set up an app."""
    login = _pending_or_restart()
    if login is None:
        return redirect(url_for(".login"))
    user = login.user
    if user.is_staff:
        return redirect(url_for(".setup_app"))
    form = SecondFactorChoiceForm()
    if form.validate_on_submit():
        if form.method.data == "email":
            second_factor.use_email_codes(user)
            _send_login_code(login)
            return redirect(url_for(".verify"))
        return redirect(url_for(".setup_app"))
    return render_template("auth/setup.html", form=form)


@bp.route("/login/setup/app", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("5 per minute; 30 per hour", key_func=_pending_key, methods=["POST"], deduct_when=_failed)
def setup_app():
    """Set up an authenticator app: QR code and secret, then one code to prove it works."""
    login = _pending_or_restart()
    if login is None:
        return redirect(url_for(".login"))
    secret = second_factor.pending_secret(login)
    db.session.commit()
    form = CodeForm()
    if form.validate_on_submit():
        if not second_factor.count_attempt(login):
            return _void_pending(login)
        user = login.user
        if second_factor.enable_totp(user, secret, form.code.data):
            codes = second_factor.new_recovery_codes(user)
            finish_login(login)
            return render_template("account/recovery_codes.html", codes=codes, continue_url=_next_page())
        db.session.commit()  # the counted attempt
        form.code.errors.append(_("This code is not right. Check the time on your phone and try the newest code."))
    return render_template(
        "auth/setup_app.html",
        form=form,
        **second_factor.app_setup_context(secret, login.user.email),
    )


@bp.post("/logout")
@policy(PUBLIC)
def logout():
    """End the login for good, also for any copy of the cookie."""
    if ActionForm().validate_on_submit():
        end_login("logout")
        flash(_("You are logged out."), "ok")
    return redirect(url_for("main.home"))
