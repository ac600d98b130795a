"""What one check holds (the mark, four domain marks, the conversation questions) and how it is checked."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from portal.models.health_check import DOMAINS
from portal.services.text_rules import bad_characters

LOWEST, HIGHEST = 1, 10
TEXT_LIMIT = 1000
# The optional conversation questions of the cijfer voor gezondheid (brochure, seed 002).
QUESTIONS = ("keeps", "higher", "not_lower")


class AnswerError(ValueError):
    """An answer that cannot be stored; `code` names the field, `problem` says what is wrong."""

    def __init__(self, code: str, problem: str):
        super().__init__(f"{code}: {problem}")
        self.code = code
        self.problem = problem


def parse_mark(value, code: str, required: bool = True) -> int | None:
    """A whole mark from 1 to 10 from form text; raises AnswerError('missing' | 'not_a_number' | 'out_of_range')."""
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise AnswerError(code, "missing")
        return None
    digits = text.removeprefix("-")
    if not text.isascii() or not digits.isdigit():
        raise AnswerError(code, "not_a_number")
    if text != digits or len(digits) > 2:
        raise AnswerError(code, "out_of_range")
    mark = int(text)
    if not LOWEST <= mark <= HIGHEST:
        raise AnswerError(code, "out_of_range")
    return mark


@dataclass(frozen=True)
class Answers:
    """A filled-in check: `mark` and `domains` (each 1–10), optional texts, and the domains to talk about."""

    mark: int
    domains: dict[str, int]
    texts: dict[str, str] = field(default_factory=dict)
    talk: tuple[str, ...] = ()

    def change_from(self, earlier: Answers | None) -> dict[str, int | None]:
        """Per 'mark' and domain: this check's mark minus the earlier one's (None without an earlier check)."""
        keys = ("mark", *DOMAINS)
        if earlier is None:
            return dict.fromkeys(keys)
        return {key: self.value(key) - earlier.value(key) for key in keys}

    def value(self, key: str) -> int:
        """The mark ('mark') or a domain's mark."""
        return self.mark if key == "mark" else self.domains[key]

    def to_json(self) -> str:
        """The sealed column's text."""
        return json.dumps(
            {"mark": self.mark, "domains": self.domains, "texts": self.texts, "talk": list(self.talk)},
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, raw: str) -> Answers:
        """Read back a sealed column's text."""
        data = json.loads(raw)
        return cls(
            mark=int(data["mark"]),
            domains={domain: int(data["domains"][domain]) for domain in DOMAINS},
            texts={key: str(value) for key, value in data.get("texts", {}).items() if key in QUESTIONS},
            talk=tuple(domain for domain in data.get("talk", ()) if domain in DOMAINS),
        )


def from_form(form) -> Answers:
    """Answers from a submitted form (a mapping with getlist); raises AnswerError for the first bad field."""
    mark = parse_mark(form.get("mark"), "mark")
    domains = {domain: parse_mark(form.get(domain), domain) for domain in DOMAINS}
    texts = {}
    for question in QUESTIONS:
        answer = (form.get(question) or "").strip()
        if len(answer) > TEXT_LIMIT:
            raise AnswerError(question, "too_long")
        if bad_characters(answer, multiline=True):
            raise AnswerError(question, "bad_characters")
        if answer:
            texts[question] = answer
    talk_values = form.getlist("talk") if hasattr(form, "getlist") else form.get("talk", [])
    unknown = [value for value in talk_values if value not in DOMAINS]
    if unknown:
        raise AnswerError("talk", "unknown")
    talk = tuple(domain for domain in DOMAINS if domain in talk_values)
    return Answers(mark=mark, domains=domains, texts=texts, talk=talk)
