"""Snippets of text cut around the words a search matched."""

from __future__ import annotations

from dataclasses import dataclass

SNIPPET_WIDTH = 160


@dataclass(frozen=True)
class Snippet:
    """A piece of text around a match, as (text, is_match) parts."""

    parts: tuple[tuple[str, bool], ...]
    clipped_start: bool
    clipped_end: bool


def find_snippet(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_WIDTH) -> Snippet | None:
    """A window of about `width` characters around the first of the matched `spans` (start, end) of `text`, or None."""
    if not text or not spans:
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
