"""Reading an uploaded CSV file: decoding, the delimiter, the header, and rows whose cells parse into values."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import LazyString

from portal.services.listings.csv_format import (
    LOCAL_FORMAT,
    MAX_BYTES,
    MAX_LENGTHS,
    MAX_ROWS,
    MSG_REQUIRED,
    ZONE,
    Problem,
    not_allowed,
    short,
    unescape,
)
from portal.services.slugs import SLUG_PATTERN
from portal.services.text_rules import bad_characters, visible
from portal.translation import lazy_gettext as _l

_WHOLE = re.compile(r"^[0-9]{1,9}$")
_LOCAL_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$")
_CODES = re.compile(r"[\s,;]+")

MSG_NOT_UTF8 = _l("The file is not UTF-8 text. In Excel choose 'CSV UTF-8'.")
MSG_TOO_LARGE = _l("The file is larger than 2 MB. Please split it into smaller files.")
MSG_TOO_MANY_ROWS = _l("The file has more than %(max)s rows. Please split it into smaller files.", max=MAX_ROWS)
MSG_EMPTY = _l("The file is empty.")
MSG_DELIMITER = _l("Separate the columns with commas or semicolons.")
MSG_UNREADABLE = _l("This line could not be read. Check the quotation marks and the length of the texts.")
MSG_EXTRA_CELLS = _l("This line has more cells than there are columns.")
MSG_SLUG = _l("Use only lowercase letters, digits and hyphens, like 'walking-group'.")
MSG_CLOCK_CHANGE = _l("This time does not exist in the Netherlands, because the clocks change.")
MSG_DATE = _l("Write the date and time like 2026-03-05 19:30 (YYYY-MM-DD HH:MM).")


def _too_long(limit: int) -> LazyString:
    return _l("Please use at most %(max)d characters.", max=limit)


def _whole_number(low: int, high: int) -> LazyString:
    return _l("Fill in a whole number from %(min)s to %(max)s.", min=low, max=high)


def _bad_characters(characters: str) -> LazyString:
    return _l(
        "Please use only normal letters, numbers and punctuation. Not allowed: %(characters)s",
        characters=" ".join(visible(ch) for ch in characters),
    )


def _check_characters(row: Row) -> None:
    """The text rule for every cell; only descriptions may span lines."""
    for name, value in row.cells.items():
        found = bad_characters(value, multiline=name.startswith("description_"))
        if found:
            row.problem(name, _bad_characters(found))


@dataclass
class Row:
    """One data line of an upload: its cells by column, read as typed values; each problem goes to `problems`."""

    line: int
    cells: dict[str, str]
    problems: list[Problem]

    def has(self, name: str) -> bool:
        """True when the file has this column."""
        return name in self.cells

    def get(self, name: str) -> str:
        """The cell as written ("" when the file lacks the column)."""
        return self.cells.get(name, "")

    def problem(self, name: str, message: LazyString) -> None:
        """Note a problem with this line's cell `name`."""
        self.problems.append(Problem(self.line, name, message))

    def text(self, name: str, kind: str, *, required: bool = False) -> str:
        """A trimmed text cell checked for presence and length (read_rows checks the characters of every cell)."""
        value = self.get(name).strip()
        if required and not value:
            self.problem(name, MSG_REQUIRED)
        elif len(value) > MAX_LENGTHS[kind]:
            self.problem(name, _too_long(MAX_LENGTHS[kind]))
        return value

    def choice(self, name: str, choices: tuple[str, ...], *, required: bool = True) -> str | None:
        """One of `choices` (in any case), or None when empty or not allowed."""
        value = self.get(name).strip().lower()
        if not value:
            if required:
                self.problem(name, MSG_REQUIRED)
            return None
        if value not in choices:
            self.problem(name, not_allowed(value, choices))
            return None
        return value

    def codes(self, name: str, known: Iterable[str], message: Callable[[str], LazyString]) -> set[str]:
        """The known codes of a cell that lists codes apart by spaces, commas or semicolons."""
        codes = {code for code in _CODES.split(self.get(name).strip().lower()) if code}
        unknown = sorted(codes - set(known))
        if unknown:
            self.problem(name, message(" ".join(unknown)))
        return codes & set(known)

    def whole(self, name: str, low: int, high: int) -> int | None:
        """A whole number from `low` to `high`, or None."""
        value = self.get(name).strip()
        if not _WHOLE.match(value) or not low <= int(value) <= high:
            self.problem(name, _whole_number(low, high))
            return None
        return int(value)

    def slug(self, name: str) -> str:
        """A URL name: lowercase letters, digits and hyphens, at most 80 characters."""
        value = self.get(name).strip()
        if not value:
            self.problem(name, MSG_REQUIRED)
        elif len(value) > MAX_LENGTHS["slug"]:
            self.problem(name, _too_long(MAX_LENGTHS["slug"]))
        elif not SLUG_PATTERN.match(value):
            self.problem(name, MSG_SLUG)
        return value

    def moment(self, name: str) -> datetime | None:
        """A local 'YYYY-MM-DD HH:MM' cell as an aware UTC datetime."""
        value = self.get(name).strip()
        try:
            if not _LOCAL_TIME.match(value):
                raise ValueError(value)
            naive = datetime.strptime(value, LOCAL_FORMAT)
            moment = naive.replace(tzinfo=ZONE).astimezone(UTC)
            if moment.astimezone(ZONE).replace(tzinfo=None) != naive:
                self.problem(name, MSG_CLOCK_CHANGE)
                return None
        except (ValueError, OverflowError):
            self.problem(name, MSG_DATE)
            return None
        return moment


