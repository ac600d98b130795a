"""The route-map selector's form from the memo is the one rendered fresh, for every language and choice."""

from __future__ import annotations

import re


def _form(html: str) -> str:
    return re.search(r'<form class="wp-selector__form".*?</form>', html, re.S).group(0)


def _forms(client) -> dict[str, str]:
    queries = ("", "?zelfredzaamheid=laag", "?motivatie=hoog&zelfredzaamheid=midden", "?motivatie=xyz", "?x=1")
    return {
        f"{lang}{query}": _form(client.get(f"/{lang}/routekaarten/meer-bewegen{query}").get_data(as_text=True))
        for lang in ("nl", "en", "tr", "ar")
        for query in queries
    }


def test_selector_forms_from_the_memo_are_the_ones_rendered_fresh(app, client):
    memo = app.extensions["routekaart_fragments"]
    memo.clear()
    fresh = _forms(client)
    assert memo  # the first round filled it
    assert _forms(client) == fresh  # the second round came from it
    app.extensions.pop("routekaart_fragments")
    try:
        assert _forms(client) == fresh  # and without a memo at all
    finally:
        app.extensions["routekaart_fragments"] = memo
    assert 'value="laag" checked' in fresh["nl?zelfredzaamheid=laag"]
    assert "wp-selector__clear" in fresh["en?motivatie=xyz"] and "wp-selector__clear" not in fresh["en"]
