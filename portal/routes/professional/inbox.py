"""The team inbox: boxes, one thread with its log, answering, claiming, handing over, closing, reopening, consulting."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import load_or_404, policy
from portal.day_time import date_texts
from portal.extensions import db, limiter
from portal.forms.messaging import ConsultationForm, HandOverForm, TeamReplyForm, ThreadActionForm
from portal.i18n import current_language
from portal.links import id_urls
from portal.message_uploads import attachment_download, checked_uploads
from portal.messaging_errors import error_text
from portal.models import Organisation, Thread, User
from portal.routes.professional.blueprint import audit_read, bp, colleagues
from portal.services import policy as policies
from portal.services.messaging import attachments, consultations, queries, slots, threads
from portal.services.messaging import inbox as team_inbox
from portal.services.messaging import mail as message_mail
from portal.services.messaging.away import read_auto_reply
from portal.services.messaging.files import AttachmentError
from portal.services.messaging.threads import MessagingError
from portal.services.policy import CARE
from portal.services.referrals import queries as referral_queries
from portal.template_helpers import format_day_time


def _user_key() -> str:
    return f"professional:{current_user.get_id()}"


@bp.get("/inbox")
@policy(CARE, personal_data=True)
def inbox():
    """The team inbox: unassigned, mine, waiting for the resident, closed, consultations."""
    box = request.args.get("box", "unassigned")
    if box not in team_inbox.BOXES:
        abort(404)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    rows, more = team_inbox.team_box(current_user, box, page)
    counts = team_inbox.box_counts(current_user)
    html = render_template(
        "professional/inbox.html",
        box=box,
        rows=rows,
        page=page,
        more=more,
        counts=counts,
        count_cap=team_inbox.TAB_COUNT_CAP,
        thread_url=id_urls(".thread", "thread_id"),
        dates=date_texts(current_language()),
    )
    # Logged and committed once the page is made: a commit expires what the session loaded (the signed-in user
    # the layout shows too), and reading it again cost a statement.
    audit_read("team_inbox", current_user.organisation_id, None, details=box)
    db.session.commit()
    return html


def _slot_choices(form: TeamReplyForm, item: Thread) -> None:
    """The team's free consult slots, offered only in its own team threads."""
    choices = [(0, _("No appointment"))]
    if not item.is_consultation and item.organisation_id == current_user.organisation_id:
        for slot in slots.team_slots(item.organisation_id):
            choices.append(
                (slot.id, f"{format_day_time(slot.starts_at)} · {slot.programme.text(current_language()).title}")
            )
    form.slot.choices = choices


def _page(item: Thread, form=None, problem: str | None = None, status: int = 200):
    views = queries.messages_of(item, current_user)
    form = form or TeamReplyForm()
    _slot_choices(form, item)
    form.new_key()
    handover = HandOverForm(version=item.version)
    handover.colleague.choices = [(person.id, person.display_name) for person in colleagues()]
    html = render_template(
        "professional/thread.html",
        thread=item,
        views=views,
        events=queries.thread_log(item),
        form=form,
        problem=problem,
        action=ThreadActionForm(version=item.version),
        handover=handover,
        own_team=item.organisation_id == current_user.organisation_id,
        overdue=queries.is_overdue(item),
        auto_reply=read_auto_reply,
        dates=date_texts(current_language()),
    )
    # Read receipts for the messages shown (a message that arrived meanwhile stays unread, never skipped) and the
    # audit record, committed once the page is made: a commit expires what the page reads, and it cost two
    # statements to load the user and the thread again.
    threads.mark_read(current_user, item, up_to=views[-1].message.id if views else 0)
    audit_read("thread", item.id, item.resident_id)
    db.session.commit()
    return html, status


@bp.get("/threads/<int:thread_id>/updates")
@policy(CARE, personal_data=True)
def updates(thread_id: int):
    """New messages of an open thread page as list items (204: none); a delivery is a read, and logged."""
    item = load_or_404(Thread, thread_id, policies.may_see_thread)
    after = request.args.get("after", 0, type=int) or 0
    views = queries.messages_after(item, current_user, after)
    if not views:
        return "", 204
    threads.mark_read(current_user, item)
    audit_read("thread", item.id, item.resident_id, details="new messages")
    db.session.commit()
    views = queries.messages_after(item, current_user, after)  # again: the commit expired the ones loaded
    return render_template("messages/updates.html", thread=item, views=views, auto_reply=read_auto_reply)


@bp.get("/threads/<int:thread_id>")
@policy(CARE, personal_data=True)
def thread(thread_id: int):
    """One thread: the messages, read receipts, the team's log and what the professional can do. A referral's
    handover thread lives on the referral's page."""
    item = load_or_404(Thread, thread_id, policies.may_see_thread)
    if item.is_referral:
        referral = referral_queries.for_thread(item.id)
        return redirect(url_for(".referral", referral_id=referral.id), code=303)
    return _page(item)


