"""Markdown to HTML, sanitised so content can never inject markup or script."""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}


def render_markdown(text: str) -> str:
    """Render Markdown and keep only a small set of harmless tags and http(s)/mailto/tel links."""
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def markdown_to_text(text: str) -> str:
    """The readable text of Markdown, without markup, for snippets and summaries."""
    return html.unescape(nh3.clean(_md.render(text or ""), tags=set())).strip()
