"""Which health-check figures are hidden: small cells, means of one mark, and whatever would let them be worked out.

1. A cell of 1 to 9 residents is hidden whole: its count and its means (THRESHOLD = 10; 0 is shown).
2. A mean is hidden when every resident in the cell gave the same mark for it: a mean of 1.0 or 10.0 would give
   away every resident's mark, and someone who knows one resident's mark would learn the others' from any such
   mean; the count stays.
3. Complementary suppression over the whole fixed table, as an exact audit (figures_audit.py): a hidden cell, or a
   small set of checks — 1 to 9 of them that belong to the same cells (the same measurement, route maps and
   month), or that share part of that (e.g. the 2nd checks in March, the 1st checks of residents referred through
   route map A and no other, the 1st checks of residents *not* referred through A: "all" less A) — must not be a
   combination of the shown cells. While one is, the shown cell of that combination with the smallest count is
   hidden (ties: the cells' fixed order). Then the same per mark and domain for the means hidden by rule 2.
The cells overlap (a resident referred through two route maps is in both; the months and the measurements count
the same checks), so sums over them can be set off in many ways; the audit finds every way that adding and
subtracting shown figures can do, not only "a total less its parts".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from portal.services.health_check.figures_audit import hide_until_safe
from portal.services.referrals.suppression import is_small

THRESHOLD = 10
_MARGINS: tuple[Callable[[tuple], tuple], ...] = (
    lambda key: key,
    lambda key: (key[0], key[1]),
    lambda key: (key[0], key[2]),
    lambda key: (key[1], key[2]),
    lambda key: (key[0],),
    lambda key: (key[1],),
    lambda key: (key[2],),
)


def _vector(members, size: int) -> np.ndarray:
    vector = np.zeros(size, dtype=np.int64)
    vector[list(members)] = 1
    return vector


def small_sets(found: dict[tuple, object]) -> list[frozenset[int]]:
    """The sets of classes (by index in `found`) that must never be worked out: 1 to 9 checks alike (see above)."""
    keys = list(found)
    route_maps = sorted({route_map for _m, groups, _t in keys for route_map in groups})
    margins = list(_MARGINS) + [
        (lambda key, route_map=route_map: (key[0], route_map in key[1])) for route_map in route_maps
    ]
    sets: dict[frozenset[int], None] = {}
    for margin in margins:
        grouped: dict[tuple, list[int]] = {}
        for index, key in enumerate(keys):
            grouped.setdefault(margin(key), []).append(index)
        for members in grouped.values():
            if is_small(sum(found[keys[i]].count for i in members), THRESHOLD):
                sets[frozenset(members)] = None
    return list(sets)


def _primary(cells, keys: tuple[str, ...]) -> None:
    for cell in cells:
        cell.count.suppressed = is_small(cell.totals.count, THRESHOLD)
        cell.hidden_means = {
            key
            for i, key in enumerate(keys)
            if cell.totals.count and cell.totals.lows[i] == cell.totals.highs[i] and not cell.count.suppressed
        }


def _audit(cells, shown_if, protect_if, hide, extra: list[np.ndarray], size: int) -> None:
    """Hide cells (with `hide`) until no protected vector is a combination of the cells `shown_if` selects."""
    while True:
        shown = [cell for cell in cells if shown_if(cell) and cell.totals.count]
        protected = extra + [_vector(cell.members, size) for cell in cells if protect_if(cell)]
        if not hide_until_safe(
            shown,
            lambda cell: _vector(cell.members, size),
            protected,
            hide,
            lambda cell: (cell.totals.count, cell.order),
        ):
            return


def suppress(cells: list, found: dict[tuple, object], keys: tuple[str, ...]) -> None:
    """Apply rules 1–3 to every cell of the fixed table (`found`: the classes the cells' members index; `keys`:
    the mark and the domains, in the order of the cells' sums)."""
    size = len(found)
    _primary(cells, keys)
    extra = [_vector(members, size) for members in small_sets(found)]

    def hide_cell(cell) -> None:
        cell.count.suppressed = True

    _audit(cells, lambda c: not c.count.suppressed, lambda c: c.count.suppressed, hide_cell, extra, size)
    for key in keys:

        def shown_mean(cell, key=key) -> bool:
            return not cell.mean_hidden(key)

        def hidden_mean(cell, key=key) -> bool:
            return not cell.count.suppressed and key in cell.hidden_means

        def hide_mean(cell, key=key) -> None:
            cell.hidden_means.add(key)

        _audit(cells, shown_mean, hidden_mean, hide_mean, [], size)
