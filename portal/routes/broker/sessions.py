"""The broker's sessions: planning one or a weekly series, moving, cancelling, and who booked."""

from __future__ import annotations

from babel.lists import format_list
from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import load_or_404, policy
from portal.auth_session import audit_context
from portal.extensions import db
from portal.forms.accounts import ActionForm
from portal.forms.listings.sessions import SessionEditForm, SessionPlanForm
from portal.models import Programme, Session
from portal.routes.broker.blueprint import bp, settle_cancelled
from portal.services import audit
from portal.services import policy as policies
from portal.services.booking import places, queries
from portal.services.booking.mail import send_notices
from portal.services.listings import session_planning
from portal.services.listings.session_planning import PlanningError
from portal.services.policy import STAFF


def holiday_list(holidays) -> str:
    """Skipped holidays as a list in the reader's language: "25 December (Christmas Day) and 1 January (...)"."""
    locale = get_locale()
    days = [f"{format_date(day, 'd MMMM yyyy')} ({name})" for day, name in sorted(holidays.items())]
    return format_list(days, locale=locale)


def planning_message(code: str) -> str:
    """The translated reason why sessions could not be planned or changed."""
    messages = {
        "capacity": _("Places must be a number from 1 to 500."),
        "capacity_below_booked": _("There are more bookings than places. Please choose more places."),
        "weeks": _("Choose from 1 to 52 weeks."),
        "duration": _("A session lasts from 5 minutes to 12 hours."),
        "nothing_left": _("All dates are skipped, so there is nothing to plan."),
        "past": _("This time has passed. Please choose a time in the future."),
        "end_before_start": _("The end time must be after the start time."),
        "window": _("The appointments do not fit between the start and end time. Please choose a later end time."),
        "too_many_slots": _("That is more than 48 appointments a day. Please choose longer appointments."),
    }
    return messages.get(code, _("This is not possible."))


@bp.route("/programmes/<int:programme_id>/sessions/new", methods=["GET", "POST"])
@policy(STAFF)
def new_sessions(programme_id: int):
    """Plan one session or a weekly series."""
    item = load_or_404(Programme, programme_id, policies.may_manage_listing_item)
    form = SessionPlanForm()
    if form.validate_on_submit():
        plan = form.to_plan()
        try:
            sessions = session_planning.plan(item, plan, current_user)
        except PlanningError as error:
            db.session.rollback()
            form.form_errors.append(planning_message(error.code))
        else:
            db.session.commit()
            flash(_("%(num)s sessions planned.", num=len(sessions)), "ok")
            skipped = session_planning.skipped_holidays(plan, get_locale().language)
            if skipped:
                flash(_("Skipped public holidays: %(days)s.", days=holiday_list(skipped)), "ok")
            return redirect(url_for(".programme", programme_id=item.id))
    return render_template("broker/sessions_new.html", form=form, programme=item)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@policy(STAFF)
def edit_session(session_id: int):
    """Move a session or change its places; in a series, also all later ones."""
    item = load_or_404(Session, session_id, policies.may_manage_listing_item)
    form = SessionEditForm.from_session(item) if request.method == "GET" else SessionEditForm()
    if form.validate_on_submit():
        new_times = (form.day.data, form.start.data, form.end.data, form.capacity.data, current_user)
        try:
            if form.scope.data == "rest" and item.series_id:
                changed, moved = session_planning.change_rest_of_series(item, *new_times)
            else:
                changed = [item]
                moved = [item] if session_planning.change(item, *new_times) else []
        except PlanningError as error:
            db.session.rollback()
            form.form_errors.append(planning_message(error.code))
        else:
            notices = places.settle_changed_sessions(changed=changed, moved=moved)
            send_notices(notices)
            db.session.commit()
            flash(ngettext("%(num)s session changed.", "%(num)s sessions changed.", len(changed)), "ok")
            return redirect(url_for(".programme", programme_id=item.programme_id))
    return render_template("broker/session_edit.html", form=form, session=item)


@bp.route("/sessions/<int:session_id>/<any(cancel, 'cancel-rest'):action>", methods=["GET", "POST"])
@policy(STAFF)
def cancel_session(session_id: int, action: str):
    """Cancel one session, or it and the rest of its series, after a page that shows whom it affects."""
    item = load_or_404(Session, session_id, policies.may_manage_listing_item)
    rest = action == "cancel-rest"
    form = ActionForm()
    if request.method == "GET":
        sessions = session_planning.to_cancel(item, rest)
        waiting = queries.waitlist_counts([session.id for session in sessions])
        return render_template(
            "broker/session_cancel.html", session=item, sessions=sessions, waiting=waiting, action=action, form=form
        )
    if form.validate_on_submit():
        cancelled = session_planning.cancel(item, current_user, rest=rest)
        flash(_("%(num)s sessions cancelled.", num=len(cancelled)), "ok")
        settle_cancelled(cancelled)
    return redirect(url_for(".programme", programme_id=item.programme_id))


@bp.get("/sessions/<int:session_id>/participants")
@policy(STAFF, personal_data=True)
def participants(session_id: int):
    """Who booked a session: only for the organising organisation, and every look is audit-logged."""
    item = load_or_404(Session, session_id, policies.may_see_participants)
    rows = queries.participants(item)
    for booking in rows:
        audit.record(
            current_user, "read", "booking", context=audit_context(), object_id=booking.id, subject=booking.user_id
        )
    if not rows:
        audit.record(current_user, "read", "session_participants", context=audit_context(), object_id=item.id)
    db.session.commit()
    return render_template("broker/participants.html", session=item, rows=rows)
