"""How alike two words are: pg_trgm's trigram similarity, computed in Python, and the edit distance."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import OSA

MIN_SIMILARITY = 0.3  # pg_trgm.similarity_threshold's default: what `word % query` finds on PostgreSQL
MIN_TYPO_LENGTH = 4
MAX_CORRECTIONS = 2


def trigrams(word: str) -> set[str]:
    """The trigrams pg_trgm makes of one lowercase word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b): shared trigrams over all distinct trigrams of both words."""
    first, second = trigrams(a), trigrams(b)
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def max_edits(word: str) -> int:
    """How many typing errors (insert, delete, replace, swap) a word of this length may carry."""
    return 1 if len(word) < 7 else 2


def corrections(word: str, candidates: Iterable[str]) -> list[str]:
    """The nearest candidates within reach of `word`: fewest edits, then most alike, then alphabetical."""
    scored = []
    for candidate in set(candidates):
        if candidate == word or similarity(word, candidate) < MIN_SIMILARITY:
            continue
        edits = OSA.distance(word, candidate)
        if edits <= max_edits(word):
            scored.append((edits, -similarity(word, candidate), candidate))
    if not scored:
        return []
    best = min(edits for edits, _, _ in scored)
    return [candidate for edits, _, candidate in sorted(scored) if edits == best][:MAX_CORRECTIONS]
