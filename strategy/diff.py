"""Readable word-level diff between two versions of the document (not colour alone: hidden words say it)."""

import hashlib
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

CACHE_TIMEOUT = 7 * 24 * 3600  # a pair of published texts never changes: its diff is kept a week

_WORD = re.compile(r"[\w'’-]+[ \t]*|(?:\*+|_+|#+|[^\w\s])[ \t]*|\s+")  # words, and each sign apart (Markdown's * and #)
_COUNTED = re.compile(r"\w[\w'’-]*")
_SENTENCE = re.compile(r"[^.!?;\n]*(?:[.!?;]+|\n+)\s*|[^.!?;\n]+$")


def tokens(text: str) -> list[str]:
    """Words and signs with their trailing spaces (so spaces never match on their own)."""
    return _WORD.findall(text or "")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text or "") if s]


def _words(old: str, new: str, ops: list) -> None:
    ta, tb = tokens(old), tokens(new)
    a, b = [t.strip() or t for t in ta], [t.strip() or t for t in tb]  # a word is the same whatever follows it
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(tb[j1:j2])))
            continue
        head = 0  # a replacement that keeps its first or last tokens only adds or removes the rest
        while tag == "replace" and i1 + head < i2 and j1 + head < j2 and a[i1 + head] == b[j1 + head]:
            head += 1
        tail = 0
        while (
            tag == "replace"
            and i1 + head < i2 - tail
            and j1 + head < j2 - tail
            and a[i2 - tail - 1] == b[j2 - tail - 1]
        ):
            tail += 1
        ops.append(("equal", "".join(tb[j1 : j1 + head])))
        if tag in ("delete", "replace"):
            ops.append(("delete", "".join(ta[i1 + head : i2 - tail])))
        if tag in ("insert", "replace"):
            ops.append(("insert", "".join(tb[j1 + head : j2 - tail])))
        ops.append(("equal", "".join(tb[j2 - tail : j2])))


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


_INS, _END_INS, _DEL, _END_DEL = "\ue000", "\ue001", "\ue002", "\ue003"  # private-use: never in a text
_MARKERS = re.compile("[\ue000-\ue003]")
_BLOCK_PREFIX = re.compile(r"[ \t]*(?:(?:#{1,6}|[-*+]|\d+[.)]|>)[ \t]+)*")
_HTML_PIECES = re.compile(r"(<[^>]*>)")
_MARKER_SPLIT = re.compile("([\ue000-\ue003])")


def _marked_markdown(ops) -> str:
    """The newer Markdown with removed text put back, every change wrapped in markers line by line, the block
    syntax of a line (heading, list item, quote) left outside so that Markdown still sees it."""
    out, at_line_start = [], True
    for op, text in ops:
        text = _MARKERS.sub("", text)
        if op == "equal":
            out.append(text)
        else:
            start, end = (_INS, _END_INS) if op == "insert" else (_DEL, _END_DEL)
            for k, line in enumerate(text.split("\n")):
                if k:
                    out.append("\n")
                prefix = _BLOCK_PREFIX.match(line).group(0) if (k or at_line_start) else ""
                body = line[len(prefix) :]
                words = body.rstrip()
                out.append(prefix + (start + words + end if words else "") + body[len(words) :])
        if text:
            at_line_start = text.endswith("\n")
    return "".join(out)


