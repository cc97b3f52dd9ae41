"""Consultations on the draft: opening and closing them, annotations anchored to paragraphs, supports, replies,
accepted amendments and offline workshops (services and selectors of this part of the strategy)."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core import contributions as registry
from core import follows
from core.moderation import record
from core.notifications import Message

from .models import (
    Annotation,
    AnnotationReply,
    AnnotationSupport,
    Consultation,
    ConsultationSection,
    Contribution,
    ContributionSection,
    Section,
)

FUZZY_THRESHOLD = 0.5  # share of the quote's word trigrams a changed paragraph must keep
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_SPACES = re.compile(r"\s+")


# --- Anchoring ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    index: int
    start: int
    end: int
    text: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.text)


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()


def fingerprint(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def paragraphs(body: str) -> list[Paragraph]:
    """The Markdown paragraphs (blocks separated by a blank line) of a text, with their place in it."""
    found, start = [], 0
    for match in [*_PARAGRAPH_BREAK.finditer(body or ""), None]:
        end = match.start() if match else len(body or "")
        chunk = (body or "")[start:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            text = chunk.strip()
            found.append(Paragraph(len(found), start + lead, start + lead + len(text), text))
        if match:
            start = match.end()
    return found


def locate(quote: str, paras: list[Paragraph], hint: int | None = None) -> Paragraph | None:
    """The paragraph that holds the quoted passage (the hinted one first)."""
    wanted = normalise(quote)
    if not wanted:
        return None
    ordered = sorted(paras, key=lambda p: (p.index != hint, p.index))
    return next((p for p in ordered if wanted in normalise(p.text)), None)


_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[tuple[str, ...]]:
    """Word trigrams (words alone for a text of fewer than three words): the fuzzy anchor compares these."""
    words = _WORD.findall(text.lower())
    if len(words) < 3:
        return {(w,) for w in words}
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


class Anchorer:
    """Re-attaches annotations to one text: its paragraphs are read once, and annotations that share a quote and a
    fingerprint (often: many people annotate the same paragraph) are placed once."""

    def __init__(self, body: str):
        self.paras = paragraphs(body)
        self.normalised = [normalise(p.text) for p in self.paras]
        self.by_print: dict[str, list[int]] = {}
        for p in self.paras:
            self.by_print.setdefault(p.fingerprint, []).append(p.index)
        self._shingles = None
        self._memo: dict[tuple, tuple[int, bool]] = {}

    def place(self, fingerprint_: str, quote: str, paragraph: int) -> tuple[int, bool]:
        key = (fingerprint_, quote, paragraph)
        if key not in self._memo:
            self._memo[key] = self._place(fingerprint_, quote, paragraph)
        return self._memo[key]

    def _place(self, fingerprint_: str, quote: str, paragraph: int) -> tuple[int, bool]:
        if not self.paras:
            return 0, True
        same = self.by_print.get(fingerprint_)
        if same:  # its own paragraph, unchanged, wherever it went
            return min(same, key=lambda i: abs(i - paragraph)), False
        wanted = normalise(quote)
        holding = [i for i, text in enumerate(self.normalised) if wanted and wanted in text]
        if holding:  # the paragraph changed but still holds the quoted passage
            return min(holding, key=lambda i: abs(i - paragraph)), True
        if self._shingles is None:
            self._shingles = [shingles(text) for text in self.normalised]
        mine = shingles(quote)
        if mine:  # the paragraph that keeps most of the quote's word trigrams
            best = max(range(len(self.paras)), key=lambda i: (self._score(mine, i), -abs(i - paragraph)))
            if self._score(mine, best) >= FUZZY_THRESHOLD:
                return best, True
        return min(paragraph, len(self.paras) - 1), True

    def _score(self, mine, index) -> float:
        return len(mine & self._shingles[index]) / len(mine)


def anchor(annotation: Annotation, anchorer: Anchorer) -> bool:
    """Re-attach one annotation to the current paragraphs; returns True when something changed.

    Its own paragraph unchanged (same fingerprint) anywhere in the text: it follows it, up to date. Otherwise the
    paragraph that still holds its quote, then the one sharing most of its words; it is then marked as written on
    an earlier version."""
    before = (annotation.paragraph, annotation.is_outdated)
    annotation.paragraph, annotation.is_outdated = anchorer.place(
        annotation.fingerprint, annotation.quote, annotation.paragraph
    )
    return before != (annotation.paragraph, annotation.is_outdated)


def reanchor_section(section: Section, annotations=None) -> int:
    """Re-attach the section's annotations written on earlier revisions; returns how many moved or changed state."""
    if annotations is None:
        annotations = list(
            Annotation.objects.filter(section=section)
            .exclude(anchored_revision=section.revision)
            .only("pk", "quote", "paragraph", "fingerprint", "is_outdated", "anchored_revision")
        )
    stale = [a for a in annotations if a.anchored_revision != section.revision]
    if not stale:
        return 0
    anchorer = Anchorer(section.body)
    changed = [a for a in stale if anchor(a, anchorer)]
    for a in stale:
        a.anchored_revision = section.revision
    Annotation.objects.bulk_update(stale, ["paragraph", "is_outdated", "anchored_revision"], batch_size=1000)
    return len(changed)


