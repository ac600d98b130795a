"""The referral funnel as CSV (UTF-8 with BOM, as the listing export), hidden numbers written as "<5"."""

from __future__ import annotations

import csv
import io

from portal.services.listings.csv_format import cell
from portal.services.referrals.funnel import STAGES, Funnel, FunnelRow

SUPPRESSED = "<5"
COLUMNS = ("level", "route_map", "offer", "organisation", "month", *STAGES, "median_days_to_first_contact")


def _median(row: FunnelRow) -> str:
    if row.median_suppressed:
        return SUPPRESSED
    if row.median_days is None:
        return ""
    return f"{row.median_days:g}"


def _line(row: FunnelRow) -> list[object]:
    month = row.month.strftime("%Y-%m") if row.month else ""
    figures = [SUPPRESSED if row.cells[stage].suppressed else row.cells[stage].value for stage in STAGES]
    return [row.kind, row.route_map or "", row.offer, row.organisation, month, *figures, _median(row)]


def export_csv(funnel: Funnel) -> str:
    """The funnel's rows, then the totals per route map and month and per month (never a total over the chosen
    months), safe to open in a spreadsheet (a cell that starts with = + - @ gets an apostrophe)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in funnel.rows + funnel.route_maps + funnel.months:
        writer.writerow(cell(value) for value in _line(row))
    return "\ufeff" + buffer.getvalue()
