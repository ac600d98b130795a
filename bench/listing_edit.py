"""A listing edit made through the app (the broker's edit form, signed in) and how long it takes to show elsewhere."""

from __future__ import annotations

import gzip
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FormFields(HTMLParser):
    """The fields a browser would submit from the first form posting to `action_suffix` (or to the page itself)."""

    def __init__(self, action_suffix: str):
        super().__init__()
        self.suffix, self.inside, self.done = action_suffix, False, False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        action = (a.get("action") or "").split("?")[0]
        if tag == "form" and not self.done and a.get("method", "").lower() == "post" and action in ("", self.suffix):
            self.inside = True
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input" and a.get("type") not in {"submit", "button", "file", "image", "reset"}:
            if a.get("type") not in {"checkbox", "radio"} or "checked" in a:
                self.fields.append((a["name"], a.get("value") or ("on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def _cookie_after(cookie: str, set_cookie: list[str]) -> str:
    """The Cookie header value after the server's Set-Cookie headers (name=value pairs only)."""
    jar = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)
    for header in set_cookie:
        name, value = header.split(";", 1)[0].split("=", 1)
        jar[name.strip()] = value
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def edit_title(base: str, cookie: str, programme_id: int, title: str) -> int:
    """Change the Dutch title of a programme through /nl/broker/programmes/<id>/edit; returns the POST's status."""
    opener = urllib.request.build_opener(_NoRedirect)
    path = f"/nl/broker/programmes/{programme_id}/edit"
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310  (our own local server)
    with opener.open(request, timeout=30) as response:
        page = response.read().decode()
        cookie = _cookie_after(cookie, response.headers.get_all("Set-Cookie") or [])
    parser = FormFields(path)
    parser.feed(page)
    fields = [(name, title if name == "nl-title" else value) for name, value in parser.fields]
    if not any(name == "nl-title" for name, _ in fields):
        raise RuntimeError(f"{path}: no nl-title field in the form")
    body = urllib.parse.urlencode(fields).encode()
    post = urllib.request.Request(base + path, data=body, headers={"Cookie": cookie}, method="POST")  # noqa: S310
    try:
        with opener.open(post, timeout=30) as response:
            return response.status  # 200: the form again, with its errors
    except urllib.error.HTTPError as error:
        return error.code  # 302 (saved, redirected) lands here as the redirect is not followed


def _seconds(cache_control: str, name: str) -> int | None:
    found = re.search(rf"(?:^|[,\s]){name}=(\d+)", cache_control or "")
    return int(found.group(1)) if found else None


def max_age(cache_control: str) -> int | None:
    """The longest a shared cache may show a response after the origin changed it: s-maxage (else max-age) plus
    stale-while-revalidate (RFC 5861), the bound the headers document; None when no lifetime is given."""
    fresh = _seconds(cache_control, "s-maxage")
    fresh = _seconds(cache_control, "max-age") if fresh is None else fresh
    return None if fresh is None else fresh + (_seconds(cache_control, "stale-while-revalidate") or 0)


def seconds_until_seen(url: str, text: str, limit: float, interval: float = 0.25) -> float | None:
    """Poll `url` (anonymous, gzip accepted like a browser) until its body holds `text`; None after `limit` s."""
    started = time.monotonic()
    while time.monotonic() - started <= limit:
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
        if text in body.decode("utf-8", "replace"):
            return round(time.monotonic() - started, 2)
        time.sleep(interval)
    return None