# --- Consultations ------------------------------------------------------------------------------------------------


def open_consultations(now=None):
    now = now or timezone.now()
    return Consultation.objects.filter(closed_at__isnull=True, starts_at__lte=now, ends_at__gt=now)


def consultation_item(section: Section, now=None) -> ConsultationSection | None:
    """The open consultation's entry for this section (its question), or None."""
    return (
        ConsultationSection.objects.filter(section=section, consultation__in=open_consultations(now))
        .select_related("consultation")
        .order_by("consultation__ends_at")
        .first()
    )


def _require_team(user):
    if not user.has_perm("strategy.open_consultation"):
        raise PermissionDenied(_("Only the mission team can open or close a consultation."))


@transaction.atomic
def open_consultation(user, *, title, starts_at, ends_at, sections=None, questions=None) -> Consultation:
    """Open a consultation on the chosen sections (slugs; None: the whole draft) and tell their followers."""
    _require_team(user)
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the consultation a title.")]
    if starts_at is None:
        errors["starts_at"] = [_("The start date is required.")]
    if ends_at is None:
        errors["ends_at"] = [_("The end date is required.")]
    elif ends_at <= timezone.now():
        errors["ends_at"] = [_("The end date must be in the future.")]
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("The end date must come after the start date.")]
    chosen = list(Section.objects.all()) if not sections else list(Section.objects.filter(slug__in=sections))
    if sections and len(chosen) != len(set(sections)):
        errors["sections"] = [_("Some of the chosen sections do not exist.")]
    elif not chosen:
        errors["sections"] = [_("Choose at least one section.")]
    questions = questions or {}
    if any(len(q or "") > 500 for q in questions.values()):
        errors["questions"] = [_("A question must be at most 500 characters.")]
    if errors:
        raise ValidationError(errors)
    consultation = Consultation.objects.create(title=title[:200], starts_at=starts_at, ends_at=ends_at, opened_by=user)
    ConsultationSection.objects.bulk_create(
        ConsultationSection(consultation=consultation, section=s, question=(questions.get(s.slug) or "").strip())
        for s in chosen
    )
    record(user, "strategy.open_consultation", consultation, sections=[s.slug for s in chosen])
    for section in chosen:
        follows.notify_followers(
            section,
            "follow.news",
            Message(
                gettext_noop("“{section}” is open to your annotations until {end}"),
                section=section.title,
                end=timezone.localtime(ends_at).strftime("%d/%m/%Y"),
            ),
            Message(gettext_noop("Select a paragraph of the draft to comment on it or propose another wording.")),
            url=reverse("strategy:consultation-section", args=[section.slug]),
        )
    return consultation


@transaction.atomic
def close_consultation(user, consultation: Consultation) -> Consultation:
    _require_team(user)
    if consultation.closed_at is None:
        consultation.closed_at = timezone.now()
        consultation.save(update_fields=["closed_at"])
        record(user, "strategy.close_consultation", consultation)
    return consultation


# --- Annotations --------------------------------------------------------------------------------------------------


def _check_participant(user, perm="strategy.annotate_section"):
    if not user.has_perm(perm):
        from accounts.rules import refusal_reason

        raise PermissionDenied(
            _("Only verified residents and members of a verified organisation can annotate the draft.")
            if user.is_authenticated and user.is_active
            else refusal_reason(user)
        )


def paragraph_sentences(text: str) -> list[str]:
    """The sentences of a paragraph's text, as a reader can choose one of them to annotate."""
    from .diff import sentences

    return [s.strip() for s in sentences(text) if s.strip()]


