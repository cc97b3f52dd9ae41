"""The README and docs/ stay short and true: links that lead somewhere, make targets that exist, configuration
variables that the settings really read."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]

FENCE = re.compile(r"^```.*?^```", re.M | re.S)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
MAKE = re.compile(r"(?:^|[\s;&(])make ([a-z][a-z0-9-]*)", re.M)
TARGET = re.compile(r"^([a-z][a-z0-9-]*):", re.M)
ENV_NAME = re.compile(r"`([A-Z][A-Z0-9_]{2,})`")


def _prose(text: str) -> str:
    """The text without fenced code blocks and code spans (where brackets and parentheses mean something else)."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def _code(text: str) -> list[str]:
    """Fenced code blocks and code spans: where the docs name commands."""
    return [m.group(0) for m in FENCE.finditer(text)] + CODE_SPAN.findall(FENCE.sub("", text))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_readme_reads_in_five_minutes():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move details to docs/ (at most 200)"


def test_every_docs_page_is_linked_from_the_readme():
    readme = README.read_text(encoding="utf-8")
    missing = [_name(doc) for doc in DOCS if f"]({_name(doc)})" not in readme]
    assert not missing, f"docs pages that the README does not link: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_relative_links_lead_to_files(page):
    links = LINK.findall(_prose(page.read_text(encoding="utf-8")))
    broken = []
    for target in links:
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # http(s), mailto…, or an anchor in the same page
        path = target.split("#", 1)[0]
        if not (page.parent / path).exists():
            broken.append(target)
    assert not broken, f"{_name(page)} links to missing files: {broken}"


def test_readme_has_links_to_check():
    # The link check above must not pass because it found nothing.
    assert len(LINK.findall(_prose(README.read_text(encoding="utf-8")))) >= 10


def test_make_targets_named_in_the_docs_exist():
    targets = set(TARGET.findall((ROOT / "Makefile").read_text(encoding="utf-8")))
    named = {}
    for page in PAGES:
        for snippet in _code(page.read_text(encoding="utf-8")):
            for target in MAKE.findall(snippet):
                named.setdefault(target, _name(page))
    assert {"run", "test"} <= set(named), "the README names its two commands, make run and make test"
    unknown = {target: where for target, where in named.items() if target not in targets}
    assert not unknown, f"make targets named in the docs but absent from the Makefile: {unknown}"


def _configuration_table() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Configuration\n(.*?)(?=^## )", text, re.M | re.S)
    assert section, "the README has a '## Configuration' section"
    rows = [line for line in section.group(1).splitlines() if line.startswith("| `")]
    return [name for row in rows for name in ENV_NAME.findall(row.split("|")[1])]


def test_configuration_table_names_variables_the_settings_read():
    names = _configuration_table()
    assert len(names) >= 10, f"the configuration table lists too few variables: {names}"
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "config").rglob("*.py"))
    unread = [name for name in names if f'"{name}"' not in source and f"'{name}'" not in source]
    assert not unread, f"variables in the README's configuration table that config/ never reads: {unread}"
