"""Read the POST forms of an HTML page as a browser would submit them: action and default field values."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


class _FormReader(HTMLParser):
    """Collects each POST form's action path and its fields' values (checked boxes, selected options)."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        """Open a form, or note a field of the open form."""
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            if attributes.get("method", "get").lower() == "post":
                action = urlsplit(urljoin(self.page_path, attributes.get("action") or self.page_path)).path
                self._fields = {}
                self.forms.append((action, self._fields))
            return
        if self._fields is None or ("name" not in attributes and tag != "option"):
            return
        name = attributes.get("name")
        if tag == "input":
            kind = attributes.get("type", "text").lower()
            self._fields.setdefault(name, [])
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            if kind not in ("submit", "button", "file"):
                self._fields[name].append(attributes.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select, self._select_first = name, None
            self._fields.setdefault(name, [])
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            self._select_first = self._select_first if self._select_first is not None else value
            if "selected" in attributes:
                self._fields[self._select].append(value)
        elif tag == "textarea":
            self._textarea = name
            self._fields[name] = [""]
        elif tag == "button" and attributes.get("value"):
            self._fields.setdefault(name, [attributes["value"]])

    def handle_data(self, data):
        """Text inside a textarea is its value."""
        if self._textarea and self._fields is not None:
            self._fields[self._textarea][0] += data

    def handle_endtag(self, tag):
        """Close a form, select or textarea."""
        if tag == "form":
            self._fields = None
        elif tag == "select" and self._select and self._fields is not None:
            if not self._fields[self._select] and self._select_first is not None:
                self._fields[self._select].append(self._select_first)
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(page_path: str, html: str) -> list[tuple[str, dict[str, list[str]]]]:
    """The POST forms of a page as (action path, field name -> values)."""
    reader = _FormReader(page_path)
    reader.feed(html)
    return reader.forms
