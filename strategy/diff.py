"""Readable word-level diff between two versions of the document (not colour alone: hidden words say it)."""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

_WORD = re.compile(r"\S+\s*|\s+")
_SENTENCE = re.compile(r"[^.!?;\n]*(?:[.!?;]+|\n+)\s*|[^.!?;\n]+$")


def tokens(text: str) -> list[str]:
    """Words with their trailing whitespace (so spaces never match on their own)."""
    return _WORD.findall(text or "")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text or "") if s]


def _words(old: str, new: str, ops: list) -> None:
    a, b = tokens(old), tokens(new)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            ops.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            ops.append(("insert", "".join(b[j1:j2])))


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] where op is "equal", "insert" or "delete"; a replacement is a delete then an insert.

    Two passes keep it fast on long texts: sentences are aligned first, then words inside changed sentences.
    """
    a, b = sentences(old), sentences(new)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
        elif tag == "delete":
            ops.append(("delete", "".join(a[i1:i2])))
        elif tag == "insert":
            ops.append(("insert", "".join(b[j1:j2])))
        else:
            _words("".join(a[i1:i2]), "".join(b[j1:j2]), ops)
    merged: list[tuple[str, str]] = []
    for op, text in ops:  # join neighbours of the same kind for a tidier output
        if text and merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        elif text:
            merged.append((op, text))
    return merged


def render_ops(ops) -> str:
    added, removed = escape(_("added:")), escape(_("removed:"))
    end_added, end_removed = escape(_("end of addition")), escape(_("end of removal"))
    parts = []
    for op, text in ops:
        if op == "equal":
            parts.append(escape(text))
        elif op == "insert":
            parts.append(
                f'<ins><span class="visually-hidden">[{added}] </span>{escape(text)}'
                f'<span class="visually-hidden"> [{end_added}]</span></ins>'
            )
        else:
            parts.append(
                f'<del><span class="visually-hidden">[{removed}] </span>{escape(text)}'
                f'<span class="visually-hidden"> [{end_removed}]</span></del>'
            )
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


@dataclass
class SectionDiff:
    slug: str
    title: str
    old_title: str
    state: str  # "added", "removed", "changed", "unchanged"
    ops: list = field(default_factory=list)
    insertions: int = 0
    deletions: int = 0

    @property
    def html(self):
        return render_ops(self.ops)

    def as_dict(self):
        return {
            "slug": self.slug,
            "title": self.title,
            "old_title": self.old_title,
            "state": self.state,
            "insertions": self.insertions,
            "deletions": self.deletions,
            "html": str(self.html) if self.state != "unchanged" else "",
        }


def _count_words(ops, kind):
    return sum(len(text.split()) for op, text in ops if op == kind)


def document_diff(old_sections, new_sections) -> list[SectionDiff]:
    """Sections (objects with slug/title/body) aligned by slug, in the order of the newer version."""
    old_by_slug = {s.slug: s for s in old_sections}
    new_slugs = {s.slug for s in new_sections}
    result = []
    for s in new_sections:
        before = old_by_slug.get(s.slug)
        old_body = before.body if before else ""
        if before is not None and before.body == s.body and before.title == s.title:
            result.append(SectionDiff(s.slug, s.title, before.title, "unchanged"))
            continue
        ops = word_diff(old_body, s.body)
        state = "changed" if before else "added"
        result.append(
            SectionDiff(
                s.slug,
                s.title,
                before.title if before else "",
                state,
                ops,
                _count_words(ops, "insert"),
                _count_words(ops, "delete"),
            )
        )
    for s in old_sections:
        if s.slug not in new_slugs:
            ops = [("delete", s.body)]
            result.append(SectionDiff(s.slug, s.title, s.title, "removed", ops, 0, _count_words(ops, "delete")))
    return result
