"""The session forms: plan one session or a weekly series; move one, or it and the rest of its series."""

from __future__ import annotations

from datetime import date

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.forms.base import PortalForm
from portal.forms.fields import required, strip
from portal.forms.listings import TOO_LONG
from portal.models import Session
from portal.services.listings.session_planning import LOCAL, SessionPlan
from portal.translation import lazy_gettext as _l


def _number(label, low: int, high: int, **options) -> IntegerField:
    """A required whole number from `low` to `high`, with translated messages."""
    return IntegerField(
        label,
        validators=[
            required(_l("Please fill in a number.")),
            NumberRange(min=low, max=high, message=_l("Please fill in a number from %(min)s to %(max)s.")),
        ],
        **options,
    )


def _dates(text: str | None) -> tuple[frozenset[date], list[str]]:
    """The dates in a text, one per line or apart by commas, and the parts that are no date."""
    dates, bad = set(), []
    for part in (text or "").replace(",", "\n").split():
        try:
            dates.add(date.fromisoformat(part.strip()))
        except ValueError:
            bad.append(part[:20])
    return frozenset(dates), bad


class SessionPlanForm(PortalForm):
    """One session, or a weekly series."""

    first_day = DateField(_l("Date (of the first time)"), validators=[required(_l("Please fill in a date."))])
    start = TimeField(_l("Start time"), validators=[required(_l("Please fill in a time."))])
    duration_minutes = _number(_l("How long, in minutes"), 5, 720, default=60)
    capacity = _number(_l("Places"), 1, 500, default=12)
    until = TimeField(
        _l("Appointments one after another, until (optional)"),
        validators=[Optional()],
        description=_l(
            "For consultation hours: fill in the end of the hours, for example 12:00. Each appointment then "
            "lasts the minutes above, and has the places above (1 for a personal appointment)."
        ),
    )
    weeks = _number(_l("How many times"), 1, 52, description=_l("1 for a single time."), default=1)
    every_weeks = SelectField(
        _l("How often"),
        coerce=int,
        choices=[
            SelectChoice(1, _l("Every week")),
            SelectChoice(2, _l("Every other week")),
            SelectChoice(4, _l("Every four weeks")),
        ],
        default=1,
        description=_l("For example a consultation hour every other week."),
    )
    on_holidays = BooleanField(
        _l("Also on public holidays"),
        description=_l("Without a tick, public holidays such as Christmas and King's Day are skipped."),
    )
    skip = TextAreaField(
        _l("Skip these dates"),
        description=_l("For example school holidays. One date per line, like 2026-12-29."),
        filters=[strip],
        validators=[Length(max=2000, message=TOO_LONG)],
    )

    def validate_skip(self, field) -> None:
        """Every date to skip is written like 2026-12-29."""
        bad = _dates(field.data)[1]
        if bad and not field.errors:
            raise ValidationError(_l("These are not dates like 2026-12-29: %(dates)s", dates=", ".join(bad)))

    def to_plan(self) -> SessionPlan:
        """The plan filled in, as the session planner takes it."""
        return SessionPlan(
            first_day=self.first_day.data,
            start=self.start.data,
            duration_minutes=self.duration_minutes.data,
            capacity=self.capacity.data,
            weeks=self.weeks.data,
            skip=_dates(self.skip.data)[0],
            until=self.until.data,
            on_holidays=bool(self.on_holidays.data),
            every_weeks=self.every_weeks.data or 1,
        )


class SessionEditForm(PortalForm):
    """Move a session or change its places; in a series, also the later ones (`scope` rest)."""

    day = DateField(_l("Date"), validators=[required(_l("Please fill in a date."))])
    start = TimeField(_l("Start time"), validators=[required(_l("Please fill in a time."))])
    end = TimeField(_l("End time"), validators=[required(_l("Please fill in a time."))])
    capacity = _number(_l("Places"), 1, 500)
    scope = RadioField(
        _l("Which sessions do you want to change?"),
        choices=[
            SelectChoice("one", _l("Only this session")),
            SelectChoice("rest", _l("This session and all later ones in the series")),
        ],
        default="one",
        validators=[InputRequired(message=_l("Please choose one."))],
    )

    @classmethod
    def from_session(cls, session: Session) -> SessionEditForm:
        """The form filled in with the session's local date, start and end time, and places."""
        start, end = session.starts_at.astimezone(LOCAL), session.ends_at.astimezone(LOCAL)
        return cls(data={"day": start.date(), "start": start.time(), "end": end.time(), "capacity": session.capacity})
