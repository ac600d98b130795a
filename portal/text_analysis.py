"""Words to search terms: folded, and stemmed per language with Snowball (nl, en, tr, ar)."""

from __future__ import annotations

import re
import threading
import unicodedata
from itertools import islice

import Stemmer

from portal.text_folding import fold, fold_with_positions

SNOWBALL = {"nl": "dutch", "en": "english", "tr": "turkish", "ar": "arabic"}
MAX_TERM_LENGTH = 60
_WORD = re.compile(r"[^\W_]+")
_TURKISH_CAPITALS = str.maketrans({"I": "ı", "İ": "i"})
_THREAD = threading.local()


def _stemmer(locale: str) -> Stemmer.Stemmer:
    """The Snowball stemmer of `locale`, one per language and thread: PyStemmer's objects are not thread-safe, and
    each keeps a cache of the words it stemmed (a search page stems its results' words again and again)."""
    stemmers = _THREAD.__dict__.setdefault("stemmers", {})
    algorithm = SNOWBALL.get(locale, "dutch")
    stemmer = stemmers.get(algorithm)
    if stemmer is None:
        stemmer = stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    return stemmer


def _turkish_lower(word: str) -> str:
    """Lowercase with Turkish rules (I -> ı, İ -> i), keeping the letters the Turkish stemmer needs."""
    plain = "".join(c for c in unicodedata.normalize("NFC", word) if not unicodedata.combining(c))
    return plain.translate(_TURKISH_CAPITALS).lower()


def words(text: str) -> list[str]:
    """The folded words of `text` (accents, case and Arabic letter variants folded)."""
    return _WORD.findall(fold(text))


def _raw_words(text: str) -> list[str]:
    """The words of `text` as written, without stray combining marks (for the Turkish stemmer)."""
    plain = "".join(c for c in unicodedata.normalize("NFC", text) if not unicodedata.combining(c))
    return _WORD.findall(plain.replace("\u0640", ""))


def analyse(text: str, locale: str) -> list[tuple[str, str]]:
    """(word, term) for every word of `text`: the folded word and its folded Snowball stem in `locale`."""
    stemmer = _stemmer(locale)
    if locale == "tr":
        raw = [w for w in _raw_words(text) if len(w) <= MAX_TERM_LENGTH]
        lowered = [_turkish_lower(w) for w in raw]
        stems = stemmer.stemWords(lowered)
        return [(fold(w), fold(s) or fold(w)) for w, s in zip(lowered, stems, strict=True)]
    folded = [w for w in words(text) if len(w) <= MAX_TERM_LENGTH]
    if locale == "ar":  # folding made taa marbuta a haa; the stemmer knows the suffix as taa marbuta
        stems = [fold(s) for s in stemmer.stemWords([w[:-1] + "ة" if w.endswith("ه") else w for w in folded])]
    else:
        stems = stemmer.stemWords(folded)
    return [(w, s or w) for w, s in zip(folded, stems, strict=True)]


def term_of(word: str, locale: str) -> str:
    """The search term of one word as written (folded Snowball stem in `locale`)."""
    pairs = analyse(word, locale)
    return pairs[0][1] if pairs else ""


def index_terms(text: str, locale: str) -> str:
    """The distinct terms of `text`, space-separated, in order of first appearance: what the index stores."""
    return " ".join(dict.fromkeys(term for _, term in analyse(text, locale)))


def _span_terms(text: str, matches: list, spans: list[tuple[int, int]], locale: str) -> list[str]:
    """The terms of the words `matches` (found in the folded `text`) at `spans` (positions in `text`)."""
    stemmer = _stemmer(locale)
    if locale == "tr":
        return [fold(stem) for stem in stemmer.stemWords([_turkish_lower(text[s:e]) for s, e in spans])]
    if locale == "ar":
        words = [m.group() for m in matches]
        return [fold(stem) for stem in stemmer.stemWords([w[:-1] + "ة" if w.endswith("ه") else w for w in words])]
    return stemmer.stemWords([m.group() for m in matches])


def term_spans(text: str, locale: str) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word in `text`, positions in `text` itself: for marking matches."""
    folded, positions = fold_with_positions(text)
    matches = list(_WORD.finditer(folded))
    spans = [(positions[m.start()], positions[m.end() - 1] + 1) for m in matches]
    terms = _span_terms(text, matches, spans, locale)
    return [(start, end, term) for (start, end), term in zip(spans, terms, strict=True)]


def first_term_spans(text: str, locale: str, wanted, reach: int, batch: int = 16) -> list[tuple[int, int]]:
    """(start, end) of the words of `text` whose term is `wanted` (a test), as `term_spans` finds them, from the
    first such word to those starting within `reach` characters after it: the words after are never stemmed."""
    folded, positions = fold_with_positions(text)
    found: list[tuple[int, int]] = []
    limit = None
    words = _WORD.finditer(folded)
    while True:
        matches = list(islice(words, batch))
        if not matches:
            return found
        if isinstance(positions, range):  # every character in its place: the spans are the matches' own
            spans = [m.span() for m in matches]
        else:
            spans = [(positions[m.start()], positions[m.end() - 1] + 1) for m in matches]
        for span, term in zip(spans, _span_terms(text, matches, spans, locale), strict=True):
            if limit is not None and span[0] > limit:
                return found
            if wanted(term):
                found.append(span)
                limit = span[0] + reach if limit is None else limit
