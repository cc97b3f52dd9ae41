"""Non-breaking spaces in the French catalogs' translations: before : (U+00A0) and ; ! ? (U+202F), inside « ».

Usage: .venv/bin/python scripts/french_typography.py  — rewrites every */locale/fr/LC_MESSAGES/django.po in place
(msgstr lines only); tests/test_words.py checks the result.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = [
    (re.compile(r" :(?=\s|$|\"|\\n)"), "\u00a0:"),
    (re.compile(r" ([;!?])"), "\u202f\\1"),
    (re.compile(r"« "), "«\u00a0"),
    (re.compile(r" »"), "\u00a0»"),
]


def fix_line(line: str) -> str:
    for pattern, replacement in RULES:
        line = pattern.sub(replacement, line)
    return line


def fix_catalog(path: Path) -> bool:
    lines, in_msgstr, changed = [], False, False
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("msgstr"):
            in_msgstr = True
        elif line.startswith(("msgid", "#")) or not line.strip():
            in_msgstr = False
        if in_msgstr:
            fixed = fix_line(line)
            changed |= fixed != line
            line = fixed
        lines.append(line)
    if changed:
        path.write_text("".join(lines), encoding="utf-8")
    return changed


if __name__ == "__main__":
    for catalog in sorted(ROOT.glob("**/locale/fr/LC_MESSAGES/django.po")):
        if ".venv" not in catalog.parts and fix_catalog(catalog):
            print(f"fixed {catalog.relative_to(ROOT)}")
