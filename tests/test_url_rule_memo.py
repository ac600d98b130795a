"""The tests' memo of Werkzeug's URL builders (tests/support/url_rules.py) gives the code Werkzeug compiles."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import Map
from werkzeug.routing.rules import Rule

from tests.support import url_rules


def test_the_memo_is_installed():
    assert Rule._compile_builder is url_rules._compile_builder


def test_every_rule_gets_the_builder_werkzeug_compiles(app):
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100
    for rule in rules:
        for append_unknown in (False, True):
            memo = rule._compile_builder(append_unknown)
            fresh = url_rules.original_builder(rule, append_unknown)
            assert memo.__name__ == fresh.__name__, rule.rule
            assert memo.__code__.co_code == fresh.__code__.co_code, rule.rule
            assert memo.__code__.co_consts == fresh.__code__.co_consts, rule.rule
            assert memo.__code__.co_varnames == fresh.__code__.co_varnames, rule.rule
            assert memo.__defaults__ == fresh.__defaults__, rule.rule


def test_two_apps_build_the_same_links(app, make_app):
    other = make_app()
    for each in (app, other):
        with each.test_request_context("/nl/"):
            each.preprocess_request()
            assert url_for("programmes.detail", slug="wandelen", page=2) == "/nl/programmes/wandelen?page=2"
            assert url_for("main.home", lang="ar") == "/ar/"


def test_a_rule_with_a_default_in_its_path_keys_on_the_default():
    first, second = Rule("/<lang>/x", defaults={"lang": "nl"}), Rule("/<lang>/x", defaults={"lang": "en"})
    Map([first, second])
    assert url_rules.builder_key(first, False) != url_rules.builder_key(second, False)
    assert first.build({})[1] == "/nl/x" and second.build({})[1] == "/en/x"
