"""My residents: the workspace start, residents in our care, one resident's overview, invitations and requests."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.access import load_or_404, policy
from portal.extensions import db, limiter
from portal.forms.accounts import ActionForm
from portal.forms.messaging import InviteForm, ReplyDaysForm
from portal.messaging_errors import error_text
from portal.models import CareRelation, Thread, User
from portal.routes.professional.blueprint import audit_read, bp
from portal.services import policy as policies
from portal.services.health_check import checks as health_checks
from portal.services.health_check import sharing as health_check_sharing
from portal.services.messaging import away, care_relations, consultations
from portal.services.messaging import inbox as team_inbox
from portal.services.messaging import mail as message_mail
from portal.services.messaging.care_relations import CareError, format_code
from portal.services.policy import CARE
from portal.services.referrals import queries as referral_queries


def _user_key() -> str:
    return f"professional:{current_user.get_id()}"


@bp.get("/")
@policy(CARE)
def index():
    """The workspace: what waits in the team inbox, requests from residents, my away period."""
    requests, invitations = care_relations.pending_for(current_user.organisation_id)
    return render_template(
        "professional/index.html",
        counts=team_inbox.box_counts(current_user, overdue=True),
        referral_counts=referral_queries.counts(current_user),
        requests=requests,
        invitations=invitations,
        away_now=away.current(current_user),
        action=ActionForm(),
        reply_days_form=ReplyDaysForm(reply_days=current_user.organisation.reply_days),
    )


@bp.get("/residents")
@policy(CARE, personal_data=True)
def residents():
    """The residents in our organisation's care, searchable by name."""
    name = (request.args.get("q") or "")[:80]
    relations = care_relations.residents_of(current_user.organisation_id, name)
    audit_read("resident_search", current_user.organisation_id, None, details=f"{len(relations)} shown")
    db.session.commit()
    return render_template("professional/residents.html", relations=relations, q=name)


@bp.get("/residents/<int:resident_id>")
@policy(CARE, personal_data=True)
def resident(resident_id: int):
    """One resident in our care: the relation, our threads, referrals and consultations, and a new consultation."""
    person = load_or_404(User, resident_id, policies.may_see_resident)
    audit_read("resident_overview", person.id, person.id)
    db.session.commit()  # first: a commit expires what was loaded, and the page would load it all again
    relation = care_relations.active_relation(person.id, current_user.organisation_id)
    threads = db.session.scalars(
        select(Thread)
        .where(
            Thread.resident_id == person.id,
            Thread.organisation_id == current_user.organisation_id,
            Thread.kind != "referral",
        )
        .order_by(Thread.last_message_at.desc())
    )
    return render_template(
        "professional/resident.html",
        person=person,
        relation=relation,
        threads=list(threads),
        referrals=referral_queries.about_resident(current_user, person.id),
        consents=consultations.consents_of(person),
        health_check=_health_check_summary(person),
        action=ActionForm(),
    )


def _health_check_summary(person: User) -> dict:
    """Whether the resident shares their health checks with our team, and then the latest check (else nothing)."""
    if not health_check_sharing.may_view(current_user, person.id):
        return {"shared": False, "latest": None}
    entries = health_checks.history(person.id)
    return {"shared": True, "latest": entries[-1] if entries else None}


@bp.route("/invite", methods=["GET", "POST"])
@policy(CARE)
@limiter.limit("60 per hour", key_func=_user_key, methods=["POST"])
def invite():
    """Make an invitation code to print or read out, and mail it when an address is given."""
    form = InviteForm()
    if form.validate_on_submit():
        relation, code = care_relations.invite(current_user, form.email.data or None)
        if form.email.data:
            message_mail.send_invitation(form.email.data, current_user.organisation, code)
        db.session.commit()
        return render_template("professional/invitation.html", code=format_code(code), relation=relation)
    return render_template("professional/invite.html", form=form), 400 if form.errors else 200


@bp.post("/relations/<int:relation_id>/<any(accept, decline, end):answer>")
@policy(CARE)
def relation(relation_id: int, answer: str):
    """Confirm or decline a resident's request, or end a relation or invitation of our organisation."""
    item = load_or_404(CareRelation, relation_id, policies.may_answer_relation)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if answer == "end":
            care_relations.end(current_user, item)
        else:
            care_relations.answer_request(current_user, item, accept=answer == "accept")
    except CareError as error:
        db.session.rollback()
        flash(error_text(error.code), "error")
        return redirect(url_for(".index"), code=303)
    if item.resident is not None and answer in ("accept", "decline"):
        message_mail.send_relation_confirmed(item)
    db.session.commit()
    flash(_("Saved."), "ok")
    return redirect(url_for(".index"), code=303)


@bp.post("/team/reply-days")
@policy(CARE)
def reply_days():
    """Set within how many working days our team answers residents (shown on every new message page)."""
    form = ReplyDaysForm()
    if form.validate_on_submit():
        current_user.organisation.reply_days = form.reply_days.data
        db.session.commit()
        flash(_("Saved."), "ok")
    else:
        flash(_("Please choose a number from 1 to 10."), "error")
    return redirect(url_for(".index"), code=303)
