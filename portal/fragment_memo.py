"""Memos of what derives only from code, templates and catalogs: bounded dicts, and template fragments kept per app.

Nothing from the database or about a person goes in (an edit must show on the next request on every worker). A
memo empties itself when full, so a stream of new keys cannot grow it without end; fragment memos are off in
debug mode, where templates reload."""

from __future__ import annotations

from collections.abc import Hashable

from flask import Flask, current_app, render_template
from markupsafe import Markup


class BoundedMemo(dict):
    """A dict that empties itself before it would hold more than `size` entries."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Hashable, value):
        """Keep `value` under `key` (emptying the memo first when it is full); returns `value`."""
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value


def rendered_fragment(memo_name: str, template: str, key: tuple, values: dict) -> Markup:
    """The HTML of `template` rendered with `values`, from the app's memo `memo_name` under `key` when it has it.
    `key` must name everything the fragment depends on besides the templates and catalogs."""
    memo = current_app.extensions.get(memo_name)
    html = memo.get(key) if memo is not None else None
    if html is None:
        html = Markup(render_template(template, **values))  # noqa: S704  (our own template's output)
        if memo is not None:
            memo.put(key, html)
    return html


def keep_fragments(app: Flask, memo_name: str, size: int) -> None:
    """Give the app a fragment memo `memo_name`, unless templates reload (debug)."""
    if not (app.debug or app.config.get("TEMPLATES_AUTO_RELOAD")):
        app.extensions[memo_name] = BoundedMemo(size)
