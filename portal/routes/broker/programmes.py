"""The broker's programmes: the dashboard, adding and changing one, its page with history, preview and status."""

from __future__ import annotations

from typing import NamedTuple

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import load_or_404, policy
from portal.day_time import day_time_formatter, long_date_formatter
from portal.extensions import db
from portal.forms.accounts import ActionForm
from portal.forms.listings.programme import SPOKEN_LANGUAGES, ProgrammeForm
from portal.labels import language_name
from portal.links import id_urls
from portal.models import Programme
from portal.programme_page import render_detail
from portal.routes.broker.blueprint import bp, settle_cancelled, shown_organisation, shown_organisation_id
from portal.services import policy as policies
from portal.services.booking import queries
from portal.services.listings import archiving, dashboard, editing, session_planning
from portal.services.listings.editing import ListingError
from portal.services.listings.session_planning import local_today
from portal.services.policy import STAFF
from portal.services.routekaarten.content import current_catalogue
from portal.services.slugs import free_slug, slugify

SLUG_CODES = frozenset({"slug_taken", "malformed_slug"})


class Results(NamedTuple):
    """Where the pager is: this page of how many."""

    page: int
    pages: int


def listing_message(code: str) -> str:
    """The translated reason why a programme could not be saved."""
    messages = {
        "slug_taken": _("This web address name is taken. Please choose another."),
        "malformed_slug": _("Use only lower-case letters, digits and dashes."),
    }
    return messages.get(code, _("This is not possible."))


def _programme_form(programme: Programme | None = None) -> ProgrammeForm:
    """The programme form with the locations its organisation may use; on GET, filled in from `programme`."""
    organisation = programme.organisation if programme else shown_organisation()
    options = {
        "language_names": {code: language_name(code) for code in SPOKEN_LANGUAGES},
        "locations": editing.usable_locations(organisation),
    }
    if programme is not None and request.method == "GET":
        return ProgrammeForm.from_data(editing.data_of(programme), **options)
    return ProgrammeForm(**options)


def _refused(form: ProgrammeForm, error: ListingError) -> None:
    """Undo the attempt and show why the service refused it: at the web address name, or above the form."""
    db.session.rollback()
    message = listing_message(error.code)
    if error.code in SLUG_CODES and "slug" in form:
        form.slug.errors.append(message)
    else:
        form.form_errors.append(message)


@bp.get("/")
@policy(STAFF)
def index():
    """The dashboard: how many programmes need checking, and a page of programmes with their coming figures."""
    today = local_today()
    organisation_id = shown_organisation_id()
    summary = dashboard.summary(organisation_id, today)
    page = min(max(request.args.get("page", 1, type=int), 1), summary.pages())
    locale = str(get_locale())
    return render_template(
        "broker/index.html",
        rows=dashboard.programme_page(organisation_id, today, page),
        results=Results(page, summary.pages()),
        coming=dashboard.next_sessions(organisation_id),
        summary=summary,
        flag_days=editing.FLAG_AFTER_DAYS,
        programme_url=id_urls(".programme", "programme_id"),
        confirm_url=id_urls(".programme_action", "programme_id", action="confirm"),
        day_time_of=day_time_formatter(locale),
        long_date_of=long_date_formatter(locale),
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
        try:
            programme = editing.create_programme(organisation, slug, form.to_data(), current_user, local_today())
        except ListingError as error:
            _refused(form, error)
        else:
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
        try:
            changes = editing.update_programme(item, form.to_data(), current_user, local_today())
        except ListingError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Saved. %(num)s changes.", num=len(changes)) if changes else _("Saved. Nothing changed."), "ok")
            return redirect(url_for(".programme", programme_id=item.id))
    return render_template("broker/programme_form.html", form=form, programme=item)


@bp.post("/programmes/<int:programme_id>/<any(publish, care_team, draft, confirm):action>")
@policy(STAFF)
def programme_action(programme_id: int, action: str):
    """Publish, publish for our care team only, back to draft, or 'still correct' (archiving asks first)."""
    item = load_or_404(Programme, programme_id, policies.may_manage_listing_item)
    if ActionForm().validate_on_submit():
        if action == "confirm":
            editing.confirm_current(item, current_user, local_today())
            flash(_("Thank you. The listing is marked as checked today."), "ok")
        else:
            status = {"publish": "published", "care_team": "care_team", "draft": "draft"}[action]
            editing.set_status(item, status, current_user, local_today())
            flash(_("The status is changed."), "ok")
        db.session.commit()
    if request.form.get("back") == "index":
        return redirect(url_for(".index"))
    return redirect(url_for(".programme", programme_id=item.id))


@bp.route("/programmes/<int:programme_id>/archive", methods=["GET", "POST"])
@policy(STAFF)
def archive_programme(programme_id: int):
    """Archive after a page that shows the bookings it cancels and the route maps that name the programme."""
    item = load_or_404(Programme, programme_id, policies.may_manage_listing_item)
    form = ActionForm()
    if item.status == "archived":
        return redirect(url_for(".programme", programme_id=item.id))
    if request.method == "POST" and form.validate_on_submit():
        cancelled = archiving.archive(item, current_user, local_today())
        flash(_("The programme is archived. %(num)s sessions cancelled.", num=len(cancelled)), "ok")
        settle_cancelled(cancelled)
        return redirect(url_for(".programme", programme_id=item.id))
    impact = archiving.impact(item, current_catalogue())
    return render_template("broker/programme_archive.html", programme=item, impact=impact, form=form)
