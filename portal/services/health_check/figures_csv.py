"""The health-check figures as CSV (UTF-8 with BOM, as the funnel's), hidden counts as "<10", hidden means "hidden"."""

from __future__ import annotations

import csv
import io

from portal.services.health_check.figures import KEYS, FigureCell, Figures
from portal.services.listings.csv_format import cell as safe

HIDDEN_COUNT = "<10"
HIDDEN_MEAN = "hidden"
COLUMNS = ("table", "group", "measurement", "month", "residents", *(f"mean_{key}" for key in KEYS))


def _line(cell: FigureCell) -> list[object]:
    month = cell.month.strftime("%Y-%m") if cell.month else ""
    group = "" if cell.kind == "month" else (cell.group or "all")
    count = HIDDEN_COUNT if cell.count.suppressed else cell.totals.count
    means = []
    for key in KEYS:
        mean = cell.mean(key)
        means.append(HIDDEN_MEAN if cell.mean_hidden(key) else ("" if mean is None else f"{mean:.1f}"))
    return [cell.kind, group, cell.measurement or "", month, count, *means]


def export_csv(figures: Figures) -> str:
    """The chosen cells, measurement cells first, then the months; safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for figure in figures.cells():
        writer.writerow(safe(value) for value in _line(figure))
    return "\ufeff" + buffer.getvalue()
