"""The memo of built URLs: the same links as Flask builds, per language, host and script root; bounded."""

from __future__ import annotations

from flask import Flask, url_for

from portal.fragment_memo import BoundedMemo


def _flask_url(app, endpoint, **values):
    """What Flask itself builds, bypassing the memo."""
    return Flask.url_for(app, endpoint, **values)


def test_links_are_the_ones_flask_builds_in_every_language(app):
    for lang in ("nl", "ar"):
        with app.test_request_context(f"/{lang}/programmes"):
            app.preprocess_request()
            for endpoint, values in (
                ("main.home", {}),
                ("programmes.detail", {"slug": "wandelen-in-het-park"}),
                ("programmes.index", {"page": 2, "q": "zwemmen"}),
                ("static", {"filename": "css/portal.css"}),
                ("main.home", {"lang": "tr"}),
                ("main.home", {"_anchor": "soon"}),
            ):
                first, second = url_for(endpoint, **values), url_for(endpoint, **values)
                assert first == second == _flask_url(app, endpoint, **values)
            assert url_for("main.home") == f"/{lang}/"


def test_the_same_link_is_built_once(app, monkeypatch):
    built = []
    original = Flask.url_for

    def counting(self, endpoint, **values):
        built.append(endpoint)
        return original(self, endpoint, **values)

    monkeypatch.setattr(Flask, "url_for", counting)
    with app.test_request_context("/nl/"):
        app.preprocess_request()
        for _ in range(3):
            url_for("programmes.detail", slug="a")
    assert built == ["programmes.detail"]


def test_external_links_follow_the_host_and_the_script_root(app):
    seen = {}
    for base in ("https://one.example", "https://two.example", "https://one.example/portaal"):
        with app.test_request_context("/nl/", base_url=base):
            app.preprocess_request()
            seen[base] = (url_for("main.home", _external=True), url_for("main.home"))
    assert seen["https://one.example"] == ("https://one.example/nl/", "/nl/")
    assert seen["https://two.example"] == ("https://two.example/nl/", "/nl/")
    assert seen["https://one.example/portaal"] == ("https://one.example/portaal/nl/", "/portaal/nl/")


def test_objects_lists_and_booleans_are_not_remembered(app):
    with app.test_request_context("/nl/programmes"):
        app.preprocess_request()
        app.url_memo.clear()
        url_for("programmes.index", day=["tue", "wed"])
        url_for("programmes.index", q=True)
        url_for("programmes.index", page=1.0)
        assert app.url_memo == {}
        assert url_for("programmes.index", page=1) != url_for("programmes.index", page=True)


def test_outside_a_request_nothing_is_remembered(app):
    app.config["SERVER_NAME"] = "portal.example"
    with app.app_context():
        app.url_memo.clear()
        assert url_for("main.home", lang="nl") == "http://portal.example/nl/"
        assert app.url_memo == {}


def test_the_memo_stays_within_its_size(app, monkeypatch):
    monkeypatch.setattr(app.url_memo, "size", 5)
    with app.test_request_context("/nl/"):
        app.preprocess_request()
        for number in range(12):
            url_for("programmes.detail", slug=f"p-{number}")
            assert len(app.url_memo) <= 5
        assert url_for("programmes.detail", slug="p-11") == "/nl/programmes/p-11"


def test_a_bounded_memo_empties_itself_when_full():
    memo = BoundedMemo(2)
    assert memo.put("a", 1) == 1 and memo.put("b", 2) == 2 and memo == {"a": 1, "b": 2}
    memo.put("c", 3)
    assert memo == {"c": 3}
    memo.put("c", 4)
    assert memo == {"c": 4}
