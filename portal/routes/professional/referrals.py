"""Referrals in the workspace: the team's received and sent referrals, one referral with its history and
handover thread, and its status changes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import update
from wtforms import SelectChoice

from portal.access import load_or_404, policy
from portal.day_time import moment_formatter
from portal.extensions import db, limiter
from portal.forms.referrals import HandoverMessageForm, NoteForm, StatusForm, VersionForm
from portal.i18n import current_language
from portal.links import id_urls
from portal.messaging_errors import error_text as message_error_text
from portal.models import Referral
from portal.referral_labels import ERRORS, error_text, words_in
from portal.routes.professional.blueprint import audit_read, bp
from portal.services import policy as policies
from portal.services.messaging import mail as message_mail
from portal.services.messaging import queries as thread_queries
from portal.services.messaging import threads
from portal.services.messaging.away import read_auto_reply
from portal.services.messaging.threads import MessagingError
from portal.services.policy import CARE
from portal.services.referrals import changes, followup, handover, queries
from portal.services.referrals import mail as referral_mail
from portal.services.referrals.capacity import room_for
from portal.services.referrals.overdue import is_overdue
from portal.services.referrals.referrals import ReferralError, parties_of, record_agreement
from portal.services.referrals.statuses import REOPENABLE, reasons_for, targets_for


def _commit_keeping_loaded() -> None:
    """Commit the read's records (audit, receipts) before the page reads on, without expiring what the request
    loaded: the signed-in user and the referral would otherwise be loaded again, with each of their relations."""
    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def _user_key() -> str:
    return f"referrals:{current_user.get_id()}"


@bp.get("/referrals")
@policy(CARE, personal_data=True)
def referrals():
    """The team's referrals: received or sent, open loops (overdue first) or closed ones."""
    box = request.args.get("box") if request.args.get("box") in queries.BOXES else "received"
    state = "closed" if request.args.get("state") == "closed" else "open"
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    audit_read("referral_list", current_user.organisation_id, None, details=f"{box} {state} page {page}")
    _commit_keeping_loaded()  # saved before the page reads the rows
    rows, more = queries.workspace(current_user, box, state, page, current_language())
    counts = queries.counts(current_user)
    return render_template(
        "referrals/workspace.html",
        rows=rows,
        more=more,
        box=box,
        state=state,
        page=page,
        counts=counts,
        moment_text=moment_formatter(str(get_locale())),  # the `moment` filter's text, its names looked up once
        words=words_in(str(get_locale())),  # referral_words as text, translated once per process
        referral_url=id_urls("professional.referral", "referral_id"),  # a line's link: one url_for a page
    )


def _moves(referral: Referral, parties: frozenset[str]) -> list[tuple[str, list[str]]]:
    """The statuses the user's sides may move the referral to, each with the reasons to choose from."""
    return [(target, reasons_for(target)) for target in targets_for(referral.status, parties - {"resident"})]


def _slot_choices(sessions) -> list[SelectChoice]:
    return [SelectChoice(0, "")] + [SelectChoice(session.id, str(session.id)) for session in sessions]


def _record_read(referral: Referral, parties: frozenset[str]) -> None:
    """What reading the page records: the team read the thread, the audit record, and the referring team's
    sight of this version."""
    if referral.thread is not None:
        threads.mark_read(current_user, referral.thread)
    audit_read("referral", referral.id, referral.resident_id)
    if "referrer" in parties and referral.referrer_seen_version != referral.version:
        db.session.execute(
            update(Referral).where(Referral.id == referral.id).values(referrer_seen_version=referral.version)
        )


def _shown(referral_id: int) -> queries.ReferralPage:
    """The referral with what its page shows, when the user may see it as staff; 404 otherwise, as load_or_404."""
    page = queries.for_page(referral_id, current_language())
    if page is None or not policies.may_see_referral_as_staff(current_user, page.referral):
        abort(404)
    return page


def _detail(referral_id: int, problem: str | None = None, form=None, status: int = 200):
    page = _shown(referral_id)
    referral = page.referral
    parties = parties_of(current_user, referral)
    _record_read(referral, parties)
    _commit_keeping_loaded()  # saved before the page reads the thread, as the receipts mark what it shows read
    history = queries.history(referral)
    form = form or HandoverMessageForm()
    form.new_key()
    offerable = handover.offerable_sessions(referral, current_language()) if "receiver" in parties else []
    form.slot.choices = _slot_choices(offerable)
    may_agree = referral.status == "draft" and "referrer" in parties  # record the resident's agreement
    may_void = "referrer" in parties and referral.status != "entered-in-error"
    reopenable = referral.status in REOPENABLE and bool(parties & {"referrer", "receiver"})
    return render_template(
        "referrals/professional_detail.html",
        referral=referral,
        offer=page.offer,
        booked=queries.booked_session(referral, current_language()),
        parties=parties,
        history=history,
        views=thread_queries.messages_of(referral.thread, current_user) if referral.thread else [],
        room=room_for(referral.programme),
        overdue=is_overdue(referral),
        follow_up=followup.latest_answer_in(history),
        moves=_moves(referral, parties),
        may_agree=may_agree,
        version_form=VersionForm(formdata=None, version=referral.version) if may_agree else None,
        may_void=may_void,
        note_form=NoteForm(formdata=None, version=referral.version) if may_void or reopenable else None,
        reopenable=reopenable,
        form=form,
        offerable=offerable,
        problem=problem,
        auto_reply=read_auto_reply,
    ), status