def annotate(
    section: Section,
    user,
    *,
    quote,
    body="",
    kind="comment",
    stance="neutral",
    replacement="",
    paragraph=None,
    sentence=None,
) -> Annotation:
    """A comment or an amendment on a paragraph (or sentence) of a section under consultation: `quote` is a passage
    of the text, or else `sentence` the number (0 for the first) of a sentence of `paragraph`, or else the whole
    paragraph."""
    _check_participant(user)
    item = consultation_item(section)
    if item is None:
        raise PermissionDenied(_("This section is not open to annotations: no consultation is running on it."))
    quote, body, replacement = (quote or "").strip(), (body or "").strip(), (replacement or "").strip()
    errors = {}
    if kind not in Annotation.Kind.values:
        errors["kind"] = [_("Choose a comment or an amendment.")]
    if stance not in Annotation.Stance.values:
        errors["stance"] = [_("Choose for, against or neutral.")]
    try:
        hint = int(paragraph) if paragraph not in (None, "") else None
    except (TypeError, ValueError):
        hint = None
        errors["paragraph"] = [_("Unknown paragraph.")]
    paras = paragraphs(section.body)
    found = None
    sentence = str(sentence).strip() if sentence is not None else ""
    if not quote and sentence and hint is not None and 0 <= hint < len(paras):
        chosen = paragraph_sentences(paras[hint].text)
        number = int(sentence) if sentence.isascii() and sentence.isdigit() else -1
        if 0 <= number < len(chosen):
            found, quote = paras[hint], chosen[number]
        else:
            errors["sentence"] = [_("Unknown sentence: choose one in the list.")]
    elif not quote:
        if hint is not None and 0 <= hint < len(paras):
            found, quote = paras[hint], paras[hint].text
        else:
            errors["quote"] = [_("Choose the paragraph or sentence you annotate.")]
    else:
        found = locate(quote, paras, hint)
        if found is None:
            errors["quote"] = [_("This passage is not in the current text of the section: copy it exactly.")]
    if len(quote) > 5000:
        errors["quote"] = [_("The quoted passage must be at most 5,000 characters.")]
    if kind == "amendment" and not replacement:
        errors["replacement"] = [_("Write the text you propose instead of the passage.")]
    if kind == "comment" and not body:
        errors["body"] = [_("Write your comment.")]
    if len(body) > 5000 or len(replacement) > 5000:
        errors["body" if len(body) > 5000 else "replacement"] = [_("At most 5,000 characters.")]
    if errors:
        raise ValidationError(errors)
    # The registry's post_save signal puts it in the inbox, assigned to the referent of the section's theme.
    return Annotation.objects.create(
        consultation=item.consultation,
        section=section,
        author=user,
        kind=kind,
        stance=stance,
        quote=quote,
        body=body,
        replacement=replacement if kind == "amendment" else "",
        paragraph=found.index,
        fingerprint=found.fingerprint,
        anchored_revision=section.revision,
    )


def support(user, annotation: Annotation) -> bool:
    """One support per account (a unique constraint); the counter moves only when a row is really added."""
    _check_participant(user, "strategy.support_annotation")
    with transaction.atomic():
        try:
            with transaction.atomic():
                AnnotationSupport.objects.create(annotation=annotation, user=user)
        except IntegrityError:
            return False
        Annotation.objects.filter(pk=annotation.pk).update(supporters_count=F("supporters_count") + 1)
    registry.support_changed("annotation", annotation.pk)
    return True


def unsupport(user, annotation: Annotation) -> bool:
    with transaction.atomic():
        deleted, _rows = AnnotationSupport.objects.filter(annotation=annotation, user=user).delete()
        if deleted:
            Annotation.objects.filter(pk=annotation.pk).update(supporters_count=F("supporters_count") - 1)
    if deleted:
        registry.support_changed("annotation", annotation.pk)
    return bool(deleted)


def reply(user, annotation: Annotation, body: str) -> AnnotationReply:
    _check_participant(user, "strategy.reply_annotation")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write your reply.")]})
    if len(body) > 5000:
        raise ValidationError({"body": [_("At most 5,000 characters.")]})
    return AnnotationReply.objects.create(annotation=annotation, author=user, body=body)


def amended_body(section: Section, annotation: Annotation) -> str:
    """The section's text with the amendment applied to its paragraph; refused if that paragraph changed since."""
    if annotation.kind != Annotation.Kind.AMENDMENT:
        raise ValidationError({"kind": [_("Only an amendment can be applied to the text.")]})
    if annotation.accepted_at is not None:
        raise ValidationError({"kind": [_("This amendment is already applied.")]})
    paras = paragraphs(section.body)
    target = next((p for p in paras if p.fingerprint == annotation.fingerprint), None)
    if target is None or annotation.quote not in target.text:
        raise ValidationError(
            {"quote": [_("The paragraph changed since this amendment was written: apply it by hand in the editor.")]}
        )
    new_text = target.text.replace(annotation.quote, annotation.replacement, 1)
    return section.body[: target.start] + new_text + section.body[target.end :]


