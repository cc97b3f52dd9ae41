"""The layers of the project, kept by reading the imports (as tests/strategy/test_boundaries.py does for strategy):

- serving/ (the request machinery) knows no domain: it imports neither core nor accounts nor any space;
  what it needs from them comes through settings (e.g. SERVING_REFUSAL_REASON);
- core/ (the shared domain) knows no space: the spaces register with it (contributions, periodic jobs, GDPR...).
Function-level imports and importlib.import_module("...") with a literal name count as much as the others.
"""

import ast
from pathlib import Path

import pytest

import core
import serving
from tests.strategy.test_boundaries import _dynamic_import_target  # importlib.import_module("x"), __import__("x")

SPACES = {"ideas", "volunteering", "mapvotes", "budget", "strategy"}
DOMAIN = {"core", "accounts", "pages"} | SPACES
RULES = {
    "serving": (Path(serving.__file__).parent, DOMAIN),
    "core": (Path(core.__file__).parent, SPACES),
}


def imported_modules(path: Path, package: str):
    """(line, absolute module name) of every import of the file; relative imports resolved against `package`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = parts[: len(parts) - node.level + 1] if node.level else []
            if node.module:
                yield node.lineno, ".".join([*base, node.module])
            else:  # from . import x, from .. import y: the names are the modules
                for alias in node.names:
                    yield node.lineno, ".".join([*base, alias.name])
        elif isinstance(node, ast.Call) and _dynamic_import_target(node):
            yield node.lineno, _dynamic_import_target(node)


def violations(layer: str) -> list[str]:
    root, forbidden = RULES[layer]
    files = sorted(root.rglob("*.py"))
    assert len(files) > 5, f"no sources found under {root}"
    found = []
    for path in files:
        relative = path.relative_to(root.parent)
        package = ".".join(relative.with_suffix("").parts[:-1])
        for line, module in imported_modules(path, package):
            if module.split(".")[0] in forbidden:
                found.append(f"{relative}:{line} imports {module}")
    return found


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_nothing_above_it(layer):
    assert violations(layer) == []


def test_the_scan_sees_every_kind_of_import(tmp_path):
    source = tmp_path / "serving" / "sample.py"
    source.parent.mkdir()
    source.write_text(
        "import accounts.rules\n"
        "from core.models import Theme\n"
        "def f():\n"
        "    from mapvotes import services\n"
        "    importlib.import_module('strategy.services')\n"
        "from .. import budget\n"
        "from . import cache\n"
    )
    found = sorted(module for _line, module in imported_modules(source, "serving"))
    assert found == ["accounts.rules", "budget", "core.models", "mapvotes", "serving.cache", "strategy.services"]
