"""A resident's messages: their threads with their care team, a new question, reading and answering."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import load_or_404, policy
from portal.extensions import db, limiter
from portal.forms.messaging import NewThreadForm, NoticeForm, ReplyForm
from portal.message_uploads import attachment_download, checked_uploads
from portal.messaging_errors import error_text
from portal.models import Organisation, Thread
from portal.services import policy as policies
from portal.services.messaging import attachments, care_relations, queries, threads
from portal.services.messaging import mail as message_mail
from portal.services.messaging.away import read_auto_reply
from portal.services.messaging.files import AttachmentError
from portal.services.messaging.threads import MessagingError
from portal.services.policy import RESIDENT
from portal.services.referrals import queries as referral_queries

bp = Blueprint("messages", __name__)


def _user_key() -> str:
    return f"messages:{current_user.get_id()}"


@bp.get("")
@policy(RESIDENT)
def index():
    """My messages: every thread with my care team and every consultation about me."""
    return render_template(
        "messages/index.html",
        rows=queries.resident_threads(current_user),
        teams=care_relations.team_organisations(current_user),
        notice_form=NoticeForm(notice=current_user.message_notice),
    )


@bp.route("/new", methods=["GET", "POST"])
@policy(RESIDENT)
@limiter.limit("20 per hour; 60 per day", key_func=_user_key, methods=["POST"])
def new():
    """Write to one of my teams; the page says this is not for urgent matters and when the team answers."""
    teams = care_relations.team_organisations(current_user)
    if not teams:
        return render_template("messages/no_team.html")
    form = NewThreadForm()
    form.organisation.choices = [(team.id, team.name) for team in teams]
    if request.method == "GET" and request.args.get("to", type=int) in {team.id for team in teams}:
        form.organisation.data = request.args.get("to", type=int)
    problem = None
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data)
        try:
            cleaned = checked_uploads(form.files.data)
            thread = threads.start_thread(current_user, organisation, form.subject.data, form.body.data, form.key.data)
            attachments.attach(queries.first_message(thread), cleaned)
        except (MessagingError, AttachmentError) as error:
            db.session.rollback()
            problem = error_text(error.code)
        else:
            message_mail.notify_team(thread)
            db.session.commit()
            flash(_("Your message is sent."), "ok")
            return redirect(url_for(".thread", thread_id=thread.id), code=303)
    chosen = next((team for team in teams if team.id == form.organisation.data), teams[0])
    form.new_key()
    return render_template(
        "messages/new.html", form=form, teams=teams, chosen=chosen, problem=problem
    ), 400 if form.errors or problem else 200


@bp.get("/<int:thread_id>")
@policy(RESIDENT)
def thread(thread_id: int):
    """One thread: its messages, when the team read mine, and a reply form (a referral's is on its own page)."""
    item = load_or_404(Thread, thread_id, policies.may_see_thread)
    if item.is_referral:
        referral = referral_queries.for_thread(item.id)
        return redirect(url_for("referrals.detail", referral_id=referral.id), code=303)
    return _thread_page(item, ReplyForm())


def _thread_page(item: Thread, form: ReplyForm, problem: str | None = None, status: int = 200):
    threads.mark_read(current_user, item)
    db.session.commit()  # before reading: a commit expires what was loaded, and the page would load it again
    views = queries.messages_of(item, current_user)
    form.new_key()
    return render_template(
        "messages/thread.html",
        thread=item,
        views=views,
        form=form,
        problem=problem,
        may_write=threads.may_write(current_user, item),
        auto_reply=read_auto_reply,
        offer_key=secrets.token_urlsafe(16),
    ), status


@bp.get("/<int:thread_id>/updates")
@policy(RESIDENT)
def updates(thread_id: int):
    """The messages after `after` as list items, for the open page to add without reloading (204: none)."""
    item = load_or_404(Thread, thread_id, policies.may_see_thread)
    views = queries.messages_after(item, current_user, request.args.get("after", 0, type=int) or 0)
    if not views:
        return "", 204
    threads.mark_read(current_user, item)
    db.session.commit()
    return render_template(
        "messages/updates.html",
        thread=item,
        views=views,
        auto_reply=read_auto_reply,
        offer_key=secrets.token_urlsafe(16),
    )


@bp.post("/<int:thread_id>/reply")
@policy(RESIDENT)
@limiter.limit("60 per hour; 200 per day", key_func=_user_key)
def reply(thread_id: int):
    """Answer in a thread (writing in a closed thread opens it again)."""
    item = load_or_404(Thread, thread_id, policies.may_see_thread)
    if not threads.may_write(current_user, item):
        abort(404)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _thread_page(item, form, status=400)
    try:
        cleaned = checked_uploads(form.files.data)
        message = threads.post(current_user, item, form.body.data, form.key.data)
        attachments.attach(message, cleaned)
    except (MessagingError, AttachmentError) as error:
        db.session.rollback()
        if error.code == "duplicate":
            return redirect(url_for(".thread", thread_id=thread_id, _anchor="latest"), code=303)
        return _thread_page(db.session.get(Thread, thread_id), form, error_text(error.code), 400)
    message_mail.notify_team(item)
    db.session.commit()
    flash(_("Your message is sent."), "ok")
    return redirect(url_for(".thread", thread_id=thread_id, _anchor="latest"), code=303)


@bp.post("/notices")
@policy(RESIDENT)
def notices():
    """Choose when an email tells me about new messages."""
    form = NoticeForm()
    if form.validate_on_submit():
        current_user.message_notice = form.notice.data
        db.session.commit()
        flash(_("Your choice is saved."), "ok")
    else:
        flash(_("Please choose one."), "error")
    return redirect(url_for(".index"), code=303)


@bp.get("/<int:thread_id>/files/<int:attachment_id>")
@policy(RESIDENT)
def attachment(thread_id: int, attachment_id: int):
    """A file of a message in my thread, as a download."""
    item = load_or_404(Thread, thread_id, policies.may_see_thread)
    _found, response = attachment_download(item, attachment_id)
    return response