def accept_amendment(user, annotation: Annotation, revision) -> Annotation:
    """Apply the amendment to the draft through the section's edit service (a stale revision is a 409, nothing
    saved), link its contribution to the section and mark it retained; publishing then marks it integrated."""
    from .services import edit_section

    with transaction.atomic():
        section = Section.objects.select_related("theme__referent").get(pk=annotation.section_id)
        annotation = Annotation.objects.select_for_update().get(pk=annotation.pk)
        body = amended_body(section, annotation)
        edit_section(section, user, body, revision)
        annotation.accepted_at, annotation.accepted_by = timezone.now(), user
        annotation.save(update_fields=["accepted_at", "accepted_by"])
        contribution = Contribution.objects.filter(source="annotation", source_id=annotation.pk).first()
        if contribution is not None:
            ContributionSection.objects.get_or_create(
                contribution=contribution, section=section, defaults={"linked_by": user}
            )
            if contribution.status in (Contribution.Status.NEW, Contribution.Status.REVIEWING):
                contribution.status = Contribution.Status.RETAINED
                contribution.save(update_fields=["status"])
        record(user, "strategy.accept_amendment", annotation, section=section.slug, revision=section.revision)
        reanchor_section(section)
    return annotation


# --- Reading ------------------------------------------------------------------------------------------------------


PER_PARAGRAPH = 5  # on the section page; a paragraph's own page lists all of them
PARAGRAPH_PAGE = 50


@dataclass
class AnnotatedParagraph:
    paragraph: Paragraph
    html: str
    annotations: list = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return self.count - len(self.annotations)

    @cached_property
    def sentences(self) -> list[str]:
        return paragraph_sentences(self.paragraph.text)

    @property
    def sentences_json(self) -> str:
        return json.dumps(self.sentences, ensure_ascii=False)


def ensure_anchored(section: Section) -> None:
    """Re-anchor lazily: the first read after an edit of the section re-attaches its annotations."""
    if Annotation.objects.filter(section=section).exclude(anchored_revision=section.revision).exists():
        reanchor_section(section)


SHOWN_FIELDS = (
    "id",
    "section_id",
    "kind",
    "stance",
    "quote",
    "body",
    "replacement",
    "paragraph",
    "is_outdated",
    "accepted_at",
    "supporters_count",
    "created_at",
    "author__id",
    "author__display_name",
)


def visible_annotations(section: Section):
    replies = (
        AnnotationReply.objects.filter(is_hidden=False)
        .select_related("author")
        .only("id", "annotation_id", "body", "created_at", "author__id", "author__display_name")
    )
    return (
        Annotation.objects.filter(section=section, is_hidden=False)
        .select_related("author")
        .only(*SHOWN_FIELDS)
        .prefetch_related(Prefetch("replies", queryset=replies))
    )


def annotated_paragraphs(section: Section, user=None, paragraph: int | None = None, page: int = 1):
    """The draft's paragraphs in reading order, each with its visible annotations: the PER_PARAGRAPH most supported
    (accepted amendments first), or, for one `paragraph`, all of them by pages of PARAGRAPH_PAGE."""
    from .rendering import render_markdown

    ensure_anchored(section)
    paras = paragraphs(section.body)
    keys = {p.index: f"strategy:paragraph-html:{p.fingerprint}" for p in paras}
    cached = cache.get_many(list(keys.values()))
    fresh = {keys[p.index]: render_markdown(p.text) for p in paras if keys[p.index] not in cached}
    if fresh:
        cache.set_many(fresh, 24 * 3600)
    rows = [AnnotatedParagraph(p, cached.get(keys[p.index]) or fresh[keys[p.index]]) for p in paras]
    if not rows:
        return rows
    last = len(rows) - 1
    order = [F("accepted_at").desc(nulls_last=True), "-supporters_count", "created_at", "pk"]
    counts = (
        Annotation.objects.filter(section=section, is_hidden=False)
        .values("paragraph")
        .annotate(n=Count("pk"))
        .values_list("paragraph", "n")
    )
    for index, n in counts:
        rows[min(index, last)].count += n
    qs = visible_annotations(section)
    if paragraph is not None:
        offset = (max(1, page) - 1) * PARAGRAPH_PAGE
        chosen = list(qs.filter(paragraph=paragraph).order_by(*order)[offset : offset + PARAGRAPH_PAGE])
    else:
        rank = Window(RowNumber(), partition_by=[F("paragraph")], order_by=order)
        ranked = (
            Annotation.objects.filter(section=section, is_hidden=False)
            .annotate(rank=rank)
            .filter(rank__lte=PER_PARAGRAPH)
            .values_list("pk", flat=True)
        )
        chosen = list(qs.filter(pk__in=list(ranked)).order_by("paragraph", *order))
    supported = set()
    if user is not None and user.is_authenticated and chosen:
        supported = set(
            AnnotationSupport.objects.filter(user=user, annotation__in=[a.pk for a in chosen]).values_list(
                "annotation_id", flat=True
            )
        )
    for a in chosen:
        a.is_supported = a.pk in supported
        rows[min(a.paragraph, last)].annotations.append(a)
    return rows


