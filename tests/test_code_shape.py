"""The codebase keeps its shape: small modules and functions, and layers that only depend downwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
REQUEST_STATE = {"request", "session", "g"}


def _modules() -> list[Path]:
    return sorted(PORTAL.rglob("*.py"))


def _name(path: Path) -> str:
    return ".".join(path.relative_to(PORTAL.parent).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, imported names) for every import in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
    return found


def test_no_module_is_longer_than_the_limit():
    long = {
        _name(p): n for p in _modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_longer_than_the_limit():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{_name(path)}.{node.name}"] = length
    assert long == {}


def test_services_never_read_the_request():
    offenders = {
        _name(path): sorted(REQUEST_STATE & set(names))
        for path in (PORTAL / "services").rglob("*.py")
        for module, names in _imports(path)
        if module in ("flask", "flask.globals") and REQUEST_STATE & set(names)
    }
    assert offenders == {}


@pytest.mark.parametrize(("layer", "forbidden"), [("models", "portal.services"), ("services", "portal.routes")])
def test_lower_layers_import_nothing_above_them(layer, forbidden):
    offenders = {
        _name(path): module
        for path in (PORTAL / layer).rglob("*.py")
        for module, _names in _imports(path)
        if module == forbidden or module.startswith(forbidden + ".")
    }
    assert offenders == {}


def test_routes_import_no_other_route():
    """A route module may use its own package (a blueprint split into topics), never another blueprint's."""
    offenders = {}
    for path in (PORTAL / "routes").rglob("*.py"):
        own = (
            _name(path)
            if path.name == "__init__.py"
            else _name(path.parent if path.parent != PORTAL / "routes" else path)
        )
        for module, names in _imports(path):
            targets = [module] if module != "portal.routes" else [f"portal.routes.{name}" for name in names]
            for target in targets:
                if target.startswith("portal.routes.") and not (target == own or target.startswith(own + ".")):
                    offenders.setdefault(_name(path), []).append(target)
    assert offenders == {}


def test_every_service_package_and_module_says_what_it_is():
    missing = [_name(p) for p in _modules() if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert missing == []
