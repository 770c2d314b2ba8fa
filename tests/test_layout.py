"""The test suite's own layout: a test module imports shared code from tests/helpers.py and gets
fixtures from tests/conftest.py, never from another test module (running one module alone then runs
no other module's code, and moving a test breaks nobody)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports (relative imports resolved within the tests package)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "tests." * bool(node.level) + (node.module or "")
            if node.module in (None, "tests") or node.level:  # from tests import x / from . import x
                names += [f"{base.rstrip('.')}.{alias.name}" if base.rstrip(".") else alias.name
                          for alias in node.names]
            else:
                names.append(node.module)
    return names


def crossing(path: Path) -> list[str]:
    test_modules = {p.stem for p in TESTS.glob("test_*.py")} | {"conftest"}
    return [name for name in imported_modules(path)
            if name.startswith("tests.") and name.split(".")[1] in test_modules]


def test_no_test_module_imports_another_test_module_or_the_conftest():
    modules = sorted(TESTS.glob("test_*.py"))
    assert modules
    found = {path.name: crossing(path) for path in modules}
    assert {name: imports for name, imports in found.items() if imports} == {}


def test_the_check_sees_every_way_of_importing_a_test_module(tmp_path):
    """The check above would catch each form (so its empty answer means something)."""
    other = sorted(TESTS.glob("test_*.py"))[0].stem
    forms = [f"from tests.{other} import x", f"import tests.{other}", f"from tests import {other}",
             f"from .{other} import x", "from . import conftest", "from tests.conftest import x"]
    for form in forms:
        path = tmp_path / "test_probe.py"
        path.write_text(form + "\n", encoding="utf-8")
        assert crossing(path), form
    path.write_text("from tests.helpers import WAIT\nfrom tests import helpers\n", encoding="utf-8")
    assert crossing(path) == []
