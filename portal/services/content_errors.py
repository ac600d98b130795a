"""Errors in content files that name the file, the item and the field."""

from __future__ import annotations


class ContentError(ValueError):
    """A content file is malformed; the message names file, item and field."""

    def __init__(self, file: str, where: str, message: str):
        self.file, self.where, self.detail = file, where, message
        super().__init__(f"{file}: {where}: {message}")


def require(data, key: str, kind, file: str, where: str, *, optional: bool = False):
    """Return data[key] checked against `kind`; raise ContentError naming the field."""
    if not isinstance(data, dict):
        raise ContentError(file, where, "expected a mapping")
    value = data.get(key)
    if value is None:
        if optional:
            return None
        raise ContentError(file, f"{where}.{key}", "is missing")
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ContentError(file, f"{where}.{key}", f"expected {names}, got {type(value).__name__}")
    if isinstance(value, str) and not value.strip():
        raise ContentError(file, f"{where}.{key}", "is empty")
    return value
