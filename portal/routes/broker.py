"""The beweegmakelaar's pages: their organisation's programmes, sessions and locations."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.access import load_or_404, policy
from portal.auth_session import audit_context
from portal.downloads import file_download
from portal.extensions import db
from portal.forms.accounts import ActionForm
from portal.forms.listings import (
    SPOKEN_LANGUAGES,
    ImportForm,
    LocationForm,
    ProgrammeForm,
    SessionEditForm,
    SessionPlanForm,
)
from portal.labels import language_name
from portal.models import Location, Neighbourhood, Programme, Session
from portal.models.base import utcnow
from portal.routes.programmes import render_detail
from portal.services import audit
from portal.services import policy as policies
from portal.services.booking import places, queries
from portal.services.booking.mail import send_notices
from portal.services.listings import (
    csv_export,
    csv_format,
    csv_programme_import,
    csv_session_import,
    editing,
    hsds,
    locations,
    session_planning,
)
from portal.services.listings.session_planning import PlanningError, local_today
from portal.services.neighbourhoods import default_neighbourhood
from portal.services.policy import STAFF
from portal.services.slugs import free_slug, slugify

bp = Blueprint("broker", __name__)


def _organisation():
    """The organisation whose listings the current user keeps (None: a coordinator sees all)."""
    return None if current_user.is_coordinator else current_user.organisation


def _language_names() -> dict:
    return {code: language_name(code) for code in SPOKEN_LANGUAGES}


def _programme_form(programme: Programme | None = None) -> ProgrammeForm:
    organisation = programme.organisation if programme else _organisation()
    form = ProgrammeForm(language_names=_language_names(), locations=editing.usable_locations(organisation))
    if programme is not None and request.method == "GET":
        data = editing.data_of(programme)
        form.category.data = data.category
        form.audiences.data = data.audiences
        form.languages.data = data.languages
        form.cost_euros.data = Decimal(data.cost_cents) / 100
        form.referral_required.data = data.referral_required
        form.cancel_cutoff_hours.data = data.cancel_cutoff_minutes // 60
        form.contact_name.data, form.contact_phone.data = data.contact_name, data.contact_phone
        form.contact_email.data = data.contact_email
        form.location.data = data.location_id or 0
        for locale, texts in data.texts.items():
            for name, value in texts.items():
                getattr(getattr(form, locale).form, name).data = value
        for dimension, levels in data.fits.items():
            getattr(form, dimension).data = levels
    return form


def _programme_data(form: ProgrammeForm) -> editing.ProgrammeData:
    return editing.ProgrammeData(
        category=form.category.data,
        cost_cents=int((form.cost_euros.data or 0) * 100),
        referral_required=form.referral_required.data,
        cancel_cutoff_minutes=60 * (2 if form.cancel_cutoff_hours.data is None else form.cancel_cutoff_hours.data),
        contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "",
        contact_email=form.contact_email.data or "",
        location_id=form.location.data or None,
        audiences=form.audiences.data or [],
        languages=form.languages.data or [],
        texts={locale: dict(getattr(form, locale).data) for locale in ("nl", "en", "tr", "ar")},
        fits={dimension: getattr(form, dimension).data or [] for dimension in editing.FIT_DIMENSIONS},
    )


@bp.get("/")
@policy(STAFF)
def index():
    """The dashboard: programmes with status, next session, bookings and whether they need checking."""
    today = local_today()
    return render_template(
        "broker/index.html",
        rows=editing.dashboard(_organisation(), today),
        organisation=_organisation(),
        action=ActionForm(),
        flag_days=editing.FLAG_AFTER_DAYS,
    )


@bp.route("/programmes/new", methods=["GET", "POST"])
@policy(STAFF)
def new_programme():
    """Add a programme as a draft."""
    organisation = current_user.organisation
    if organisation is None:
        flash(_("Your account belongs to no organisation, so you cannot add programmes."), "error")
        return redirect(url_for(".index"))
    form = _programme_form()
    if form.validate_on_submit():
        slug = form.slug.data or free_slug(Programme, slugify(form.nl.form.title.data))
        if db.session.scalar(db.select(Programme.id).where(Programme.slug == slug)) is not None:
            form.slug.errors.append(_("This web address name is taken. Please choose another."))
        else:
            programme = editing.create_programme(organisation, slug, _programme_data(form), current_user, local_today())
            db.session.commit()
            flash(_("The programme is saved as a draft. Add sessions, then publish it."), "ok")
            return redirect(url_for(".programme", programme_id=programme.id))
    return render_template("broker/programme_form.html", form=form, programme=None)


@bp.get("/programmes/<int:programme_id>")
@policy(STAFF)
def programme(programme_id: int):
    """One programme: status, sessions, and who changed what."""
    item = load_or_404(Programme, programme_id, policies.may_manage_listing_item)
    sessions = session_planning.sessions_of(item)
    return render_template(
        "broker/programme.html",
        programme=item,
        sessions=sessions,
        waiting=queries.waitlist_counts([session.id for session in sessions]),
        show_participants=current_user.organisation_id == item.organisation_id,
        history=editing.history(item),
        needs_check=editing.needs_check(item, local_today()),
        action=ActionForm(),
    )


@bp.get("/programmes/<int:programme_id>/preview")
@policy(STAFF)
def preview(programme_id: int):
    """The public page as residents will see it, also for a draft."""
    return render_detail(load_or_404(Programme, programme_id, policies.may_manage_listing_item), preview=True)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@policy(STAFF)
def edit_programme(programme_id: int):
    """Change a programme; every changed field goes into the history."""
    item = load_or_404(Programme, programme_id, policies.may_manage_listing_item)
    form = _programme_form(item)
    del form.slug
    if form.validate_on_submit():
        changes = editing.update_programme(item, _programme_data(form), current_user, local_today())
        db.session.commit()
        flash(_("Saved. %(num)s changes.", num=len(changes)) if changes else _("Saved. Nothing changed."), "ok")
        return redirect(url_for(".programme", programme_id=item.id))
    return render_template("broker/programme_form.html", form=form, programme=item)


@bp.post("/programmes/<int:programme_id>/<any(publish, archive, draft, confirm):action>")
@policy(STAFF)
def programme_action(programme_id: int, action: str):
    """Publish, archive, back to draft, or 'still correct'."""
    item = load_or_404(Programme, programme_id, policies.may_manage_listing_item)
    if ActionForm().validate_on_submit():
        if action == "confirm":
            editing.confirm_current(item, current_user, local_today())
            flash(_("Thank you. The listing is marked as checked today."), "ok")
        else:
            status = {"publish": "published", "archive": "archived", "draft": "draft"}[action]
            editing.set_status(item, status, current_user, local_today())
            flash(_("The status is changed."), "ok")
        db.session.commit()
    if request.form.get("back") == "index":
        return redirect(url_for(".index"))
    return redirect(url_for(".programme", programme_id=item.id))


def _skip_dates(text: str) -> tuple[frozenset[date], list[str]]:
    dates, bad = set(), []
    for part in (text or "").replace(",", "\n").split():
        try:
            dates.add(date.fromisoformat(part.strip()))
        except ValueError:
            bad.append(part[:20])
    return frozenset(dates), bad


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
        skip, bad = _skip_dates(form.skip.data)
        if bad:
            form.skip.errors.append(_("These are not dates like 2026-12-29: %(dates)s", dates=", ".join(bad)))
        else:
            plan = session_planning.SessionPlan(
                first_day=form.first_day.data,
                start=form.start.data,
                duration_minutes=form.duration_minutes.data,
                capacity=form.capacity.data,
                weeks=form.weeks.data,
                skip=skip,
                until=form.until.data,
            )
            try:
                sessions = session_planning.plan(item, plan, current_user)
            except PlanningError as error:
                db.session.rollback()
                form.form_errors.append(planning_message(error.code))
            else:
                db.session.commit()
                flash(_("%(num)s sessions planned.", num=len(sessions)), "ok")
                return redirect(url_for(".programme", programme_id=item.id))
    return render_template("broker/sessions_new.html", form=form, programme=item)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@policy(STAFF)
def edit_session(session_id: int):
    """Move a session or change its places; in a series, also all later ones."""
    item = load_or_404(Session, session_id, policies.may_manage_listing_item)
    form = SessionEditForm()
    if request.method == "GET":
        start, end = item.starts_at.astimezone(session_planning.LOCAL), item.ends_at.astimezone(session_planning.LOCAL)
        form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
        form.capacity.data = item.capacity
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
            db.session.commit()
            send_notices(notices)
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
        notices = places.settle_changed_sessions(cancelled=cancelled)
        db.session.commit()
        told = send_notices(notices)
        flash(_("%(num)s sessions cancelled.", num=len(cancelled)), "ok")
        _flash_told(notices, told)
    return redirect(url_for(".programme", programme_id=item.programme_id))


def _flash_told(notices: places.SessionNotices, told: int) -> None:
    """Say how many residents were mailed that their place was cancelled."""
    if notices.cancelled:
        flash(
            ngettext("%(num)s resident has been told by email.", "%(num)s residents have been told by email.", told),
            "ok",
        )


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


@bp.get("/locations")
@policy(STAFF)
def location_list():
    """The organisation's locations."""
    organisation = _organisation()
    locations = editing.usable_locations(organisation)
    return render_template("broker/locations.html", locations=locations, organisation=organisation)


