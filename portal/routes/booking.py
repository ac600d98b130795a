"""A resident's bookings: book a place or join the waiting list, see, download and cancel, the calendar feed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import load_or_404, policy
from portal.day_time import day_time_formatter
from portal.downloads import file_download
from portal.extensions import db, limiter
from portal.forms.accounts import ActionForm
from portal.forms.booking import BookingForm
from portal.i18n import current_language
from portal.links import id_urls
from portal.models import Booking, Session
from portal.services import policy as policies
from portal.services.booking import calendar_feeds, my_bookings, places, queries
from portal.services.booking.calendar_ics import booking_calendar
from portal.services.booking.mail import booking_url, send_all, send_booking_mail
from portal.services.booking.places import BookingError
from portal.services.policy import RESIDENT
from portal.translation import lazy_gettext as _l

bp = Blueprint("booking", __name__)
MAX_PAGE = 10_000  # a larger page number would only ask the database for an offset past any resident's bookings

MESSAGES = {
    "cancelled": _l("This session is cancelled. Please choose another date."),
    "past": _l("This session has already started or is over. Please choose another date."),
    "bad_key": _l("Something went wrong with the form. Please try again."),
    "too_late": _l("It is too late to cancel here. Please call or email the organiser."),
    "already_cancelled": _l("This booking is already cancelled."),
}


def _user_key() -> str:
    return f"booking:{current_user.get_id()}"


def _unavailable(session: Session, code: str):
    """The page for a session that cannot be booked (cancelled or over): 409, with a way back."""
    return render_template("booking/unavailable.html", session=session, message=MESSAGES[code]), 409


def _page_number(name: str, default: int) -> int:
    """The page number in the query string `name`, kept within 0 and MAX_PAGE; `default` when none or malformed."""
    return min(max(request.args.get(name, default, type=int), 0), MAX_PAGE)


@bp.get("")
@policy(RESIDENT)
def index():
    """Mijn afspraken: coming bookings (paged), the latest past ones or all of them (paged), the calendar feed."""
    past_page = _page_number("past", 0)
    shown = my_bookings.appointments(current_user, current_language(), _page_number("page", 1), past_page)
    return render_template(
        "booking/index.html",
        upcoming=shown.coming,
        past=shown.past,
        past_paged=past_page > 0,
        has_feed=shown.has_feed,
        detail_url=id_urls("booking.detail", "booking_id"),
        day_time_of=day_time_formatter(str(get_locale())),
    )


@bp.route("/book/<int:session_id>", methods=["GET", "POST"])
@policy(RESIDENT)
@limiter.limit("30 per minute; 200 per day", key_func=_user_key, methods=["POST"])
def book(session_id: int):
    """Confirm and book a place (or a place on the waiting list) in one session."""
    session = db.session.get(Session, session_id)
    reason = places.why_not_bookable(session, user=current_user)
    if reason == "not_found":
        abort(404)
    existing = queries.active_booking(current_user, session_id)
    if existing is not None:
        flash(_("You have already booked this session."), "info")
        return redirect(url_for(".detail", booking_id=existing.id), code=303)
    if reason:
        return _unavailable(session, reason)
    form = BookingForm()
    if form.validate_on_submit():
        try:
            result = places.book(current_user, session_id, form.key.data)
        except BookingError as error:
            db.session.rollback()
            if error.code in ("cancelled", "past"):
                return _unavailable(session, error.code)
            abort(404)
        if result.created:
            confirmed = result.booking.status == "confirmed"
            send_booking_mail(result.booking, "booking_confirmed" if confirmed else "booking_waitlisted")
            flash(_("We have sent you an email with the details."), "ok")
        db.session.commit()
        return redirect(url_for(".detail", booking_id=result.booking.id), code=303)
    problem = MESSAGES["bad_key"] if form.is_submitted() else None
    form.new_key()
    return render_template(
        "booking/book.html",
        form=form,
        problem=problem,
        session=session,
        deadline=places.cancel_deadline(session),
        overlaps=queries.overlapping(current_user, session),
        waiting=queries.waitlist_counts([session.id]).get(session.id, 0),
    ), 400 if problem else 200


@bp.get("/<int:booking_id>")
@policy(RESIDENT)
def detail(booking_id: int):
    """One booking: when and where, its status, and cancelling it."""
    booking = load_or_404(Booking, booking_id, policies.may_see_booking)
    return render_template(
        "booking/detail.html",
        booking=booking,
        may_cancel=places.may_cancel(booking),
        deadline=places.cancel_deadline(booking.session),
        position=queries.queue_position(booking) if booking.status == "waitlisted" else None,
        action=ActionForm(),
    )


@bp.get("/<int:booking_id>/afspraak.ics")
@policy(RESIDENT)
def download(booking_id: int):
    """The booking as an iCalendar file, to add it to a calendar."""
    booking = load_or_404(Booking, booking_id, policies.may_see_booking)
    lang = current_language()
    method = "CANCEL" if booking.status == "cancelled" else "PUBLISH"
    body = booking_calendar(booking, lang, booking_url(booking, lang), method=method)
    return file_download(body, "text/calendar", f"afspraak-{booking.id}.ics")


@bp.post("/<int:booking_id>/cancel")
@policy(RESIDENT)
def cancel(booking_id: int):
    """Cancel a booking; a freed place goes to the first on the waiting list."""
    booking = load_or_404(Booking, booking_id, policies.may_see_booking)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        cancellation = places.cancel(booking, by="resident")
    except BookingError as error:
        db.session.rollback()
        flash(str(MESSAGES[error.code]), "error")
        return redirect(url_for(".detail", booking_id=booking_id), code=303)
    send_booking_mail(cancellation.booking, "booking_cancelled")
    send_all(cancellation.promoted, "booking_promoted")
    db.session.commit()
    flash(_("Your booking is cancelled."), "ok")
    return redirect(url_for(".index"), code=303)


@bp.post("/calendar-feed")
@policy(RESIDENT)
def new_feed():
    """Make a (new) secret calendar address; an older one stops working. Shown once."""
    if not ActionForm().validate_on_submit():
        abort(400)
    token = calendar_feeds.new_feed(current_user)
    db.session.commit()
    feed_url = url_for("api.calendar_feed", token=token, _external=True)
    return render_template("booking/feed.html", feed_url=feed_url)


@bp.post("/calendar-feed/stop")
@policy(RESIDENT)
def stop_feed():
    """Stop the calendar address: calendar apps get nothing from it any more."""
    if not ActionForm().validate_on_submit():
        abort(400)
    calendar_feeds.stop_feed(current_user)
    db.session.commit()
    flash(_("The calendar address is stopped."), "ok")
    return redirect(url_for(".index"), code=303)
