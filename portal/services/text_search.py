"""Folding text for accent- and case-insensitive search, and cutting snippets around matches."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters that Unicode decomposition leaves alone but readers treat as the same letter.
_EXTRA = str.maketrans(
    {
        "ı": "i",  # Turkish dotless i
        "ß": "ss",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "أ": "ا",  # Arabic alef forms
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",  # alef maqsura
        "ة": "ه",  # ta marbuta
        "ـ": "",  # tatweel
    }
)
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold().translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lowercase `text` and strip accents and Arabic diacritics: 'Café İçin' -> 'cafe icin'."""
    return "".join(_fold_char(char) for char in text)


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """Fold `text` and say, for each folded character, which original character it came from."""
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        piece = _fold_char(char)
        folded.append(piece)
        positions.extend([index] * len(piece))
    return "".join(folded), positions


def search_terms(query: str) -> list[str]:
    """The folded words of a query, without duplicates, at most MAX_TERMS."""
    terms = list(dict.fromkeys(_WORD.findall(fold(query))))
    return terms[:MAX_TERMS]


@dataclass(frozen=True)
class Snippet:
    """A piece of text around a match, as (text, is_match) parts."""

    parts: tuple[tuple[str, bool], ...]
    clipped_start: bool
    clipped_end: bool


def find_snippet(text: str, terms: list[str], width: int = 160) -> Snippet | None:
    """A window of about `width` characters around the first match of any term, or None."""
    if not terms or not text:
        return None
    folded, positions = fold_with_positions(text)
    spans = []
    for term in terms:
        for match in re.finditer(re.escape(term), folded):
            start = positions[match.start()]
            end = positions[match.end() - 1] + 1
            spans.append((start, end))
    if not spans:
        return None
    spans.sort()
    first_start = spans[0][0]
    window_start = max(0, first_start - width // 3)
    if window_start > 0:
        space = text.rfind(" ", 0, window_start + 1)
        window_start = space + 1 if space >= 0 and first_start - space < width // 2 else window_start
    window_end = min(len(text), window_start + width)
    if window_end < len(text):
        space = text.find(" ", window_end)
        window_end = space if space != -1 and space - window_end < 20 else window_end
    parts: list[tuple[str, bool]] = []
    cursor = window_start
    for start, end in spans:
        if start < cursor or start >= window_end:
            continue
        end = min(end, window_end)
        if start > cursor:
            parts.append((text[cursor:start], False))
        parts.append((text[start:end], True))
        cursor = end
    if cursor < window_end:
        parts.append((text[cursor:window_end], False))
    return Snippet(tuple(parts), window_start > 0, window_end < len(text))
