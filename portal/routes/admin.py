"""The coordinator's pages: invitations of staff, accounts and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from portal.access import load_or_404, policy
from portal.auth_session import audit_context
from portal.downloads import file_download
from portal.extensions import db
from portal.forms.accounts import ActionForm
from portal.forms.admin import AccountSearchForm, AuditSearchForm, InviteForm
from portal.i18n import current_language
from portal.models import Invitation, Organisation, User
from portal.services import audit, audit_lookup
from portal.services import policy as policies
from portal.services.accounts import invitations as staff_invitations
from portal.services.accounts import mail as account_mail
from portal.services.accounts import management
from portal.services.policy import COORDINATOR
from portal.services.social_map.filters import parse_page

bp = Blueprint("admin", __name__)


@bp.get("/")
@policy(COORDINATOR)
def index():
    """What a coordinator can do here."""
    return render_template("admin/index.html")


@bp.route("/invitations", methods=["GET", "POST"])
@policy(COORDINATOR)
def invitations():
    """Invite a professional, beweegmakelaar or coordinator, and see the open invitations."""
    form = InviteForm()
    if request.method == "GET":
        form.language.data = current_language()
    form.organisation.choices = [
        SelectChoice(org.id, org.name) for org in db.session.scalars(select(Organisation).order_by(Organisation.name))
    ]
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data)
        invitation, token = staff_invitations.invite(
            current_app.config["SECRET_KEY"], current_user, form.email.data, form.role.data, organisation
        )
        queued = account_mail.send_invitation(invitation, token, form.language.data)
        audit.record(
            current_user,
            "create",
            "invitation",
            context=audit_context(),
            object_id=invitation.id,
            details=form.role.data,
        )
        db.session.commit()
        if queued:
            flash(_("The invitation has been sent to %(email)s.", email=invitation.email), "ok")
        else:
            flash(_("The invitation was saved, but the email could not be sent. Please try again later."), "error")
        return redirect(url_for(".invitations"))
    return render_template(
        "admin/invitations.html", form=form, invitations=staff_invitations.pending_invitations(), action=ActionForm()
    )


@bp.post("/invitations/<int:invitation_id>/revoke")
@policy(COORDINATOR)
def revoke_invitation(invitation_id: int):
    """Make an invitation link stop working."""
    invitation = load_or_404(Invitation, invitation_id, policies.may_manage_invitation)
    if ActionForm().validate_on_submit():
        staff_invitations.revoke_invitation(invitation)
        audit.record(current_user, "delete", "invitation", context=audit_context(), object_id=invitation.id)
        db.session.commit()
        flash(_("The invitation has been withdrawn."), "ok")
    return redirect(url_for(".invitations"))


@bp.get("/accounts")
@policy(COORDINATOR, personal_data=True)
def account_search():
    """Find an account by name or email; every account shown is written to the audit log."""
    form = AccountSearchForm(request.args)
    results = management.find_accounts(form.q.data) if form.validate() and form.q.data else []
    for account in results:
        audit.record(current_user, "search", "account", context=audit_context(), object_id=account.id, subject=account)
    db.session.commit()
    return render_template(
        "admin/accounts.html",
        form=form,
        results=results,
        staff=management.staff_accounts() if not form.q.data else [],
    )


@bp.get("/accounts/<int:account_id>")
@policy(COORDINATOR, personal_data=True)
def account(account_id: int):
    """One account's details; the look is written to the audit log."""
    account = load_or_404(User, account_id, policies.may_manage_account)
    audit.record(current_user, "read", "account", context=audit_context(), object_id=account.id, subject=account)
    db.session.commit()
    return render_template("admin/account.html", account=account, action=ActionForm())


_ACCOUNT_ACTIONS = {
    "deactivate": (management.deactivate, "deactivated"),
    "reactivate": (management.reactivate, "reactivated"),
    "reset-second-factor": (management.reset_second_factor, "second factor reset"),
}


@bp.post("/accounts/<int:account_id>/<any(deactivate, reactivate, 'reset-second-factor'):change>")
@policy(COORDINATOR, personal_data=True)
def account_change(account_id: int, change: str):
    """Deactivate, reactivate, or reset the second factor of an account; written to the audit log."""
    account = load_or_404(User, account_id, policies.may_manage_account)
    if ActionForm().validate_on_submit():
        apply, details = _ACCOUNT_ACTIONS[change]
        apply(account)
        audit.record(
            current_user,
            "change",
            "account",
            context=audit_context(),
            object_id=account.id,
            subject=account,
            details=details,
        )
        db.session.commit()
        flash(_("The change is saved."), "ok")
    return redirect(url_for(".account", account_id=account.id))


def _audit_query(form: AuditSearchForm) -> audit.AuditQuery:
    def moment(day, extra_days=0):
        if day is None:
            return None
        return datetime.combine(day + timedelta(days=extra_days), time(), tzinfo=UTC)

    return audit.AuditQuery(
        actor_user_id=form.actor.data,
        subject_user_id=form.subject.data,
        action=form.action.data or None,
        since=moment(form.since.data),
        until=moment(form.until.data, 1),
    )


@bp.get("/audit")
@policy(COORDINATOR, personal_data=True)
def audit_log():
    """Search the audit log; reading it is itself written to the log."""
    form = AuditSearchForm(request.args)
    valid = form.validate()
    query = _audit_query(form) if valid else audit.AuditQuery()
    page = audit.search(query, parse_page(request.args.get("page")))
    audit.record(
        current_user,
        "search",
        "audit_log",
        context=audit_context(),
        subject=query.subject_user_id,
        details=f"page {page.page}",
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    known = audit_lookup.people(page.events)
    words = audit_lookup.objects(page.events, current_language(), known)
    html = render_template("admin/audit.html", form=form, page=page, args=args, people=known, words=words)
    db.session.commit()  # after rendering: a commit expires the records, which would then load one by one
    return html


@bp.get("/audit.csv")
@policy(COORDINATOR, personal_data=True)
def audit_export():
    """Download the matching part of the audit log as CSV; the download is written to the log."""
    form = AuditSearchForm(request.args)
    if not form.validate():
        abort(400)
    query = _audit_query(form)
    audit.record(current_user, "export", "audit_log", context=audit_context(), subject=query.subject_user_id)
    db.session.commit()
    body = audit.export_csv(query)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return file_download(body, "text/csv", f"wijkportaal-audit-{stamp}.csv")