def _decode(data: bytes, problems: list[Problem]) -> str | None:
    """The upload as text (UTF-8, with or without a BOM), or None after adding why it cannot be read."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        problems.append(Problem(0, "file", MSG_TOO_LARGE))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(0, "file", MSG_NOT_UTF8))
        return None
    if not text.strip():
        problems.append(Problem(0, "file", MSG_EMPTY))
        return None
    return text


def _delimiter(text: str, problems: list[Problem]) -> str | None:
    """A semicolon when the header line has more of them than commas (Excel's Dutch CSV), else a comma."""
    header_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    commas, semicolons = header_line.count(","), header_line.count(";")
    if not commas and not semicolons:
        problems.append(Problem(1, "header", MSG_DELIMITER))
        return None
    return ";" if semicolons > commas else ","


def _header_problems(names: list[str], required: set[str], allowed: tuple[str, ...]) -> list[LazyString]:
    messages = []
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        messages.append(_l("These columns appear more than once: %(columns)s.", columns=", ".join(twice)))
    missing = sorted(required - set(names))
    if missing:
        messages.append(_l("These columns are missing: %(columns)s.", columns=", ".join(missing)))
    unknown = [short(name, 30) for name in dict.fromkeys(names) if name not in allowed]
    if unknown:
        messages.append(_l("These columns are unknown: %(columns)s.", columns=", ".join(unknown[:10])))
    return messages


def read_rows(
    data: bytes, required: Callable[[set[str]], set[str]], allowed: tuple[str, ...], problems: list[Problem]
) -> list[Row] | None:
    """The non-empty data rows of a CSV upload, or None after adding the problems that stop reading it."""
    text = _decode(data, problems)
    delimiter = None if text is None else _delimiter(text, problems)
    if text is None or delimiter is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    line = 0
    try:
        header = [name.strip().lower() for name in next(reader)]
        line = 1
        named = [(i, name) for i, name in enumerate(header) if name]
        names = [name for _, name in named]
        messages = _header_problems(names, required(set(names)), allowed)
        if messages:
            problems.extend(Problem(1, "header", message) for message in messages)
            return None
        for line, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) == MAX_ROWS:
                problems.append(Problem(0, "file", MSG_TOO_MANY_ROWS))
                return None
            row = Row(line, {name: unescape(record[i]) if i < len(record) else "" for i, name in named}, problems)
            if any(cell.strip() for cell in record[len(header) :]):
                row.problem("row", MSG_EXTRA_CELLS)
            _check_characters(row)
            rows.append(row)
    except csv.Error:
        problems.append(Problem(line + 1, "row", MSG_UNREADABLE))
        return None
    return rows
