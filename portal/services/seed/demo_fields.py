"""The demo's YAML files: reading them and validating their fields, naming file, item and field on an error."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import yaml

from portal.config import LANGUAGES
from portal.services.content_errors import ContentError, require
from portal.services.slugs import SLUG_PATTERN

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_POSTCODE = re.compile(r"^\d{4} [A-Z]{2}$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser where installed: 8 times faster


def read_yaml(path: Path) -> dict:
    """Parse a YAML file; raise ContentError naming it when it is not a mapping."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506  (a safe loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(path.name, "file", f"cannot be read as YAML: {error}") from error
    if not isinstance(data, dict):
        raise ContentError(path.name, "file", "expected a mapping at the top level")
    return data


def slug(item: dict, file: str, where: str) -> str:
    """The item's slug; raise ContentError when it is not lowercase letters, digits and hyphens."""
    value = require(item, "slug", str, file, where)
    if not SLUG_PATTERN.match(value):
        raise ContentError(file, f"{where}.slug", f"{value!r} is not lowercase letters, digits and hyphens")
    return value


def translations(item: dict, key: str, file: str, where: str, *, optional: bool = False) -> dict:
    """A text per language with the Dutch one required; {} when optional and absent."""
    texts = require(item, key, dict, file, where, optional=optional)
    if texts is None:
        return {}
    unknown = set(texts) - set(LANGUAGES)
    if unknown:
        raise ContentError(file, f"{where}.{key}", f"unknown languages {sorted(unknown)}")
    if not isinstance(texts.get("nl"), str) or not texts["nl"].strip():
        raise ContentError(file, f"{where}.{key}.nl", "the Dutch text is missing")
    return {lang: str(text).strip() for lang, text in texts.items() if text}


def address(item: dict, file: str, where: str) -> dict:
    """Street, house number, Dutch postcode and city of the item."""
    postcode = require(item, "postcode", str, file, where)
    if not _POSTCODE.match(postcode):
        raise ContentError(file, f"{where}.postcode", f"{postcode!r} is not a Dutch postcode like '3563 AB'")
    return {
        "street": require(item, "street", str, file, where),
        "house_number": str(require(item, "house_number", (str, int), file, where)),
        "postcode": postcode,
        "city": require(item, "city", str, file, where),
    }


def coordinates(item: dict, file: str, where: str) -> tuple[float, float]:
    """Latitude and longitude of the item, checked to lie in the Netherlands."""
    lat = require(item, "latitude", float, file, where)
    lng = require(item, "longitude", float, file, where)
    if not (50.7 <= lat <= 53.7 and 3.2 <= lng <= 7.3):
        raise ContentError(file, f"{where}.latitude", "the coordinates lie outside the Netherlands")
    return lat, lng


def programme_texts(item: dict, file: str, where: str) -> dict[str, dict]:
    """A programme's title, summary, description and referral text per language; Dutch required."""
    texts = require(item, "texts", dict, file, where)
    if "nl" not in texts:
        raise ContentError(file, f"{where}.texts.nl", "the Dutch text is missing")
    result = {}
    for lang, block in texts.items():
        if lang not in LANGUAGES:
            raise ContentError(file, f"{where}.texts.{lang}", "unknown language")
        at = f"{where}.texts.{lang}"
        result[lang] = {
            "title": require(block, "title", str, file, at),
            "summary": require(block, "summary", str, file, at),
            "description": require(block, "description", str, file, at),
            "referral": require(block, "referral", str, file, at, optional=True),
        }
    return result


def schedule(item: dict, file: str, where: str) -> list[tuple[int, time, int, int]]:
    """A programme's weekly slots as (weekday number, start, minutes, capacity)."""
    slots = []
    for j, slot in enumerate(require(item, "schedule", list, file, where)):
        at = f"{where}.schedule[{j}]"
        weekday = require(slot, "weekday", str, file, at)
        if weekday not in WEEKDAYS:
            raise ContentError(file, f"{at}.weekday", f"{weekday!r} is not a day of the week")
        start = require(slot, "start", str, file, at)
        if not _CLOCK.match(start):
            raise ContentError(file, f"{at}.start", f"{start!r} is not a time like '09:30'")
        minutes = require(slot, "minutes", int, file, at)
        capacity = require(slot, "capacity", int, file, at)
        if not 1 <= minutes <= 24 * 60:
            raise ContentError(file, f"{at}.minutes", "must be between 1 and 1440")
        if not 1 <= capacity <= 500:
            raise ContentError(file, f"{at}.capacity", "must be between 1 and 500")
        slots.append((WEEKDAYS.index(weekday), time.fromisoformat(start), minutes, capacity))
    return slots
