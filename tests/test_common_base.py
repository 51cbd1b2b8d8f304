"""The shared base (common/) sits below every app: it imports none of them, so any app may
import it without a cycle (STYLE: the root package only wires the project)."""

import ast
from pathlib import Path

APPS = {"accounts", "tickets", "feedback", "resolution", "channels", "supportdesk"}
COMMON = Path(__file__).resolve().parent.parent / "common"


def imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_common_imports_no_app():
    modules = sorted(COMMON.glob("*.py"))
    assert len(modules) >= 6
    for module in modules:
        assert not imported_top_levels(module) & APPS, module.name
