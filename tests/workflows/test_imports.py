"""The engine knows nothing of the apps built on it (workflows imports neither reviews nor notifications),
and neither do its tests: they run on tests/workflows/fsm_app, a model of their own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# tests.factories, tests.reviews and tests.notifications import reviews themselves.
FORBIDDEN = ("reviews", "notifications", "tests.factories", "tests.reviews", "tests.notifications")


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def forbidden_imports(folder: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(folder.rglob("*.py")):
        bad = sorted(m for m in imported_modules(path) if any(m == f or m.startswith(f"{f}.") for f in FORBIDDEN))
        if bad:
            found[str(path.relative_to(folder))] = bad
    return found


@pytest.mark.parametrize("folder", ["workflows", "tests/workflows"])
def test_nothing_imports_the_apps_built_on_the_engine(folder):
    assert forbidden_imports(ROOT / folder) == {}


def test_the_check_sees_an_import_of_reviews(tmp_path):
    (tmp_path / "module.py").write_text("import os\nfrom reviews.models import Review\nimport notifications.sweep\n")
    found = forbidden_imports(tmp_path)
    assert list(found.values()) == [["notifications.sweep", "reviews.models"]]
