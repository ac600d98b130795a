"""One rule for the characters no submitted text may hold, shared by forms, JSON bodies, the CSV import and migrations.

Refused everywhere: C0 controls U+0000-U+001F (NUL included), DEL U+007F, C1 controls U+0080-U+009F,
lone surrogates U+D800-U+DFFF and the noncharacters U+FFFE and U+FFFF. A multi-line field (a text area,
the CSV's descriptions) also allows TAB, LF and CR; a single-line field refuses them too. Everything else
is allowed, including the bidi isolates U+2066-U+2069 and marks U+200E/U+200F that Arabic text needs.
"""

from __future__ import annotations

LINE_CHARACTERS = frozenset("\t\n\r")


def is_refused(character: str, *, multiline: bool = False) -> bool:
    """True when `character` may not appear in a field (single-line unless `multiline`)."""
    code = ord(character)
    if code < 0x20:
        return not (multiline and character in LINE_CHARACTERS)
    return code == 0x7F or 0x80 <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)


def bad_characters(text: str, *, multiline: bool = False) -> str:
    """The refused characters of `text`, each once, in order of appearance ("" when the text is fine)."""
    found = dict.fromkeys(ch for ch in text if is_refused(ch, multiline=multiline))
    return "".join(found)


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` with each refused character written as an escape such as \\x00 or \\ud800, to quote it safely."""
    return "".join(_escape(ch) if is_refused(ch, multiline=multiline) else ch for ch in text)


def cleaned(text: str, *, multiline: bool = False) -> str:
    """`text` without refused characters; in a single-line field TAB, LF and CR become a space."""
    kept = []
    for ch in text:
        if not is_refused(ch, multiline=multiline):
            kept.append(ch)
        elif ch in LINE_CHARACTERS:
            kept.append(" ")
    return "".join(kept)


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
