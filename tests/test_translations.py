"""Every catalog is complete: each French msgid has a translation, so the interface is French first."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = sorted(p for p in ROOT.glob("**/locale/*/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def untranslated(path: Path) -> list[str]:
    missing, msgid, field, fuzzy = [], None, None, False
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            msgid, field = line[6:].strip('"'), "msgid"
            strs = []
        elif line.startswith("msgstr"):
            field = "msgstr"
            strs.append(line.split(" ", 1)[1].strip('"'))
        elif line.startswith('"') and field == "msgid":
            msgid += line.strip('"')
        elif line.startswith('"') and field == "msgstr":
            strs[-1] += line.strip('"')
        elif not line.strip() and field == "msgstr":
            entries.append((msgid, strs, fuzzy))
            field, fuzzy = None, False
    for msgid, strs, fuzzy in entries:
        if msgid and (fuzzy or not all(strs)):
            missing.append(msgid)
    return missing


def test_there_are_french_and_english_catalogs():
    languages = {p.parts[-3] for p in CATALOGS}
    assert {"fr", "en"} <= languages


@pytest.mark.parametrize("path", [p for p in CATALOGS if p.parts[-3] == "fr"], ids=lambda p: str(p.relative_to(ROOT)))
def test_french_catalog_is_complete(path):
    assert untranslated(path) == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalog_compiles(path):
    """A catalog msgfmt refuses (a duplicate entry, a stray line after a merge) is not compiled at all: the whole app
    would fall back to English without a word. msgfmt --check also checks the placeholders of each translation."""
    import shutil
    import subprocess

    assert shutil.which("msgfmt"), "gettext's msgfmt is missing (scripts/bootstrap.sh installs gettext)"
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
