"""Folding text for accent- and case-insensitive matching: 'Café İçin' and 'cafe icin' fold alike."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

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


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold().translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lowercase `text` and strip accents and Arabic diacritics: 'Café İçin' -> 'cafe icin'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_with_positions(text: str) -> tuple[str, Sequence[int]]:
    """Fold `text` and say, for each folded character, which original character it came from (a range when
    folding kept every character in its place)."""
    if text.isascii():
        return text.lower(), range(len(text))
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        piece = _fold_char(char)
        folded.append(piece)
        positions.extend([index] * len(piece))
    return "".join(folded), positions
