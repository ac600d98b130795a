"""Aggregate figures for coordinators, as pages and as CSV: the referral funnel per route map, offer and month, and
the neighbourhood's health-check figures per measurement, route map and month."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template, request
from flask_babel import format_date, format_decimal

from portal.access import policy
from portal.downloads import file_download
from portal.health_check_labels import NAMES
from portal.i18n import current_language
from portal.services.health_check import figures_csv
from portal.services.health_check.figures import KEYS, MEASUREMENTS, build_figures, parse_figure_filters
from portal.services.policy import COORDINATOR
from portal.services.referrals.funnel import STAGES, build_funnel
from portal.services.referrals.funnel_csv import export_csv
from portal.services.referrals.funnel_filters import MAX_MONTHS, WITHOUT_ROUTE_MAP, parse_filters
from portal.services.routekaarten.content import current_catalogue
from portal.translation import lazy_gettext as _l

bp = Blueprint("reports", __name__)

_PROBLEMS = {
    "bad_route_map": _l("That route map does not exist. The figures are for all route maps."),
    "bad_from": _l("The first month is not a month (use year-month, for example 2026-01). It was left out."),
    "bad_to": _l("The last month is not a month (use year-month, for example 2026-12). It was left out."),
    "too_old": _l("The figures go back at most %(num)s months. The earlier months were left out.", num=MAX_MONTHS),
    "reversed": _l("The first month is after the last month. The figures are for the last 12 months."),
    "too_long": _l("You can ask for at most %(num)s months. The figures are for the last 12 months.", num=MAX_MONTHS),
}
STAGE_LABELS = {
    "requested": _l("Requested"),
    "accepted": _l("Accepted"),
    "started": _l("Started"),
    "completed": _l("Completed"),
}

MEASUREMENT_LABELS = {1: _l("1st check"), 2: _l("2nd check"), 3: _l("3rd check")}
KEY_LABELS = {**NAMES, "mark": _l("Mark for health")}


def _funnel():
    catalogue = current_catalogue()
    filters, problems = parse_filters(request.args, {m.slug for m in catalogue.maps}, datetime.now(UTC))
    return catalogue, filters, problems, build_funnel(filters, current_language())


@bp.get("/")
@policy(COORDINATOR)
def index():
    """The referral funnel: a table, a chart and a link to the CSV; small numbers are hidden."""
    catalogue, filters, problems, funnel = _funnel()
    lang = current_language()
    return render_template(
        "reports/index.html",
        funnel=funnel,
        filters=filters,
        problems=[_PROBLEMS[code] for code in problems],
        stages=STAGES,
        stage_labels=STAGE_LABELS,
        route_maps={m.slug: m.title.for_language(lang) for m in catalogue.maps},
        without_route_map=WITHOUT_ROUTE_MAP,
        month_label=lambda month: format_date(month, "LLLL y"),
        number=format_decimal,
    )


@bp.get("/referrals.csv")
@policy(COORDINATOR)
def referrals_csv():
    """The same figures as CSV, small numbers written as <5; bad filter values are left out as on the page."""
    _catalogue, _filters, _problems, funnel = _funnel()
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return file_download(export_csv(funnel), "text/csv", f"wijkportaal-verwijzingen-{stamp}.csv")


def _figures():
    catalogue = current_catalogue()
    filters, problems = parse_figure_filters(request.args, {m.slug for m in catalogue.maps}, datetime.now(UTC))
    return catalogue, filters, problems, build_figures(filters)


@bp.get("/health-check")
@policy(COORDINATOR)
def health_check():
    """The neighbourhood's health-check figures: mean marks per measurement, route map and month; small cells hidden."""
    catalogue, filters, problems, figures = _figures()
    lang = current_language()
    return render_template(
        "reports/health_check.html",
        figures=figures,
        filters=filters,
        problems=[_PROBLEMS[code] for code in problems],
        keys=KEYS,
        key_labels=KEY_LABELS,
        measurements=MEASUREMENTS,
        measurement_labels=MEASUREMENT_LABELS,
        route_maps={m.slug: m.title.for_language(lang) for m in catalogue.maps},
        month_label=lambda month: format_date(month, "LLLL y"),
        number=lambda mean: format_decimal(mean, "0.0"),
    )


@bp.get("/health-check.csv")
@policy(COORDINATOR)
def health_check_csv():
    """The same figures as CSV; bad filter values are left out as on the page."""
    _catalogue, _filters, _problems, figures = _figures()
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return file_download(figures_csv.export_csv(figures), "text/csv", f"wijkportaal-cijfer-gezondheid-{stamp}.csv")
