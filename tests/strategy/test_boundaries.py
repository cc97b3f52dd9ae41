"""strategy/ knows the other spaces only through core.contributions: it never imports their code."""

import ast
from pathlib import Path

import strategy

SOURCE_APPS = {"mapvotes", "ideas", "volunteering"}


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and _dynamic_import_target(node):
            yield node.lineno, _dynamic_import_target(node)


def _dynamic_import_target(call: ast.Call) -> str | None:
    """importlib.import_module("x") / __import__("x") with a literal name."""
    name = getattr(call.func, "id", getattr(call.func, "attr", ""))
    if name in {"import_module", "__import__"} and call.args and isinstance(call.args[0], ast.Constant):
        return call.args[0].value if isinstance(call.args[0].value, str) else None
    return None


def test_strategy_never_imports_mapvotes_ideas_or_volunteering():
    root = Path(strategy.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) > 10
    offending = [
        f"{path.relative_to(root.parent)}:{line} imports {module}"
        for path in files
        for line, module in imported_modules(path)
        if module.split(".")[0] in SOURCE_APPS
    ]
    assert offending == []
