"""A resident's health check ("How are you?"): the overview with the history and its chart, filling in a new check,
one check in full, and the reminder to fill it in again."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import policy
from portal.extensions import db, limiter
from portal.forms.health_check import REMINDER_OFF, HealthCheckForm, ReminderForm
from portal.health_check_labels import error_text
from portal.i18n import current_language, text_direction
from portal.models.health_check import DOMAINS
from portal.services.health_check import checks, entry, estimates, reminders, sharing
from portal.services.health_check.chart import HEIGHT, SMALL_HEIGHT, SMALL_WIDTH, WIDTH, line_chart
from portal.services.policy import RESIDENT

bp = Blueprint("health_check", __name__)
KEYS = ("mark", *DOMAINS)


def _user_key() -> str:
    return f"my-health-check:{current_user.get_id()}"


def _short_date(moment) -> str:
    return format_date(moment, "d MMM yy")


def _charts(history: list[checks.Entry], lang: str) -> dict:
    """A line chart per mark (the overall mark and each domain), oldest check first."""
    rtl = text_direction(lang) == "rtl"
    charts = {}
    for key in KEYS:
        size = (WIDTH, HEIGHT) if key == "mark" else (SMALL_WIDTH, SMALL_HEIGHT)
        marks = [(item.check.taken_at, item.answers.value(key)) for item in history]
        charts[key] = line_chart(marks, rtl, *size)
    return charts


def _overview(reminder_form: ReminderForm | None = None, status: int = 200):
    history = checks.history(current_user.id)
    reminder = reminders.of(current_user)
    if reminder_form is None:
        reminder_form = ReminderForm(formdata=None, every=str(reminder.every_weeks) if reminder else REMINDER_OFF)
    return render_template(
        "health_check/index.html",
        history=history,
        latest=history[-1] if history else None,
        charts=_charts(history, current_language()) if history else {},
        keys=KEYS,
        reminder=reminder,
        reminder_form=reminder_form,
        shared_with=sharing.shared_organisations(current_user),
        estimates=estimates.estimates_for(item.check.id for item in history),
        short_date=_short_date,
    ), status


@bp.get("")
@policy(RESIDENT)
def index():
    """My health check: start a new one, my latest marks and the change, every earlier check as a chart and table."""
    return _overview()


def _form_page(form: HealthCheckForm, values=None, problems=None, status: int = 200):
    return render_template(
        "health_check/new.html",
        form=form,
        keys=KEYS,
        domains=DOMAINS,
        values=values,
        problems={code: error_text(problem) for code, problem in (problems or {}).items()},
    ), status


@bp.get("/new")
@policy(RESIDENT)
def new():
    """The form: a mark for my health, a mark per domain, optional answers, and what I want to talk about."""
    form = HealthCheckForm(formdata=None)
    form.new_key()
    return _form_page(form)


@bp.post("/new")
@policy(RESIDENT)
@limiter.limit("30 per hour; 100 per day", key_func=_user_key)
def create():
    """Store my check once (a retried POST stores nothing new) and show the overview."""
    form = HealthCheckForm()
    answers, problems = entry.read(request.form)
    if not form.validate_on_submit():
        form.new_key()
        problems = problems | {"form": "general"}
    if problems:
        return _form_page(form, request.form, problems, status=400)
    check = checks.record(current_user, answers, key=form.key.data)
    reminders.check_filled_in(current_user, check.taken_at)
    db.session.commit()
    flash(_("Thank you. Your health check is saved."), "ok")
    return redirect(url_for(".index"), code=303)


@bp.get("/<int:check_id>")
@policy(RESIDENT)
def detail(check_id: int):
    """One of my checks in full: the marks, my answers, and what I wanted to talk about."""
    check = checks.owned_check(current_user.id, check_id)
    if check is None:
        abort(404)
    history = {item.check.id: item for item in checks.history(current_user.id)}
    item = history[check.id]
    return render_template(
        "health_check/detail.html",
        item=item,
        keys=KEYS,
        domains=DOMAINS,
        estimates=estimates.estimates_for([check.id]).get(check.id, []),
    )


@bp.post("/reminder")
@policy(RESIDENT)
@limiter.limit("30 per hour", key_func=_user_key)
def reminder():
    """Choose how often I am reminded by email to fill in the check again, or stop the reminders."""
    form = ReminderForm()
    if not form.validate_on_submit():
        return _overview(form, status=400)
    weeks = form.weeks()
    if weeks is None:
        reminders.stop(current_user)
        message = _("You will not get reminders.")
    else:
        reminders.choose(current_user, weeks)
        message = ngettext(
            "Saved. We will remind you by email every %(num)d week.",
            "Saved. We will remind you by email every %(num)d weeks.",
            weeks,
        )
    db.session.commit()
    flash(message, "ok")
    return redirect(url_for(".index", _anchor="reminder"), code=303)
