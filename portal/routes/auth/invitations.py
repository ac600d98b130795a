"""Accepting a staff invitation: the invited person makes their account through the mailed link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.access import policy
from portal.auth_session import audit_context
from portal.extensions import db, limiter
from portal.forms.accounts import AcceptInvitationForm
from portal.i18n import current_language
from portal.labels import role_label
from portal.routes.auth.blueprint import bad_link, bp, signing_key
from portal.services import audit
from portal.services.accounts import invitations, registration
from portal.services.policy import GUEST


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("20 per hour", methods=["POST"])
def invitation(token: str):
    """An invited professional, beweegmakelaar or coordinator makes their account."""
    invitation = invitations.open_invitation(signing_key(), token)
    if invitation is None:
        return bad_link()
    form = AcceptInvitationForm(email=invitation.email)
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        try:
            user = invitations.accept_invitation(
                signing_key(), token, form.display_name.data, form.password.data, form.language.data
            )
        except registration.AccountError:
            db.session.rollback()
            form.form_errors.append(_("There is already an account with this email address. Please log in."))
            user = None
        else:
            if user is None:
                db.session.rollback()
                return bad_link()
            audit.account_event(user, user, "from_invitation", context=audit_context(), action="create")
            db.session.commit()
            flash(_("Your account is ready. Log in and set up the authenticator app."), "ok")
            return redirect(url_for(".login"))
    return render_template("auth/invitation.html", form=form, invitation=invitation, role=role_label(invitation.role))
