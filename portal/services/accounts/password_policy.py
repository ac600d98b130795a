"""Which passwords we accept: length, a list of common passwords, simple patterns and personal details."""

from __future__ import annotations

import gzip
import string
from functools import cache
from importlib.resources import files

from portal.translation import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128  # argon2 copes with more; we cap for sanity

_COMMON_PASSWORDS_FILE = "common-passwords.txt.gz"  # from Django, see portal/data/README.md
_TRAILING = string.digits + string.punctuation + string.whitespace
_MIN_STRIPPED_LENGTH = 6  # "Welkom2024!" -> "welkom" is still checked; shorter leftovers are not
_MIN_PERSONAL_LENGTH = 4  # shorter names and email local parts match too much by accident
_MAX_REPEATED_UNIT = 3  # "abababababab", "121212121212": a short piece said again and again
# Rows people type: the alphabet, the digits and the keyboard's letter rows, forwards and backwards.
_ROW_STARTS = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm")
_ROWS = _ROW_STARTS + tuple(row[::-1] for row in _ROW_STARTS)

TOO_SHORT = _l("Use at least %(min)s characters.", min=MIN_PASSWORD_LENGTH)
TOO_LONG = _l("Use at most %(max)s characters.", max=MAX_PASSWORD_LENGTH)
COMMON = _l("This password is used by many people. Choose another one.")
SIMPLE_PATTERN = _l(
    "This password is too easy to guess. Do not use a row such as 123456 or abcdef, or one character many times."
)
PERSONAL = _l("Do not use your name or email address in your password.")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lowercase, read once per process."""
    with files("portal").joinpath("data", _COMMON_PASSWORDS_FILE).open("rb") as raw, gzip.open(raw, "rt") as text:
        return frozenset(line.strip() for line in text if line.strip())


def _repeated_unit(text: str) -> str | None:
    """The shortest piece that `text` is made of two or more times, or None."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text == text[:size] * (len(text) // size):
            return text[:size]
    return None


def _candidates(password: str) -> list[str]:
    """The password lowercased, trimmed, and without trailing digits and punctuation (when that is long enough)."""
    lowered = password.lower()
    candidates = [lowered, lowered.strip()]
    stripped = lowered.rstrip(_TRAILING)
    if len(stripped) >= _MIN_STRIPPED_LENGTH:
        candidates.append(stripped)
    return list(dict.fromkeys(candidates))


def _is_common(candidate: str) -> bool:
    """True when `candidate` is on the list, or is one listed word repeated ("welkomwelkom")."""
    common = common_passwords()
    if candidate in common:
        return True
    unit = _repeated_unit(candidate)  # short repeated pieces ("zzzz", "1212") count as a simple pattern instead
    return unit is not None and len(unit) > _MAX_REPEATED_UNIT and unit in common


def _is_simple_pattern(candidate: str) -> bool:
    """True for one short piece repeated ("aaaaaa", "ababab") or a stretch of a row ("123456", "qwerty")."""
    if not candidate:
        return False
    unit = _repeated_unit(candidate)
    if unit is not None and len(unit) <= _MAX_REPEATED_UNIT:
        return True
    return any(candidate in row * (len(candidate) // len(row) + 2) for row in _ROWS)


def _contains_personal_details(password: str, email: str | None, display_name: str | None) -> bool:
    """True when the password holds the email's local part or the display name (each at least 4 characters)."""
    lowered = password.lower()
    details = []
    if email:
        details.append(email.strip().lower().split("@", 1)[0])
    if display_name:
        details.append(display_name.strip().lower())
    return any(len(detail) >= _MIN_PERSONAL_LENGTH and detail in lowered for detail in details)


def password_problems(password: str, *, email: str | None = None, display_name: str | None = None) -> list:
    """Lazy translatable messages saying what is wrong with `password`; an empty list when it is acceptable."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return [TOO_LONG]  # no further checks on very long input
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(TOO_SHORT)
    candidates = _candidates(password)
    if any(_is_common(candidate) for candidate in candidates):
        problems.append(COMMON)
    elif any(_is_simple_pattern(candidate) for candidate in candidates):
        problems.append(SIMPLE_PATTERN)
    if _contains_personal_details(password, email, display_name):
        problems.append(PERSONAL)
    return problems