@bp.post("/threads/<int:thread_id>/reply")
@policy(CARE)
@limiter.limit("120 per hour", key_func=_user_key)
def reply(thread_id: int):
    """Answer in a thread; answering an unassigned thread takes it."""
    item = load_or_404(Thread, thread_id, policies.may_see_thread)
    form = TeamReplyForm()
    _slot_choices(form, item)
    if not form.validate_on_submit():
        return _page(item, form, status=400)
    try:
        cleaned = checked_uploads(form.files.data)
        message = threads.post(current_user, item, form.body.data, form.key.data)
        slots.offer(message, item, form.slot.data)
        attachments.attach(message, cleaned)
    except (MessagingError, AttachmentError) as error:
        db.session.rollback()
        if error.code == "duplicate":
            return redirect(url_for(".thread", thread_id=thread_id, _anchor="latest"), code=303)
        return _page(db.session.get(Thread, thread_id), form, error_text(error.code), 400)
    message_mail.notify_resident(item.resident, message)
    if item.is_consultation:
        other = item.partner_organisation if current_user.organisation_id == item.organisation_id else item.organisation
        message_mail.notify_team(item, other)
    db.session.commit()
    flash(_("Your message is sent."), "ok")
    return redirect(url_for(".thread", thread_id=thread_id, _anchor="latest"), code=303)


@bp.post("/threads/<int:thread_id>/<any(claim, close, reopen):change>")
@policy(CARE)
def change(thread_id: int, change: str):
    """Take, close or reopen a thread; a change from a stale page is refused with a message."""
    item = load_or_404(Thread, thread_id, policies.may_see_thread)
    form = ThreadActionForm()
    if not form.validate_on_submit():
        abort(400)
    action = {"claim": threads.claim, "close": threads.close, "reopen": threads.reopen}[change]
    try:
        action(current_user, item, form.version.data)
    except MessagingError as error:
        db.session.rollback()
        flash(error_text(error.code), "error")
    else:
        db.session.commit()
        flash(
            {
                "claim": _("The thread is yours now."),
                "close": _("The thread is closed."),
                "reopen": _("The thread is open again."),
            }[change],
            "ok",
        )
    return redirect(url_for(".thread", thread_id=thread_id), code=303)


@bp.post("/threads/<int:thread_id>/hand-over")
@policy(CARE)
def hand_over(thread_id: int):
    """Give a thread to a colleague with a note; they get a mail without content."""
    item = load_or_404(Thread, thread_id, policies.may_see_thread)
    form = HandOverForm()
    form.colleague.choices = [(person.id, person.display_name) for person in colleagues()]
    if not form.validate_on_submit():
        flash(_("Please choose a colleague of your own team."), "error")
        return redirect(url_for(".thread", thread_id=thread_id), code=303)
    colleague = db.session.get(User, form.colleague.data)
    try:
        threads.hand_over(current_user, item, colleague, form.note.data, form.version.data)
    except MessagingError as error:
        db.session.rollback()
        flash(error_text(error.code), "error")
        return redirect(url_for(".thread", thread_id=thread_id), code=303)
    message_mail.notify_team(item)
    db.session.commit()
    flash(_("The thread is now with %(name)s.", name=colleague.display_name), "ok")
    return redirect(url_for(".inbox"), code=303)


@bp.route("/residents/<int:resident_id>/consult", methods=["GET", "POST"])
@policy(CARE, personal_data=True)
@limiter.limit("60 per hour", key_func=_user_key, methods=["POST"])
def consult(resident_id: int):
    """Open a consultation about a resident with a team the resident agreed to."""
    person = load_or_404(User, resident_id, policies.may_see_resident)
    own = current_user.organisation_id
    allowed = [c.organisation for c in consultations.consents_of(person) if c.organisation_id != own]
    form = ConsultationForm()
    form.partner.choices = [(organisation.id, organisation.name) for organisation in allowed]
    problem = None
    if allowed and form.validate_on_submit():
        partner = db.session.get(Organisation, form.partner.data)
        try:
            item = consultations.start(current_user, person, partner, form.subject.data, form.body.data, form.key.data)
        except MessagingError as error:
            db.session.rollback()
            problem = error_text(error.code)
        else:
            message_mail.notify_team(item, partner)
            db.session.commit()
            flash(_("Your consultation is sent."), "ok")
            return redirect(url_for(".thread", thread_id=item.id), code=303)
    audit_read("resident_overview", person.id, person.id, details="consultation")
    db.session.commit()
    form.new_key()
    return render_template(
        "professional/consult.html", person=person, form=form, allowed=allowed, problem=problem
    ), 400 if problem or form.errors else 200


@bp.get("/threads/<int:thread_id>/files/<int:attachment_id>")
@policy(CARE, personal_data=True)
def attachment(thread_id: int, attachment_id: int):
    """A file of a message in a thread the team may see, as a download; logged."""
    item = load_or_404(Thread, thread_id, policies.may_see_thread)
    found, response = attachment_download(item, attachment_id)
    audit_read("attachment", found.id, item.resident_id)
    db.session.commit()
    return response
