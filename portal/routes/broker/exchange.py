"""The broker's files: CSV export and import of programmes and sessions, and the Open Referral HSDS export."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import policy
from portal.downloads import file_download
from portal.extensions import db
from portal.forms.listings.exchange import ImportForm
from portal.models import Organisation
from portal.models.base import utcnow
from portal.routes.broker.blueprint import bp, flash_told
from portal.services.booking import places
from portal.services.booking.mail import send_notices
from portal.services.listings import csv_export, csv_format, csv_programme_import, csv_session_import, hsds
from portal.services.listings.session_planning import local_today
from portal.services.policy import STAFF


def _own_organisation_or_back() -> Organisation | None:
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
            told = send_notices(notices)
            db.session.commit()
            flash(
                _("Saved: %(created)s new, %(updated)s changed.", created=report.created, updated=report.updated), "ok"
            )
            flash_told(notices, told)
            return redirect(url_for(".index"))
    return render_template("broker/import.html", form=form, report=report)