def _load(referral_id: int) -> Referral:
    return load_or_404(Referral, referral_id, policies.may_see_referral_as_staff)


@bp.get("/referrals/<int:referral_id>")
@policy(CARE, personal_data=True)
def referral(referral_id: int):
    """One referral: the resident, the offer, the estimate, the note, the status, its history and the thread."""
    return _detail(referral_id)


def _notify(referral: Referral, actor_party: str) -> None:
    """Content-free notices to the other sides of a change."""
    if actor_party != "referrer":
        referral_mail.notify_referrer(referral)
    if actor_party != "receiver" and referral.status not in ("draft", "entered-in-error"):
        referral_mail.notify_receivers(referral)
    if referral.status != "draft":
        referral_mail.notify_resident(referral)


def _acting(referral: Referral) -> str:
    parties = parties_of(current_user, referral)
    return "receiver" if "receiver" in parties else "referrer"


def _done(referral_id: int, message: str):
    flash(message, "ok")
    return redirect(url_for(".referral", referral_id=referral_id), code=303)


def _refused(referral_id: int, error: ReferralError):
    db.session.rollback()
    return _detail(referral_id, error_text(error.code), status=409 if error.code == "stale" else 400)


@bp.post("/referrals/<int:referral_id>/status")
@policy(CARE)
@limiter.limit("120 per hour", key_func=_user_key)
def referral_status(referral_id: int):
    """Move the referral to another status, with a reason where one is needed; a stale page is refused."""
    referral = _load(referral_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _detail(referral_id, str(ERRORS["bad_status"]), status=400)
    try:
        event = changes.change_status(
            current_user,
            referral,
            form.status.data,
            form.version.data,
            form.reason.data,
            form.note.data,
            form.wait.data,
        )
    except ReferralError as error:
        return _refused(referral_id, error)
    _notify(referral, event.actor_party)
    db.session.commit()
    return _done(referral_id, _("The status is changed."))


@bp.post("/referrals/<int:referral_id>/<any(void, reopen):change>")
@policy(CARE)
@limiter.limit("60 per hour", key_func=_user_key)
def referral_change(referral_id: int, change: str):
    """Void a referral made by mistake, or open a closed one again; both need a note."""
    referral = _load(referral_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _detail(referral_id, str(ERRORS["note_empty"]), status=400)
    act = changes.void if change == "void" else changes.reopen
    try:
        event = act(current_user, referral, form.version.data, form.note.data)
    except ReferralError as error:
        return _refused(referral_id, error)
    _notify(referral, event.actor_party)
    db.session.commit()
    return _done(referral_id, _("The referral is voided.") if change == "void" else _("The referral is open again."))


@bp.post("/referrals/<int:referral_id>/agreement")
@policy(CARE)
def referral_agreement(referral_id: int):
    """Record that the resident agreed in the consultation; the draft is then sent."""
    referral = _load(referral_id)
    form = VersionForm()
    if not form.validate_on_submit():
        return _detail(referral_id, str(ERRORS["stale"]), status=400)
    try:
        record_agreement(current_user, referral, form.version.data)
    except ReferralError as error:
        return _refused(referral_id, error)
    referral_mail.notify_receivers(referral)
    referral_mail.notify_resident(referral)
    db.session.commit()
    return _done(referral_id, _("The referral is sent."))


@bp.post("/referrals/<int:referral_id>/write")
@policy(CARE)
@limiter.limit("60 per hour; 200 per day", key_func=_user_key)
def referral_write(referral_id: int):
    """Write in the handover thread; the receiving team may offer a session with the message."""
    referral = _load(referral_id)
    form = HandoverMessageForm()
    form.slot.choices = _slot_choices(handover.offerable_sessions(referral))
    if not form.validate_on_submit():
        return _detail(referral_id, form=form, status=400)
    try:
        message = handover.write(current_user, referral, form.body.data, form.key.data, form.slot.data or None)
    except ReferralError as error:
        return _refused(referral_id, error)
    except MessagingError as error:
        db.session.rollback()
        if error.code == "duplicate":
            return redirect(url_for(".referral", referral_id=referral_id, _anchor="latest"), code=303)
        return _detail(referral_id, message_error_text(error.code), status=400)
    message_mail.notify_resident(referral.resident, message)
    if _acting(referral) == "receiver":
        referral_mail.notify_referrer(referral)
    else:
        referral_mail.notify_receivers(referral)
    db.session.commit()
    return _done(referral_id, _("Your message is sent."))
