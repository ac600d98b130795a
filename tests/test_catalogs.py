"""Every shipped catalog is complete: no untranslated or fuzzy entries, placeholders that match."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("nl", "en", "tr", "ar")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")


def _catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _forms(message):
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return ids, strings


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """The msgids found in the source right now."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l"]
    subprocess.run([*command, "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete_and_not_fuzzy(lang):
    problems = []
    for message in _catalog(lang):
        if not message.id:
            continue
        ids, strings = _forms(message)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated: {ids[0]!r}")
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) != expected:
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_string_in_the_source(lang, extracted):
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(lang) if m.id}
    missing = sorted(extracted - in_catalog)
    assert missing == [], f"run 'make translations' and translate: {missing[:10]}"


# Short strings a translator cannot place without a hint; each carries an `i18n:` comment in the source.
AMBIGUOUS = ("Book a place", "Book my place", "Confirm", "Free", "Free places", "Full", "Needed", "Session", "Suits")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ambiguous_strings_reach_the_translator_with_their_comment(lang):
    catalog = _catalog(lang)
    uncommented = [msgid for msgid in AMBIGUOUS if catalog.get(msgid) is None or not catalog.get(msgid).auto_comments]
    assert uncommented == [], "add an '# i18n:' comment in the source and run 'make translations'"
