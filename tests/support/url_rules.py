"""Werkzeug's URL builders compiled once per test process, not once per app: every test builds a new app.

Werkzeug compiles a Python function per URL rule (twice: with and without unknown values as a query string)
each time a rule is added to a map, so create_app spends about half its time (50 ms) compiling the same
functions again. A builder's code is a pure function of the rule's text, its parts, the values of its
defaults and whether it appends unknown values; it holds no state (it reads the converters through the rule
it is bound to). So the tests keep the compiled function per such key and bind it to each new rule, as
Werkzeug itself does. The app is the same; tests/test_url_rule_memo.py checks the code is identical.
"""

from __future__ import annotations

from werkzeug.routing.rules import Rule

_ORIGINAL = Rule._compile_builder
_BUILDERS: dict[tuple, object] = {}


def builder_key(rule: Rule, append_unknown: bool) -> tuple:
    """All the compiled builder depends on, as Rule._compile_builder reads it."""
    defaults = rule.defaults or {}
    trace = tuple(
        (False, rule._converters[data].to_url(defaults[data]))
        if is_dynamic and data in defaults
        else (is_dynamic, data)
        for is_dynamic, data in rule._trace
    )
    return (rule.rule, append_unknown, trace, tuple(str(key) for key in defaults))


def _compile_builder(self: Rule, append_unknown: bool = True):
    """Rule._compile_builder, from the memo when the same builder was compiled before."""
    key = builder_key(self, append_unknown)
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = _ORIGINAL(self, append_unknown)
    return builder


def install() -> None:
    """Compile each distinct builder once in this process (the tests' conftest calls this at import)."""
    Rule._compile_builder = _compile_builder


def original_builder(rule: Rule, append_unknown: bool):
    """A builder compiled anew by Werkzeug, bypassing the memo (for the test that compares them)."""
    return _ORIGINAL(rule, append_unknown)
