"""The translated names of the route maps' dimensions and levels, and of an offer suiting a level."""

from __future__ import annotations

from portal.translation import lazy_gettext as _l

DIMENSION_LABELS = {
    "zelfredzaamheid": _l("Self-reliance"),
    "gezondheidsvaardigheden": _l("Health literacy"),
    "motivatie": _l("Motivation"),
}
DIMENSION_HINTS = {
    "zelfredzaamheid": _l("How well does the resident arrange things on their own?"),
    "gezondheidsvaardigheden": _l("How well does the resident find, understand and use health information?"),
    "motivatie": _l("How much does the resident want to change?"),
}
LEVEL_LABELS = {"laag": _l("Low"), "midden": _l("Medium"), "hoog": _l("High")}
ANY_LEVEL_LABEL = _l("Not sure / any")
FIT_LABELS = {
    ("zelfredzaamheid", "laag"): _l("Suits low self-reliance"),
    ("zelfredzaamheid", "midden"): _l("Suits medium self-reliance"),
    ("zelfredzaamheid", "hoog"): _l("Suits high self-reliance"),
    ("gezondheidsvaardigheden", "laag"): _l("Suits low health literacy"),
    ("gezondheidsvaardigheden", "midden"): _l("Suits medium health literacy"),
    ("gezondheidsvaardigheden", "hoog"): _l("Suits high health literacy"),
    ("motivatie", "laag"): _l("Suits low motivation"),
    ("motivatie", "midden"): _l("Suits medium motivation"),
    ("motivatie", "hoog"): _l("Suits high motivation"),
}
