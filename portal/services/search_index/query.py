"""A search text as words, each with the terms that count for it: exact, partial (compounds) and corrected typos."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.services.search_index.matching import Terms
from portal.services.search_index.similarity import MIN_TYPO_LENGTH, corrections
from portal.services.search_index.vocabulary import MAX_PARTIAL_TERMS, near_words, terms_containing
from portal.text_analysis import analyse, term_of

MAX_WORDS = 8
MIN_PREFIX_LENGTH = 3
MIN_INFIX_LENGTH = 4


@dataclass
class QueryWord:
    """One word of the search text and, per locale, the index terms that match it."""

    word: str
    exact: Terms = field(default_factory=dict)
    partial: Terms = field(default_factory=dict)
    typo: Terms = field(default_factory=dict)
    categories: tuple[str, ...] = ()

    def any_terms(self) -> Terms:
        """Every term that counts for this word, per locale."""
        locales = {*self.exact, *self.partial, *self.typo}
        return {
            locale: self.exact.get(locale, []) + self.partial.get(locale, []) + self.typo.get(locale, [])
            for locale in locales
        }


def term_matcher(words: list[QueryWord], locale: str):
    """A test of one index term in `locale`: does it count for any of the words (as the search counts it)?"""
    exact = {term for word in words for term, prefix in word.any_terms().get(locale, []) if not prefix}
    prefixes = tuple(term for word in words for term, prefix in word.any_terms().get(locale, []) if prefix)
    return lambda term: term in exact or term.startswith(prefixes)


def _prefix_of(stem: str, terms: set[str]) -> bool:
    return any(term.startswith(stem) for term in terms)


def _category_codes(stems: set[str], category_words: dict[str, str], locales: tuple[str, ...]) -> tuple[str, ...]:
    codes = []
    for code, names in category_words.items():
        terms = {term for locale in locales for _, term in analyse(names, locale)}
        if any(stem in terms or (len(stem) >= MIN_PREFIX_LENGTH and _prefix_of(stem, terms)) for stem in stems):
            codes.append(code)
    return tuple(codes)


def plan_query(query: str, locale: str, category_words: dict[str, str] | None = None) -> list[QueryWord]:
    """The words of `query` (at most MAX_WORDS), each with its matching terms in `locale` and Dutch.

    Two look-ups in the word list at most, whatever the number of words: terms containing each stem, and
    typo candidates for words whose stem is in no indexed term."""
    locales = tuple(dict.fromkeys((locale, "nl")))
    words: dict[str, dict[str, str]] = {}
    for word, term in analyse(query, locale):
        if word not in words and len(words) < MAX_WORDS:
            words[word] = {locale: term} | {other: term_of(word, other) for other in locales if other != locale}
    containing = terms_containing([(lang, stem) for stems in words.values() for lang, stem in stems.items()])
    missing = [
        (lang, word)
        for word, stems in words.items()
        for lang, stem in stems.items()
        if not containing.get((lang, stem)) and len(word) >= MIN_TYPO_LENGTH and not word.isdigit()
    ]
    near = near_words(missing)
    plan = []
    for word, stems in words.items():
        item = QueryWord(word, categories=_category_codes(set(stems.values()), category_words or {}, locales))
        for lang, stem in stems.items():
            item.exact[lang] = [(stem, False)]
            found = containing.get((lang, stem), [])
            longer = any(term != stem and term.startswith(stem) for term in found) or len(found) >= MAX_PARTIAL_TERMS
            partial = [(stem, True)] if len(stem) >= MIN_PREFIX_LENGTH and longer else []  # else: exact finds them
            if len(stem) >= MIN_INFIX_LENGTH:
                partial += [(term, False) for term in found if stem in term and not term.startswith(stem)]
            item.partial[lang] = partial
            candidates = dict(near.get((lang, word), []))
            item.typo[lang] = [(candidates[w], True) for w in corrections(word, candidates)]
        plan.append(item)
    return plan
