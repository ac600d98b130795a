"""A resident's referrals: who referred them to what and why, the status in plain words, agreeing or declining,
the handover thread, booking the session the team offers, and answering "how is it going?"."""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from portal.access import load_or_404, policy
from portal.extensions import db, limiter
from portal.forms.referrals import BookOfferForm, DeclineForm, FollowUpForm, HandoverMessageForm, VersionForm
from portal.i18n import current_language
from portal.messaging_errors import error_text as message_error_text
from portal.models import Referral
from portal.referral_labels import ERRORS, error_text
from portal.services import policy as policies
from portal.services.booking.mail import send_booking_mail
from portal.services.booking.places import BookingError
from portal.services.messaging import queries as thread_queries
from portal.services.messaging import threads
from portal.services.messaging.away import read_auto_reply
from portal.services.messaging.threads import MessagingError
from portal.services.policy import RESIDENT
from portal.services.referrals import changes, followup, handover, queries
from portal.services.referrals import mail as referral_mail
from portal.services.referrals.referrals import ReferralError, agree
from portal.services.referrals.statuses import OPEN

bp = Blueprint("referrals", __name__)


def _user_key() -> str:
    return f"my-referrals:{current_user.get_id()}"


@bp.get("")
@policy(RESIDENT)
def index():
    """My referrals: who referred me, to what, and how it stands."""
    return render_template("referrals/index.html", referrals=queries.of_resident(current_user))


def _follow_up(referral: Referral, form: FollowUpForm | None) -> dict:
    """What the follow-up partial needs: whether to show it, the open question, the last answer and the form."""
    form = form or FollowUpForm(formdata=None)
    form.new_key()
    return {
        "follow_up_asked": referral.follow_up_asked_at is not None and referral.status != "entered-in-error",
        "follow_up_open": followup.open_question(referral),
        "follow_up_last": followup.latest_answer(referral),
        "follow_up_form": form,
    }


def _page(referral: Referral, problem: str | None = None, form=None, status: int = 200, follow_up_form=None):
    if referral.thread is not None:
        threads.mark_read(current_user, referral.thread)
    db.session.commit()
    form = form or HandoverMessageForm()
    form.new_key()
    return render_template(
        "referrals/detail.html",
        referral=referral,
        booked=queries.booked_session(referral, current_language()),
        history=queries.history(referral),
        views=thread_queries.messages_of(referral.thread, current_user) if referral.thread else [],
        version_form=VersionForm(formdata=None, version=referral.version),
        decline_form=DeclineForm(formdata=None, version=referral.version),
        may_decline=referral.status in OPEN or referral.status == "draft",
        form=form,
        problem=problem,
        auto_reply=read_auto_reply,
        offer_key=secrets.token_urlsafe(16),
        new_check_url=url_for("health_check.new", lang=current_language()) if referral.status == "completed" else None,
        **_follow_up(referral, follow_up_form),
    ), status


def _load(referral_id: int) -> Referral:
    return load_or_404(Referral, referral_id, policies.may_see_referral)


@bp.get("/<int:referral_id>")
@policy(RESIDENT)
def detail(referral_id: int):
    """One of my referrals: the note, the status, what happened, and the conversation with both teams."""
    return _page(_load(referral_id))


def _refused(referral_id: int, code: str, status: int = 400):
    db.session.rollback()
    return _page(_load(referral_id), error_text(code), status=409 if code == "stale" else status)


@bp.post("/<int:referral_id>/agree")
@policy(RESIDENT)
def agree_to(referral_id: int):
    """I agree with the referral: it goes to the team."""
    referral = _load(referral_id)
    form = VersionForm()
    if not form.validate_on_submit():
        return _page(referral, str(ERRORS["stale"]), status=400)
    try:
        agree(current_user, referral, form.version.data)
    except ReferralError as error:
        return _refused(referral_id, error.code)
    referral_mail.notify_referrer(referral)
    referral_mail.notify_receivers(referral)
    db.session.commit()
    flash(_("Thank you. The referral is sent to the team."), "ok")
    return redirect(url_for(".detail", referral_id=referral_id), code=303)


