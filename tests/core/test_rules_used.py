"""Every permission declared with django-rules is asked for somewhere in the code: a rule nobody asks for is a rule
that protects nothing (and a matrix test of it proves nothing)."""

import re
from pathlib import Path

from django.contrib import admin
from rules.permissions import permissions

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "tests", "migrations", "node_modules", "var", "bench", ".git"}
ADMIN_ACTIONS = ("view", "add", "change", "delete")


def product_sources() -> dict[Path, str]:
    return {
        path: path.read_text(errors="replace")
        for path in ROOT.rglob("*")
        if path.suffix in {".py", ".html", ".txt"}
        and path.is_file()
        and not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)
    }


def asked_by_the_admin() -> set[str]:
    """Names the admin site asks for itself: "<app>" (the module) and "<app>.<action>_<model>" for every registered
    model and every inline model."""
    names = set()
    for model, model_admin in admin.site._registry.items():
        models = [model] + [inline.model for inline in model_admin.inlines]
        for m in models:
            names.add(m._meta.app_label)
            names.update(f"{m._meta.app_label}.{action}_{m._meta.model_name}" for action in ADMIN_ACTIONS)
    return names


def unused_permissions() -> list[str]:
    sources = product_sources()
    by_admin = asked_by_the_admin()
    unused = []
    for name in sorted(permissions):
        quoted = re.compile(r"""["']""" + re.escape(name) + r"""["']""")
        declaration = re.compile(r"""add_perm\(\s*["']""" + re.escape(name) + r"""["']""")
        asked = any(len(quoted.findall(text)) > len(declaration.findall(text)) for text in sources.values())
        if not asked and name not in by_admin:
            unused.append(name)
    return unused


def test_every_declared_permission_is_asked_for_somewhere():
    assert unused_permissions() == []


def test_the_check_sees_a_permission_declared_and_asked_for_nowhere():
    import rules

    rules.add_perm("core.nobody_asks_for_this", rules.always_allow)
    try:
        assert unused_permissions() == ["core.nobody_asks_for_this"]
    finally:
        rules.remove_perm("core.nobody_asks_for_this")


def test_the_check_reads_the_rules_of_every_app():
    assert {name.split(".")[0] for name in permissions} >= {
        "accounts",
        "budget",
        "core",
        "ideas",
        "mapvotes",
        "pages",
        "strategy",
        "volunteering",
    }
