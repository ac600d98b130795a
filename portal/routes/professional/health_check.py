"""A resident's shared health checks in the professional's workspace, and the team's own estimate beside them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import load_or_404, policy
from portal.auth_session import audit_context
from portal.extensions import db, limiter
from portal.forms.health_check_care import EstimateForm
from portal.health_check_labels import error_text as mark_error_text
from portal.models import User
from portal.models.health_check import DOMAINS
from portal.routes.professional.blueprint import audit_read, bp
from portal.services import audit
from portal.services import policy as policies
from portal.services.health_check import checks, estimates, sharing
from portal.services.health_check.estimates import EstimateError
from portal.services.policy import CARE


def _user_key() -> str:
    return f"professional:{current_user.get_id()}"


def _resident_or_404(resident_id: int) -> User:
    """The resident in our care who shares their checks with our team; 404 as for a stranger's id otherwise."""
    person = load_or_404(User, resident_id, policies.may_see_resident)
    if not sharing.may_view(current_user, person.id):
        abort(404)
    return person


def _page(person: User, problem: dict | None = None, status: int = 200):
    entries = list(reversed(checks.history(person.id)))  # newest first
    beside = estimates.estimates_for(entry.check.id for entry in entries)
    ours = {
        check_id: next((e for e in found if e.organisation_id == current_user.organisation_id), None)
        for check_id, found in beside.items()
    }
    return render_template(
        "professional/health_check.html",
        person=person,
        entries=entries,
        ours=ours,
        problem=problem or {},
        form=EstimateForm(formdata=None),
    ), status


@bp.get("/residents/<int:resident_id>/health-check")
@policy(CARE, personal_data=True)
def health_check(resident_id: int):
    """The resident's shared checks, the latest first with its change, and our estimate beside each."""
    person = _resident_or_404(resident_id)
    audit_read("health_check", person.id, person.id)  # no mark or answer in the record
    db.session.commit()
    return _page(person)


@bp.post("/residents/<int:resident_id>/health-check/<int:check_id>/estimate")
@policy(CARE, personal_data=True)
@limiter.limit("60 per hour", key_func=_user_key)
def health_check_estimate(resident_id: int, check_id: int):
    """Record our team's estimate of the mark, with the resident in the conversation; once per check and team."""
    person = _resident_or_404(resident_id)
    check = checks.owned_check(person.id, check_id)
    if check is None:
        abort(404)
    form = EstimateForm()
    if not form.validate():  # no CSRF token, or a control character in a field
        field = next((name for name in ("mark", *DOMAINS) if form[name].errors), "mark")
        text = str(form[field].errors[0]) if form[field].errors else _("This did not work. Please try again.")
        return _page(person, {"check_id": check.id, "field": field, "text": text}, 400)
    try:
        estimates.record_estimate(current_user, check, form.mark.data, form.domain_values())
    except EstimateError as error:
        db.session.rollback()
        if error.code == "not_allowed":
            abort(404)
        if error.code == "already":
            text, status = _("Your team already recorded an estimate for this check. It stays as it was."), 409
        else:
            text, status = mark_error_text(error.code), 400
        return _page(person, {"check_id": check.id, "field": error.field, "text": text}, status)
    audit.record(
        current_user,
        "create",
        "health_check_estimate",
        context=audit_context(),
        object_id=check.id,
        subject=person.id,
    )
    db.session.commit()
    flash(_("Your estimate is saved."), "ok")
    return redirect(url_for(".health_check", resident_id=person.id, _anchor=f"check-{check.id}"), code=303)