@bp.post("/<int:referral_id>/decline")
@policy(RESIDENT)
def decline(referral_id: int):
    """I do not want this referral (any more): it stops, and my care provider hears of it."""
    referral = _load(referral_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _page(referral, str(ERRORS["bad_reason"]), status=400)
    try:
        changes.change_status(current_user, referral, "cancelled", form.version.data, form.reason.data, form.note.data)
    except ReferralError as error:
        return _refused(referral_id, error.code)
    referral_mail.notify_referrer(referral)
    if referral.thread_id is not None:
        referral_mail.notify_receivers(referral)
    db.session.commit()
    flash(_("The referral is stopped. Your care provider will hear of it."), "ok")
    return redirect(url_for(".detail", referral_id=referral_id), code=303)


@bp.post("/<int:referral_id>/write")
@policy(RESIDENT)
@limiter.limit("60 per hour; 200 per day", key_func=_user_key)
def write(referral_id: int):
    """Ask a question or answer in the conversation with both teams."""
    referral = _load(referral_id)
    form = HandoverMessageForm()
    form.slot.choices = [SelectChoice(0, "")]
    if not form.validate_on_submit():
        return _page(referral, form=form, status=400)
    try:
        handover.write(current_user, referral, form.body.data, form.key.data)
    except ReferralError as error:
        return _refused(referral_id, error.code)
    except MessagingError as error:
        db.session.rollback()
        if error.code == "duplicate":
            return redirect(url_for(".detail", referral_id=referral_id, _anchor="latest"), code=303)
        return _page(_load(referral_id), message_error_text(error.code), status=400)
    referral_mail.notify_receivers(referral)
    referral_mail.notify_referrer(referral)
    db.session.commit()
    flash(_("Your message is sent."), "ok")
    return redirect(url_for(".detail", referral_id=referral_id, _anchor="latest"), code=303)


@bp.post("/<int:referral_id>/book")
@policy(RESIDENT)
@limiter.limit("30 per hour", key_func=_user_key)
def book(referral_id: int):
    """Book the session the team offered in the conversation, with one click; it is linked to the referral."""
    referral = _load(referral_id)
    form = BookOfferForm()
    if not form.validate_on_submit():
        return _page(referral, error_text("bad_slot"), status=400)
    try:
        result = handover.book_offered(current_user, referral, form.message.data, form.key.data)
    except ReferralError as error:
        return _refused(referral_id, error.code)
    except BookingError:
        db.session.rollback()
        return _page(_load(referral_id), error_text("bad_slot"), status=409)
    if result.created:
        confirmed = result.booking.status == "confirmed"
        send_booking_mail(result.booking, "booking_confirmed" if confirmed else "booking_waitlisted")
    referral_mail.notify_receivers(referral)
    referral_mail.notify_referrer(referral)
    db.session.commit()
    flash(_("You have booked the session."), "ok")
    return redirect(url_for("booking.detail", booking_id=result.booking.id), code=303)


@bp.post("/<int:referral_id>/follow-up")
@policy(RESIDENT)
@limiter.limit("30 per hour", key_func=_user_key)
def follow_up(referral_id: int):
    """My answer to "how is it going?": am I going, does it help, and a note; my care provider hears of it."""
    referral = _load(referral_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        code = "note_too_long" if form.note.errors else "bad_answer"
        return _page(referral, error_text(code), status=400, follow_up_form=form)
    if followup.answer_with_key(referral, form.key.data) is None:  # a retried POST stores and mails once
        try:
            followup.record_answer(
                current_user, referral, form.going.data, form.helps.data, form.note.data, form.key.data
            )
        except ReferralError as error:
            return _refused(referral_id, error.code)
        referral_mail.notify_referrer(referral)
        db.session.commit()
    flash(_("Thank you. Your care provider will see your answer."), "ok")
    return redirect(url_for(".detail", referral_id=referral_id, _anchor="follow-up"), code=303)
