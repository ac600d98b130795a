"""Every catalog follows translations/glossary.yaml: fixed terms, no forbidden words, isolation, formal Turkish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = yaml.safe_load((ROOT / "translations" / "glossary.yaml").read_text(encoding="utf-8"))
LANGUAGES = ("nl", "en", "tr", "ar")
FSI, PDI = "\u2068", "\u2069"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _entries(lang):
    """(msgid, msgstr) pairs of a catalog; each plural form is a pair of its own."""
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=lang)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for string in strings:
            if string:
                yield ids[0], string


def _forbidden_pattern(lang, word):
    """A whole word; in Turkish also with suffixes (koç, koçu, koçlarını)."""
    suffix = r"\w*" if lang == "tr" else ""
    return re.compile(rf"(?<!\w){re.escape(word)}{suffix}(?!\w)", re.IGNORECASE)


def glossary_problems(lang, entries, glossary=GLOSSARY):
    """Every way the entries break the glossary, as 'lang: msgid: problem' lines."""
    problems = []
    for term, rule in glossary["terms"].items():
        words = rule.get(lang) or {}
        match = re.compile(rule["match"], re.IGNORECASE) if rule.get("match") else None
        forbidden = [(w, _forbidden_pattern(lang, w)) for w in words.get("forbid", [])]
        for msgid, msgstr in entries:
            text = msgstr
            for phrase in words.get("allow", []):
                text = text.replace(phrase, " ")
            for word, pattern in forbidden:
                if pattern.search(text):
                    problems.append(f"{lang}: {msgid!r}: {word!r} is forbidden for {term!r} -> {msgstr!r}")
            wanted = words.get("use")
            used = match and wanted and match.search(msgid) and msgid not in rule.get("except", [])
            if used and not any(stem.lower() in msgstr.lower() for stem in wanted):
                problems.append(f"{lang}: {msgid!r}: {term!r} must read one of {wanted} -> {msgstr!r}")
    return problems


def isolation_problems(entries, numeric=tuple(GLOSSARY["arabic_isolation"]["numeric_placeholders"])):
    """Arabic values that are not numbers and are not wrapped in U+2068 ... U+2069."""
    problems = []
    for msgid, msgstr in entries:
        for found in PLACEHOLDER.finditer(msgstr):
            if found.group(1) in numeric:
                continue
            before, after = msgstr[: found.start()], msgstr[found.end() :]
            if not (before.endswith(FSI) and after.startswith(PDI)):
                problems.append(f"ar: {msgid!r}: {found.group(0)} is not isolated with U+2068 ... U+2069 -> {msgstr!r}")
    return problems


def informal_problems(entries, informal=tuple(GLOSSARY["turkish_informal_imperatives"])):
    """Turkish sentences that end in a bare (informal) imperative."""
    endings = re.compile(rf"(?<!\w)({'|'.join(map(re.escape, informal))})\s*(?:\(|[.!?:]|$)", re.IGNORECASE)
    problems = []
    for msgid, msgstr in entries:
        for sentence in re.split(r"(?<=[.!?])\s+", msgstr):
            found = endings.search(sentence)
            if found:
                problems.append(
                    f"tr: {msgid!r}: informal imperative {found.group(1)!r}, use the formal form -> {msgstr!r}"
                )
    return problems


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_follows_the_glossary(lang):
    assert glossary_problems(lang, list(_entries(lang))) == []


def test_arabic_isolates_every_inserted_value():
    assert isolation_problems(list(_entries("ar"))) == []


def test_turkish_imperatives_are_formal():
    assert informal_problems(list(_entries("tr"))) == []


def test_the_checks_catch_what_they_should():
    """The checks fail on the strings the read-through found."""
    assert glossary_problems("tr", [("beweegmakelaar", "hareket koçu (beweegmakelaar)")])
    assert glossary_problems("tr", [("Cost per time, in cents", "Her seferin ücreti, kuruş olarak")])
    assert glossary_problems("tr", [("Your bookings", "Kayıtlarınız")])
    assert glossary_problems("ar", [("Activity", "النشاط")])
    assert glossary_problems("ar", [("No sessions planned.", "لا توجد جلسات مخططة.")])
    assert glossary_problems("ar", [("x huisartsenpost", "اتصل بطبيب الطوارئ (huisartsenpost)")])
    assert not glossary_problems("ar", [("Latitude", "خط العرض")])
    assert not glossary_problems("tr", [("beweegmakelaar", "hareket danışmanına (beweegmakelaar)")])
    assert isolation_problems([("Back to %(title)s", "العودة إلى %(title)s")])
    assert not isolation_problems([("%(num)s of %(title)s", "%(num)s من \u2068%(title)s\u2069")])
    assert informal_problems([("Delete my account", "Hesabımı sil")])
    assert informal_problems([("Add to my calendar (.ics file)", "Takvimime ekle (.ics dosyası)")])
    assert not informal_problems([("Delete my account", "Hesabımı silin")])
    assert not informal_problems([("Ask", "Aile hekiminize sorun.")])


def test_glossary_names_every_domain_term():
    expected = {"resident", "professional", "beweegmakelaar", "coordinator", "programme", "session", "route map"}
    expected |= {"care relation", "thread", "referral", "health check", "booking", "registration", "record"}
    expected |= {"appointment", "waiting list", "organisation", "huisartsenpost"}
    assert expected <= set(GLOSSARY["terms"])
