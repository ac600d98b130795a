"""Logging in (password, then second factor), logging out, registration, email links and invitations."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.access import policy, safe_next
from portal.auth_session import NEXT_PAGE, begin_login, end_login, finish_login, pending_login
from portal.extensions import db, limiter
from portal.forms.accounts import (
    AcceptInvitationForm,
    ActionForm,
    CodeForm,
    LoginForm,
    NewPasswordForm,
    RecoveryCodeForm,
    RegisterForm,
    ResetRequestForm,
    SecondFactorChoiceForm,
)
from portal.i18n import current_language
from portal.labels import role_label
from portal.services.accounts import mail as account_mail
from portal.services.accounts import registration, second_factor
from portal.services.accounts.users import find_user_by_email, normalise_email
from portal.services.policy import GUEST, PUBLIC
from portal.services.privacy import consent

bp = Blueprint("auth", __name__)
log = logging.getLogger("portal.auth")

BAD_LOGIN = _l("The email address or the password is not right.")
BAD_LINK = _l("This link does not work (any more). It may have been used already, or it is too old.")


def _failed(response) -> bool:
    """A form shown again (200) counts as a failed attempt; a redirect is a success."""
    return response.status_code == 200


def _posted_email_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def _pending_key() -> str:
    login = pending_login()
    return f"login:{login.user_id}" if login else f"ip:{request.remote_addr}"


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _next_page() -> str:
    """Where to go after logging in: the page that asked for it, else the account page."""
    return safe_next(session.pop(NEXT_PAGE, None)) or url_for("account.index")


def _send_login_code(login) -> None:
    code = second_factor.issue_email_code(login)
    db.session.commit()
    account_mail.send_login_code(login.user, code)


def _send_confirmation(user) -> None:
    token = registration.issue_link(_secret(), user, "confirm_email")
    db.session.commit()
    account_mail.send_confirmation(user, token)


@bp.route("/login", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("30 per minute; 300 per hour", methods=["POST"])
@limiter.limit("5 per minute; 20 per hour", key_func=_posted_email_key, methods=["POST"], deduct_when=_failed)
def login():
    """Step 1: email and password. Never says whether an address has an account."""
    form = LoginForm()
    if request.method == "GET" and safe_next(request.args.get("next")):
        session[NEXT_PAGE] = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        user = registration.authenticate(form.email.data, form.password.data)
        if user is None:
            log.info("login failed", extra={"fields": {"event": "login_failed"}})
            form.form_errors.append(BAD_LOGIN)
        elif user.email_confirmed_at is None:
            _send_confirmation(user)
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
        _send_login_code(login)
        flash(_("We have sent you a new code."), "ok")
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
        user = login.user
        if second_factor.enable_totp(user, secret, form.code.data):
            codes = second_factor.new_recovery_codes(user)
            finish_login(login)
            return render_template("account/recovery_codes.html", codes=codes, continue_url=_next_page())
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


@bp.route("/register", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("10 per hour", methods=["POST"])
def register():
    """A resident makes an account; the page says the same whether the address is new or not."""
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        result = registration.register_resident(
            form.email.data, form.password.data, form.display_name.data, form.language.data
        )
        if result.user is not None:
            if form.activity_news.data:
                consent.give(result.user, "activity_news")
            _send_confirmation(result.user)
        else:
            db.session.commit()
            account_mail.send_already_registered(result.existing)
        return redirect(url_for(".check_mail"))
    return render_template("auth/register.html", form=form)


@bp.get("/register/check-your-mail")
@policy(GUEST)
def check_mail():
    """After registering: look in your mailbox."""
    return render_template("auth/check_mail.html")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("20 per hour", methods=["POST"])
def confirm(token: str):
    """The link from the confirmation mail: a button confirms (mail scanners only GET)."""
    form = ActionForm()
    if form.validate_on_submit():
        user = registration.confirm_email(_secret(), token)
        if user is None:
            db.session.rollback()
            return render_template("auth/link_invalid.html", message=BAD_LINK), 400
        db.session.commit()
        flash(_("Thank you. Your email address is confirmed. You can now log in."), "ok")
        return redirect(url_for(".login"))
    if not registration.link_is_usable(_secret(), "confirm_email", token):
        return render_template("auth/link_invalid.html", message=BAD_LINK), 400
    return render_template("auth/confirm.html", form=form)


@bp.route("/password/forgotten", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", key_func=_posted_email_key, methods=["POST"])
def reset_request():
    """Ask for a reset link; the answer is the same whether the address has an account or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is not None and user.is_active:
            token = registration.issue_link(_secret(), user, "reset_password")
            db.session.commit()
            account_mail.send_password_reset(user, token)
        return render_template("auth/reset_sent.html")
    return render_template("auth/reset_request.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("20 per hour", methods=["POST"])
def reset(token: str):
    """Choose a new password through the link; it works once and ends every login."""
    if not registration.link_is_usable(_secret(), "reset_password", token):
        return render_template("auth/link_invalid.html", message=BAD_LINK), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = registration.reset_password(_secret(), token, form.password.data)
        if user is None:
            db.session.rollback()
            return render_template("auth/link_invalid.html", message=BAD_LINK), 400
        db.session.commit()
        account_mail.send_password_changed(user)
        flash(_("Your new password is saved. You can now log in."), "ok")
        return redirect(url_for(".login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("20 per hour", methods=["POST"])
def invitation(token: str):
    """An invited professional, beweegmakelaar or coordinator makes their account."""
    invitation = registration.open_invitation(_secret(), token)
    if invitation is None:
        return render_template("auth/link_invalid.html", message=BAD_LINK), 400
    form = AcceptInvitationForm(email=invitation.email)
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        try:
            user = registration.accept_invitation(
                _secret(), token, form.display_name.data, form.password.data, form.language.data
            )
        except registration.AccountError:
            db.session.rollback()
            form.form_errors.append(_("There is already an account with this email address. Please log in."))
            user = None
        else:
            if user is None:
                db.session.rollback()
                return render_template("auth/link_invalid.html", message=BAD_LINK), 400
            db.session.commit()
            flash(_("Your account is ready. Log in and set up the authenticator app."), "ok")
            return redirect(url_for(".login"))
    return render_template("auth/invitation.html", form=form, invitation=invitation, role=role_label(invitation.role))
