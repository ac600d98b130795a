"""The unlock link from the mail: marks the owner's browser as trusted, so a busy account lets them in again."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.access import policy
from portal.auth_session import audit_context
from portal.extensions import db, limiter
from portal.forms.accounts import ActionForm
from portal.routes.auth.blueprint import bad_link, bp, signing_key
from portal.services import audit
from portal.services.accounts import unlock as unlock_links
from portal.services.policy import GUEST


@bp.route("/login/unlock/<token>", methods=["GET", "POST"])
@policy(GUEST)
@limiter.limit("20 per hour", methods=["POST"])
def unlock(token: str):
    """A button (mail scanners only GET) that sets the trusted-device cookie for the account of the link."""
    user = unlock_links.user_of_link(signing_key(), token)
    if user is None:
        return bad_link()
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("auth/unlock.html", form=form)
    audit.account_event(user, user, "device_unlocked", context=audit_context())
    db.session.commit()
    response = redirect(url_for(".login"))
    response.set_cookie(
        unlock_links.DEVICE_COOKIE,
        unlock_links.device_cookie(signing_key(), user),
        max_age=int(unlock_links.DEVICE_LIFETIME.total_seconds()),
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    flash(_("You can log in again on this device."), "ok")
    return response
