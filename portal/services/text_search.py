"""Search over folded text: the words of a query, and snippets cut around their matches."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.text_folding import fold, fold_with_positions

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


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
