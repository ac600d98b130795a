"""My away period: plan it with a colleague who covers, see it, cancel it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import load_or_404, policy
from portal.extensions import db
from portal.forms.accounts import ActionForm
from portal.forms.messaging import AwayForm
from portal.messaging_errors import error_text
from portal.models import AwayPeriod, User
from portal.routes.professional.blueprint import bp, colleagues
from portal.services import policy as policies
from portal.services.messaging import away as away_periods
from portal.services.messaging.away import AwayError
from portal.services.policy import CARE


@bp.route("/away", methods=["GET", "POST"])
@policy(CARE)
def away():
    """Plan an away period: my threads go back to the team, residents writing get an automatic reply."""
    form = AwayForm()
    form.cover.choices = [(0, _("Nobody in particular"))] + [(p.id, p.display_name) for p in colleagues()]
    problem = None
    if form.validate_on_submit():
        cover = db.session.get(User, form.cover.data) if form.cover.data else None
        try:
            away_periods.set_away(current_user, form.first_day.data, form.last_day.data, cover)
        except AwayError as error:
            db.session.rollback()
            problem = error_text(error.code)
        else:
            db.session.commit()
            flash(_("Your away period is saved."), "ok")
            return redirect(url_for(".away"), code=303)
    return render_template(
        "professional/away.html",
        form=form,
        problem=problem,
        periods=away_periods.planned(current_user),
        action=ActionForm(),
    ), 400 if problem or form.errors else 200


@bp.post("/away/<int:period_id>/cancel")
@policy(CARE)
def cancel_away(period_id: int):
    """Cancel one of my away periods."""
    period = load_or_404(AwayPeriod, period_id, policies.may_cancel_away)
    if not ActionForm().validate_on_submit():
        abort(400)
    away_periods.cancel(current_user, period)
    db.session.commit()
    flash(_("Your away period is cancelled."), "ok")
    return redirect(url_for(".away"), code=303)
