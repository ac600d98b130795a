"""Referring a resident: from a route-map step, a programme or an organisation page, or a resident's overview."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from portal.access import policy
from portal.extensions import db, limiter
from portal.forms.referrals import ReferForm
from portal.models import Organisation, Programme, User
from portal.referral_labels import error_text
from portal.routes.professional.blueprint import audit_read, bp
from portal.services.messaging.care_relations import residents_of
from portal.services.policy import CARE
from portal.services.referrals import mail as referral_mail
from portal.services.referrals.capacity import room_for
from portal.services.referrals.referrals import OFFERABLE, NewReferral, ReferralError, create
from portal.services.routekaarten.content import current_catalogue
from portal.services.routekaarten.model import DIMENSIONS, LEVELS


def _user_key() -> str:
    return f"referring:{current_user.get_id()}"


def _offer() -> tuple[Programme | None, Organisation | None]:
    """The offer named in the query string: a programme by slug, or an organisation by id."""
    slug = (request.args.get("programme") or "")[:80]
    if slug:
        programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
        return programme, programme.organisation if programme else None
    organisation_id = request.args.get("organisation", type=int)
    if organisation_id and 0 < organisation_id < 2**31:
        return None, db.session.get(Organisation, organisation_id)
    return None, None


def _offer_choices() -> list[Programme]:
    statement = (
        select(Programme)
        .where(Programme.status.in_(OFFERABLE))
        .options(selectinload(Programme.translations), selectinload(Programme.organisation))
        .order_by(Programme.slug)
        .limit(500)
    )
    return list(db.session.scalars(statement))


def _fill_from_query(form: ReferForm) -> None:
    form.route_map.data = (request.args.get("route_map") or "")[:80]
    form.step.data = (request.args.get("step") or "")[:80]
    for dimension in DIMENSIONS:
        value = request.args.get(dimension, "")
        getattr(form, dimension).data = value if value in LEVELS else ""
    form.resident.data = request.args.get("resident", type=int)


@bp.get("/referrals/start")
@policy(CARE)
def refer_start():
    """Which offer to refer to (when the referral does not start from a route map, programme or organisation)."""
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.id != current_user.organisation_id).order_by(Organisation.name)
    )
    return render_template(
        "referrals/choose_offer.html", programmes=_offer_choices(), organisations=list(organisations), args=request.args
    )


@bp.route("/referrals/new", methods=["GET", "POST"])
@policy(CARE, personal_data=True)
@limiter.limit("60 per hour", key_func=_user_key, methods=["POST"])
def refer():
    """Refer a resident in our care to an offer: the estimate, a note the resident may read, their agreement.
    Without an offer in the query string the page first asks which one; the offer's room is shown before sending."""
    programme, organisation = _offer()
    if organisation is None:
        return redirect(url_for(".refer_start", resident=request.args.get("resident", type=int)), code=303)
    relations = residents_of(current_user.organisation_id, limit=500)
    audit_read("referral_form", current_user.organisation_id, None, details=f"{len(relations)} residents offered")
    db.session.commit()
    form = ReferForm()
    form.resident.choices = [SelectChoice(r.resident_id, r.resident.display_name) for r in relations]
    if request.method == "GET":
        _fill_from_query(form)
    problem = None
    if form.validate_on_submit():
        try:
            referral = _create(form, programme, organisation)
        except ReferralError as error:
            db.session.rollback()
            problem = error_text(error.code)
        else:
            db.session.commit()
            flash(
                _("The referral is sent.")
                if referral.status != "draft"
                else _("The referral waits for the resident's agreement."),
                "ok",
            )
            return redirect(url_for(".referral", referral_id=referral.id), code=303)
    form.new_key()
    unavailable = programme is not None and programme.status not in OFFERABLE
    return render_template(
        "referrals/refer.html",
        form=form,
        programme=programme,
        organisation=organisation,
        room=room_for(programme),
        unavailable=unavailable,
        problem=problem or (error_text("offer_unavailable") if unavailable else None),
        route_map=current_catalogue().get(form.route_map.data or ""),
    ), 400 if (form.errors or problem or unavailable) else 200


def _create(form: ReferForm, programme: Programme | None, organisation: Organisation):
    resident = db.session.get(User, form.resident.data)
    new = NewReferral(
        resident=resident,
        programme=programme,
        organisation=organisation,
        route_map=form.route_map.data or None,
        route_step=form.step.data or None,
        levels=form.levels(),
        note=form.note.data,
        agreed_in_consultation=form.agreement.data == "consultation",
        key=form.key.data,
    )
    referral = create(current_user, new, current_catalogue())
    if referral.status == "draft":
        referral_mail.notify_resident(referral, "referral_agreement")
    else:
        referral_mail.notify_receivers(referral)
    return referral
