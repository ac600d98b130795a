"""Markdown from content and listings is rendered and sanitised."""

from portal.markdown_text import render_markdown


def test_markdown_renders_simple_formatting():
    html = render_markdown("**Neem** mee:\n\n- water\n- sportschoenen")
    assert "<strong>Neem</strong>" in html
    assert "<li>water</li>" in html


def test_script_and_event_handlers_are_removed():
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[x](javascript:alert(3))')
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as inert text


def test_links_get_safe_rel():
    html = render_markdown("[Buurtteam](https://example.org)")
    assert 'href="https://example.org"' in html
    assert "noopener" in html