def render_ops_markdown(ops) -> str:
    """Rendered Markdown (headings, lists, emphasis, through the sanitiser) with <ins>/<del> around changed words;
    a change that crosses an element is closed before it and reopened after it, so the HTML stays well formed."""
    from .rendering import render_markdown

    labels = {
        _INS: ("ins", escape(_("added:")), escape(_("end of addition"))),
        _DEL: ("del", escape(_("removed:")), escape(_("end of removal"))),
    }
    closers = {_END_INS: _INS, _END_DEL: _DEL}
    html = render_markdown(_marked_markdown(ops))
    out, current, reopen = [], None, False
    for piece in _HTML_PIECES.split(html):
        if piece.startswith("<"):
            if current and not reopen:
                out.append(f"</{labels[current][0]}>")
                reopen = True
            out.append(piece)
            continue
        for part in _MARKER_SPLIT.split(piece):
            if part in labels:
                current, reopen = part, False
                tag, start, _end = labels[part]
                out.append(f'<{tag}><span class="visually-hidden">[{start}] </span>')
            elif part in closers:
                if current:
                    tag, _start, end = labels[current]
                    out.append(
                        f'<{tag}><span class="visually-hidden"> [{end}]</span></{tag}>'
                        if reopen
                        else f'<span class="visually-hidden"> [{end}]</span></{tag}>'
                    )
                current, reopen = None, False
            elif part:
                if current and reopen and not part.isspace():
                    lead = part[: len(part) - len(part.lstrip())]
                    out.append(f"{lead}<{labels[current][0]}>")
                    part, reopen = part[len(lead) :], False
                out.append(part)
    if current and not reopen:
        out.append(f"</{labels[current][0]}>")
    return mark_safe("".join(out))  # noqa: S308 - sanitised Markdown, and tags of our own


@dataclass
class SectionDiff:
    slug: str
    title: str
    old_title: str
    state: str  # "added", "removed", "changed", "unchanged"
    ops: list = field(default_factory=list)
    insertions: int = 0
    deletions: int = 0
    html_text: str | None = None  # filled from the cache (or when stored in it)
    rendered_text: str | None = None

    @property
    def html(self):
        if self.html_text is None:
            self.html_text = str(render_ops(self.ops))
        return mark_safe(self.html_text)  # noqa: S308 - built by render_ops (escaped)

    @property
    def rendered(self):
        if self.rendered_text is None:
            self.rendered_text = str(render_ops_markdown(self.ops))
        return mark_safe(self.rendered_text)  # noqa: S308 - built by render_ops_markdown (sanitised)

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
    return sum(len(_COUNTED.findall(text)) for op, text in ops if op == kind)


def _section_diff(before, s) -> SectionDiff:
    ops = word_diff(before.body if before else "", s.body)
    return SectionDiff(
        s.slug,
        s.title,
        before.title if before else "",
        "changed" if before else "added",
        ops,
        _count_words(ops, "insert"),
        _count_words(ops, "delete"),
    )


def _pair_key(before, s) -> str:
    """The cache key of one pair of texts (and the language of the hidden labels): the same pair, the same diff."""
    digest = hashlib.sha256()
    for part in (before.title, before.body) if before else ("", "\0"):
        digest.update(part.encode() + b"\0")
    for part in (s.title, s.body):
        digest.update(part.encode() + b"\0")
    return f"strategy:diff:{get_language() or ''}:{digest.hexdigest()}"


def document_diff(old_sections, new_sections, cached: bool = False) -> list[SectionDiff]:
    """Sections (objects with slug/title/body) aligned by slug, in the order of the newer version.

    With `cached`, each changed section's diff and both its renderings are read from (or stored in) the cache,
    keyed by the pair of texts: comparing two published versions again costs one cache read.
    """
    old_by_slug = {s.slug: s for s in old_sections}
    new_slugs = {s.slug for s in new_sections}
    result: list[SectionDiff] = []
    wanted: dict[str, tuple[int, object, object]] = {}
    for s in new_sections:
        before = old_by_slug.get(s.slug)
        if before is not None and before.body == s.body and before.title == s.title:
            result.append(SectionDiff(s.slug, s.title, before.title, "unchanged"))
        elif cached:
            wanted[_pair_key(before, s)] = (len(result), before, s)
            result.append(None)
        else:
            result.append(_section_diff(before, s))
    if wanted:
        found = cache.get_many(list(wanted))
        fresh = {}
        for key, (index, before, s) in wanted.items():
            if key in found:
                result[index] = SectionDiff(**found[key])
                continue
            d = _section_diff(before, s)
            d.html, d.rendered  # noqa: B018 - computed once, then kept
            result[index] = d
            fresh[key] = d.__dict__.copy()
        if fresh:
            cache.set_many(fresh, CACHE_TIMEOUT)
    for s in old_sections:
        if s.slug not in new_slugs:
            ops = [("delete", s.body)]
            result.append(SectionDiff(s.slug, s.title, s.title, "removed", ops, 0, _count_words(ops, "delete")))
    return result
