"""A resident shares their health checks with an organisation of their care team, or stops; with the history."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import policy
from portal.auth_session import audit_context
from portal.extensions import db, limiter
from portal.forms.health_check_care import ShareForm
from portal.services import audit
from portal.services.health_check import sharing
from portal.services.health_check.sharing import SharingError
from portal.services.messaging import care_relations
from portal.services.policy import RESIDENT

bp = Blueprint("health_check_sharing", __name__)


def _user_key() -> str:
    return f"health-check-sharing:{current_user.get_id()}"


def _page(problem: str | None = None, status: int = 200):
    team = care_relations.team_organisations(current_user)
    shared = {organisation.id for organisation in sharing.shared_organisations(current_user)}
    rows = [(organisation, organisation.id in shared, ShareForm(formdata=None)) for organisation in team]
    return render_template(
        "health_check_sharing/index.html",
        rows=rows,
        history=sharing.history(current_user),
        problem=problem,
    ), status


@bp.route("", methods=["GET", "POST"])
@policy(RESIDENT)
@limiter.limit("60 per hour", key_func=_user_key, methods=["POST"])
def index():
    """Per organisation of my care team: may it see my health checks? One button to share or to stop."""
    form = ShareForm()
    if not form.is_submitted():
        return _page()
    if not form.validate():
        return _page(_("This did not work. Please try again."), status=400)
    in_team = {organisation.id: organisation for organisation in care_relations.team_organisations(current_user)}
    organisation = in_team.get(form.organisation.data)
    if form.choice.data == "share":
        if organisation is None:
            abort(404)  # not in my care team: as if it did not exist
        try:
            sharing.share(current_user, organisation)
        except SharingError:
            db.session.rollback()
            abort(404)
        message = _("%(name)s can now see your health checks.", name=organisation.name)
    else:
        row = sharing.withdraw(current_user, form.organisation.data)
        if row is None and organisation is None:
            abort(404)
        message = _("%(name)s can no longer see your health checks.", name=(organisation or row.organisation).name)
    audit.record(
        current_user,
        "change",
        "health_check_share",
        context=audit_context(),
        object_id=form.organisation.data,
        subject=current_user,
        details=f"share_{'give' if form.choice.data == 'share' else 'withdraw'}",
    )
    db.session.commit()
    flash(message, "ok")
    return redirect(url_for(".index"), code=303)
