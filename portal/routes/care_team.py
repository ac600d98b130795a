"""A resident's care team: their care relations, joining with a code, asking an organisation, consents to consult."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.access import load_or_404, policy
from portal.auth_session import audit_context
from portal.extensions import db, limiter
from portal.forms.accounts import ActionForm
from portal.forms.messaging import CodeForm
from portal.messaging_errors import error_text
from portal.models import CareRelation, Organisation
from portal.services import audit
from portal.services import policy as policies
from portal.services.accounts import throttle
from portal.services.messaging import care_relations, consultations, slots
from portal.services.messaging.care_relations import CareError
from portal.services.policy import RESIDENT

bp = Blueprint("care_team", __name__)
CODE_TRIES = 10  # wrong codes per resident per hour


def _user_key() -> str:
    return f"care-team:{current_user.get_id()}"


def _organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.get("")
@policy(RESIDENT)
def index():
    """My care team: who helps me, who made each relation, and whom my team may consult."""
    relations = care_relations.relations_of(current_user)
    consents = consultations.consents_of(current_user)
    consented = {consent.organisation_id for consent in consents}
    others = db.session.scalars(select(Organisation).order_by(Organisation.name))
    return render_template(
        "care_team/index.html",
        relations=relations,
        consents=consents,
        may_consent=[o for o in others if o.id not in consented],
        slots=slots.slots_for(current_user),
        action=ActionForm(),
    )


@bp.route("/join", methods=["GET", "POST"])
@policy(RESIDENT)
@limiter.limit("20 per hour", key_func=_user_key, methods=["POST"])
def join():
    """Enter the code from a care provider (on paper or by email): the relation starts at once."""
    form = CodeForm()
    problem = None
    if form.validate_on_submit():
        if not throttle.take(f"care-code:{current_user.id}", CODE_TRIES, timedelta(hours=1)):
            problem = error_text("too_many")
        else:
            try:
                relation = care_relations.accept_invitation(current_user, form.code.data)
            except CareError as error:
                db.session.rollback()
                problem = error_text(error.code)
            else:
                db.session.commit()
                flash(_("%(name)s is now in your care team.", name=relation.organisation.name), "ok")
                return redirect(url_for(".index"), code=303)
    return render_template("care_team/join.html", form=form, problem=problem), 400 if problem or form.errors else 200


@bp.route("/ask/<int:organisation_id>", methods=["GET", "POST"])
@policy(RESIDENT)
@limiter.limit("20 per day", key_func=_user_key, methods=["POST"])
def ask(organisation_id: int):
    """Ask an organisation to take me into its care; someone there confirms."""
    organisation = _organisation_or_404(organisation_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            care_relations.ask_to_join(current_user, organisation)
        except CareError as error:
            db.session.rollback()
            flash(error_text(error.code), "error")
        else:
            db.session.commit()
            flash(
                _("Your request is sent to %(name)s. You get an email when they answer.", name=organisation.name), "ok"
            )
        return redirect(url_for(".index"), code=303)
    pending = care_relations.open_relation(current_user.id, organisation.id)
    return render_template("care_team/ask.html", organisation=organisation, form=form, pending=pending)


@bp.post("/<int:relation_id>/end")
@policy(RESIDENT)
def end(relation_id: int):
    """End a relation, or withdraw a request: the organisation no longer sees my messages with it."""
    relation = load_or_404(CareRelation, relation_id, policies.may_end_own_relation)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        care_relations.end(current_user, relation)
    except CareError as error:
        db.session.rollback()
        flash(error_text(error.code), "error")
        return redirect(url_for(".index"), code=303)
    audit.record(
        current_user,
        "change",
        "care_relation",
        context=audit_context(),
        object_id=relation.id,
        subject=current_user,
        details="ended",
    )
    db.session.commit()
    flash(_("%(name)s is no longer in your care team.", name=relation.organisation.name), "ok")
    return redirect(url_for(".index"), code=303)


@bp.post("/consult/<int:organisation_id>/<any(give, withdraw):choice>")
@policy(RESIDENT)
def consult_consent(organisation_id: int, choice: str):
    """Agree (or no longer agree) that my care team may consult this organisation about me."""
    organisation = _organisation_or_404(organisation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if choice == "give":
        consultations.give(current_user, organisation)
        flash(_("Your care team may now consult %(name)s about you.", name=organisation.name), "ok")
    else:
        consultations.withdraw(current_user, organisation.id)
        flash(_("%(name)s can no longer see consultations about you.", name=organisation.name), "ok")
    audit.record(
        current_user,
        "change",
        "involvement_consent",
        context=audit_context(),
        object_id=organisation.id,
        subject=current_user,
        details=f"consult_{choice}",
    )
    db.session.commit()
    return redirect(url_for(".index"), code=303)