def _location_data(form: LocationForm) -> locations.LocationData:
    return locations.LocationData(
        name=form.name.data,
        street=form.street.data,
        house_number=form.house_number.data,
        postcode=form.postcode.data,
        city=form.city.data,
        latitude=float(form.latitude.data),
        longitude=float(form.longitude.data),
        wheelchair_accessible=form.wheelchair_accessible.data,
        accessibility_note=form.accessibility_note.data or "",
    )


def _check_location(form: LocationForm) -> bool:
    ok = True
    if locations.normalise_postcode(form.postcode.data or "") is None:
        form.postcode.errors.append(_("Please fill in a postcode like 3564 AB."))
        ok = False
    point = (form.latitude.data, form.longitude.data)
    if None not in point and not locations.in_netherlands(float(point[0]), float(point[1])):
        form.latitude.errors.append(_("This point is not in the Netherlands. Please click on the map."))
        ok = False
    return ok


def _map_settings(latitude=None, longitude=None) -> dict:
    hood = default_neighbourhood(current_app.config["PORTAL_NEIGHBOURHOOD"])
    return {
        "tile_url": current_app.config["PORTAL_TILE_URL"],
        "attribution": current_app.config["PORTAL_TILE_ATTRIBUTION"],
        "center": (latitude or (hood.latitude if hood else 52.09), longitude or (hood.longitude if hood else 5.12)),
    }


