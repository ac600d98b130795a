"""Registering as a resident and confirming the email address through the mailed link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.access import policy
from portal.auth_session import audit_context
from portal.extensions import db, limiter
from portal.forms.accounts import ActionForm, RegisterForm
from portal.i18n import current_language
from portal.routes.auth.blueprint import bad_link, bp, send_confirmation, signing_key
from portal.services import audit
from portal.services.accounts import mail as account_mail
from portal.services.accounts import registration
from portal.services.policy import GUEST
from portal.services.privacy import consent


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
            audit.account_event(result.user, result.user, "registered", context=audit_context(), action="create")
            send_confirmation(result.user)
        else:
            account_mail.send_already_registered(result.existing)
            db.session.commit()
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
        user = registration.confirm_email(signing_key(), token)
        if user is None:
            db.session.rollback()
            return bad_link()
        audit.account_event(user, user, "email_confirmed", context=audit_context())
        db.session.commit()
        flash(_("Thank you. Your email address is confirmed. You can now log in."), "ok")
        return redirect(url_for(".login"))
    if not registration.link_is_usable(signing_key(), "confirm_email", token):
        return bad_link()
    return render_template("auth/confirm.html", form=form)