def home_announcements() -> list[tuple[str, str]]:
    """The home page's small block: each open consultation, with a link to its first section."""
    items = []
    for c in open_consultations().prefetch_related(Prefetch("sections", queryset=Section.objects.only("slug")))[:3]:
        first = next(iter(c.sections.all()), None)
        if first is not None:
            title = format_lazy(
                _("Consultation open until {end}: {title}"),
                end=lazy(date_format, str)(
                    timezone.localtime(c.ends_at).date()
                ),  # "25 déc. 2026", in the reader's language
                title=c.title,
            )
            items.append((title, reverse("strategy:consultation-section", args=[first.slug])))
    return items


@dataclass
class Credit:
    """An accepted amendment credited in the notes of the version that integrated it."""

    annotation: Annotation
    section_title: str

    @property
    def author_name(self) -> str | None:
        author = self.annotation.author
        return author.public_name if author is not None else None


def credited_amendments(version, sections=None) -> list[Credit]:
    """The accepted amendments integrated in `version` (their contribution's link carries it), in the order of the
    text, each with the title its section has in this version (`sections`: its snapshots, when already read)."""
    integrated = ContributionSection.objects.filter(version=version, contribution__source="annotation").values(
        "contribution__source_id"
    )
    found = (
        Annotation.objects.filter(
            pk__in=integrated, kind=Annotation.Kind.AMENDMENT, accepted_at__isnull=False, is_hidden=False
        )
        .select_related("author", "section")
        .only("id", "quote", "replacement", "paragraph", "author__id", "author__display_name", "section__title")
    )
    if sections is None:
        sections = version.sections.only("section_id", "title", "chapter_position", "position")
    place = {s.section_id: (k, s.title) for k, s in enumerate(sections) if s.section_id}
    return [
        Credit(a, place.get(a.section_id, (0, a.section.title))[1])
        for a in sorted(found, key=lambda a: (place.get(a.section_id, (len(place), ""))[0], a.paragraph, a.pk))
    ]


def sections_under_consultation():
    return (
        ConsultationSection.objects.filter(consultation__in=open_consultations())
        .select_related("section", "consultation")
        .order_by("section__chapter__position", "section__position")
    )


# --- Registry source ----------------------------------------------------------------------------------------------


def describe_annotation(a: Annotation) -> registry.ContributionData:
    section = a.section
    what = a.replacement if a.kind == Annotation.Kind.AMENDMENT else a.body
    text = f"« {a.quote} »\n\n"
    if a.kind == Annotation.Kind.AMENDMENT:
        text += f"→ « {a.replacement} »\n\n"
    return registry.ContributionData(
        source="annotation",
        source_id=a.pk,
        title=f"{section.title} — {what[:80]}",
        text=text + a.body,
        url=reverse("strategy:consultation-section", args=[section.slug]) + f"#annotation-{a.pk}",
        created_at=a.created_at,
        theme=section.theme.slug if section.theme_id else None,
        support=a.supporters_count,
        author_id=a.author_id,
        public=not a.is_hidden,
    )


ANNOTATION_SOURCE = registry.Source(
    key="annotation",
    label=_("Annotations of the draft"),
    model=Annotation,
    describe=describe_annotation,
    queryset=lambda: Annotation.objects.select_related("section__theme"),
    followers=lambda a: [],
    support=lambda: Annotation.objects.annotate(support=F("supporters_count")),
)


def annotations_of(user):
    return Annotation.objects.filter(author=user).filter(Q(is_hidden=False))


def export_personal_data(user) -> dict:
    return {
        "annotations": [
            {
                "section": a.section.slug,
                "kind": a.kind,
                "stance": a.stance,
                "quote": a.quote,
                "body": a.body,
                "replacement": a.replacement,
                "created_at": a.created_at.isoformat(),
            }
            for a in Annotation.objects.filter(author=user).select_related("section")
        ],
        "annotation_replies": list(AnnotationReply.objects.filter(author=user).values("annotation_id", "body")),
        "annotation_supports": list(
            AnnotationSupport.objects.filter(user=user).values_list("annotation_id", flat=True)
        ),
    }