@bp.route("/locations/new", methods=["GET", "POST"])
@policy(STAFF)
def new_location():
    """Add a location; coordinates by clicking on the map or typed."""
    organisation = current_user.organisation
    if organisation is None:
        flash(_("Your account belongs to no organisation, so you cannot add locations."), "error")
        return redirect(url_for(".location_list"))
    form = LocationForm()
    if form.validate_on_submit() and _check_location(form):
        hood = default_neighbourhood(current_app.config["PORTAL_NEIGHBOURHOOD"]) or db.session.scalar(
            db.select(Neighbourhood).limit(1)
        )
        locations.create_location(organisation, hood, _location_data(form))
        db.session.commit()
        flash(_("The location is saved."), "ok")
        return redirect(url_for(".location_list"))
    return render_template("broker/location_form.html", form=form, location=None, map=_map_settings())


@bp.route("/locations/<int:location_id>/edit", methods=["GET", "POST"])
@policy(STAFF)
def edit_location(location_id: int):
    """Change a location of the organisation."""
    item = load_or_404(Location, location_id, policies.may_manage_listing_item)
    form = LocationForm(obj=item) if request.method == "GET" else LocationForm()
    if request.method == "GET":
        form.accessibility_note.data = (item.accessibility or {}).get("nl", "")
    if form.validate_on_submit() and _check_location(form):
        locations.update_location(item, _location_data(form))
        db.session.commit()
        flash(_("The location is saved."), "ok")
        return redirect(url_for(".location_list"))
    return render_template(
        "broker/location_form.html", form=form, location=item, map=_map_settings(item.latitude, item.longitude)
    )


def _own_organisation_or_back():
    organisation = current_user.organisation
    if organisation is None:
        flash(_("Your account belongs to no organisation."), "error")
    return organisation


@bp.get("/export/<any(programmes, sessions):kind>.csv")
@policy(STAFF)
def export_csv(kind: str):
    """Download the organisation's programmes or sessions as CSV (safe to open in a spreadsheet)."""
    organisation = _own_organisation_or_back()
    if organisation is None:
        return redirect(url_for(".index"))
    body = (csv_export.export_programmes if kind == "programmes" else csv_export.export_sessions)(organisation)
    return file_download(body, "text/csv", f"{organisation.slug}-{kind}.csv")


@bp.get("/export/hsds.json")
@policy(STAFF)
def export_hsds():
    """Download the organisation's published listings as Open Referral HSDS 3 JSON."""
    organisation = _own_organisation_or_back()
    if organisation is None:
        return redirect(url_for(".index"))
    document = hsds.export_organisation(organisation, base_url=request.host_url.rstrip("/"))
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return file_download(body, "application/json", f"{organisation.slug}-hsds.json")


@bp.route("/import", methods=["GET", "POST"])
@policy(STAFF)
def import_csv():
    """Upload programmes or sessions as CSV: all rows are saved, or none, with a list of problems."""
    organisation = _own_organisation_or_back()
    if organisation is None:
        return redirect(url_for(".index"))
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        data = form.file.data.read(csv_format.MAX_BYTES + 1)
        if form.kind.data == "programmes":
            report = csv_programme_import.import_programmes(organisation, data, today=local_today(), user=current_user)
        else:
            report = csv_session_import.import_sessions(organisation, data, now=utcnow(), user=current_user)
        if report.problems:
            db.session.rollback()
        else:
            notices = places.settle_changed_sessions(report.cancelled, report.changed, report.moved)
            db.session.commit()
            told = send_notices(notices)
            flash(
                _("Saved: %(created)s new, %(updated)s changed.", created=report.created, updated=report.updated), "ok"
            )
            _flash_told(notices, told)
            return redirect(url_for(".index"))
    return render_template("broker/import.html", form=form, report=report)
