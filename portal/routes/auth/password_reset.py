"""A forgotten password: asking for a reset link, and choosing a new password through it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.access import policy
from portal.auth_session import audit_context
from portal.extensions import db, limiter
from portal.forms.accounts import NewPasswordForm, ResetRequestForm
from portal.routes.auth.blueprint import bad_link, bp, posted_email_key, signing_key
from portal.services import audit
from portal.services.accounts import login_limits, registration
from portal.services.accounts import mail as account_mail
from portal.services.accounts.users import find_user_by_email
from portal.services.policy import GUEST


@bp.route("/password/forgotten", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", key_func=posted_email_key, methods=["POST"])
def reset_request():
    """Ask for a reset link; the answer is the same whether the address has an account or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        allowed = login_limits.may_mail_reset(form.email.data, request.remote_addr or "")
        if user is not None and user.is_active and allowed:
            token = registration.issue_link(signing_key(), user, "reset_password")
            account_mail.send_password_reset(user, token)
            db.session.commit()
        return render_template("auth/reset_sent.html")
    return render_template("auth/reset_request.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("20 per hour", methods=["POST"])
def reset(token: str):
    """Choose a new password through the link; it works once and ends every login."""
    if not registration.link_is_usable(signing_key(), "reset_password", token):
        return bad_link()
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = registration.reset_password(signing_key(), token, form.password.data)
        if user is None:
            db.session.rollback()
            return bad_link()
        account_mail.send_password_changed(user)
        audit.account_event(user, user, "password_reset", context=audit_context())
        db.session.commit()
        flash(_("Your new password is saved. You can now log in."), "ok")
        return redirect(url_for(".login"))
    return render_template("auth/reset.html", form=form)
