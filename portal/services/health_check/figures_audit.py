"""The disclosure audit of the health-check figures: no hidden sum can be worked out from the shown ones.

Every figure (a count, or the sum behind a mean) is a sum over checks. Checks that belong to exactly the same cells
are one *class*; a cell is then a 0/1 vector over the classes, and a figure that could be worked out from the
shown cells by adding and subtracting (in any combination, with any factors) is a vector in the row space of
the shown cells' vectors. The audit hides shown cells until no *protected* vector lies in that space.

The row space is computed exactly modulo the prime 2^31 - 1 (Gaussian elimination with numpy's int64, whose
products stay below 2^62). Working modulo a prime can only find more combinations than the rational numbers
allow, never fewer (except when the prime divides a determinant of the 0/1 matrix, which for a few dozen cells
happens with a chance far below one in a million), so an error here hides one figure too many.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

PRIME = 2_147_483_647


def _echelon(rows: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(pivot column, reduced row, combination of the original rows) of an echelon basis of `rows`, mod PRIME."""
    basis: list[tuple[int, np.ndarray, np.ndarray]] = []
    identity = np.eye(len(rows), dtype=np.int64)
    for index in range(len(rows)):
        vector, combination = rows[index] % PRIME, identity[index].copy()
        for column, row, made_of in basis:
            factor = vector[column]
            if factor:
                vector = (vector - factor * row) % PRIME
                combination = (combination - factor * made_of) % PRIME
        found = np.flatnonzero(vector)
        if found.size:
            column = int(found[0])
            inverse = pow(int(vector[column]), PRIME - 2, PRIME)
            basis.append((column, vector * inverse % PRIME, combination * inverse % PRIME))
    return basis


def first_derivable(rows: np.ndarray, targets: np.ndarray) -> tuple[int, list[int]] | None:
    """The first target (a row of `targets`) that is a combination of `rows`, and the rows that combination uses;
    None when no target is."""
    if not len(targets) or not len(rows):
        return None
    left = targets % PRIME
    used = np.zeros((len(targets), len(rows)), dtype=np.int64)
    for column, row, made_of in _echelon(rows):
        factors = left[:, column].copy()[:, None]
        left = (left - factors * row[None, :]) % PRIME
        used = (used + factors * made_of[None, :]) % PRIME
    found = np.flatnonzero(~left.any(axis=1))
    if not found.size:
        return None
    index = int(found[0])
    return index, [int(i) for i in np.flatnonzero(used[index])]


def hide_until_safe(
    shown: list,
    vector: Callable[[object], np.ndarray],
    protected: Sequence[np.ndarray],
    hide: Callable[[object], None],
    order: Callable[[object], tuple],
) -> int:
    """Hide cells of `shown` (a list the caller owns; hidden ones are removed) until no `protected` vector is a
    combination of the shown cells' vectors. Each round hides, of the cells the found combination uses, the one
    that comes first in `order` (the smallest count first). Returns how many cells it hid."""
    hidden = 0
    targets = np.array([target for target in protected if target.any()], dtype=np.int64)
    while shown and len(targets):
        found = first_derivable(np.array([vector(cell) for cell in shown], dtype=np.int64), targets)
        if found is None:
            break
        _target, used = found
        cell = min((shown[i] for i in used), key=order)
        hide(cell)
        shown.remove(cell)
        hidden += 1
    return hidden
