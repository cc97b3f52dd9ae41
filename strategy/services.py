"""Everything that changes the strategy: inbox sync, triage, section edits, publication, offline entry, comments."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core import contributions as registry
from core import follows
from core.forms import whole_number
from core.models import District, Theme
from core.moderation import record
from core.notifications import Message, notify
from serving.realtime import publish, publish_on_commit
from serving.rest import Conflict

from . import selectors
from .models import Contribution, ContributionSection, Section, SectionComment, SectionVersion, Version
from .rendering import render_markdown
from .selectors import DASHBOARD_VERSION_KEY
from .support import refresh_all_support

logger = logging.getLogger(__name__)

INBOX_GROUP = "strategy-inbox"  # team only: titles, authors' contributions, statuses
PUBLIC_GROUP = "strategy-figures"  # anyone: counts only, no personal data

SYNCED_FIELDS = [
    "title",
    "text",
    "theme",
    "district",
    "location",
    "support",
    "author",
    "url",
    "created_at",
    "is_public",
]
MANUAL_STATUSES = {"new", "reviewing", "retained", "rejected", "duplicate"}


def _require(user, perm, message):
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _themes_by_slug():
    return {t.slug: t for t in Theme.objects.select_related("referent")}


def _districts_by_number():
    return {d.number: d for d in District.objects.only("pk", "number")}


def _fields_from(data: registry.ContributionData, themes, districts) -> dict:
    theme = themes.get(data.theme) if data.theme else None
    return {
        "title": Truncator(data.title or "").chars(300),  # sized by construction: never refuses the copy
        "text": data.text or "",
        "theme": theme,
        "district": districts.get(data.district) if data.district else None,
        "location": data.location,
        "support": max(0, int(data.support or 0)),
        "author_id": data.author_id,
        "url": (data.url or "")[:300],
        "created_at": data.created_at or timezone.now(),
        "is_public": bool(data.public),
    }


def inbox_message(kind: str, c: Contribution) -> dict:
    return {
        "type": kind,
        "id": c.pk,
        "source": c.source,
        "source_id": c.source_id,
        "title": c.title,
        "theme": c.theme.slug if c.theme_id and c.theme else None,
        "district": c.district.number if c.district_id and c.district else None,
        "status": c.status,
        "support": c.support,
        "url": c.get_absolute_url(),
    }


def _messages(kind: str, c: Contribution) -> list[tuple[str, dict]]:
    figures = {
        "type": "figures.changed",
        "change": kind,
        "source": c.source,
        "district": c.district.number if c.district_id else None,
    }
    return [(INBOX_GROUP, inbox_message(kind, c)), (PUBLIC_GROUP, figures)]


def invalidate_dashboard():
    """New dashboard figures from now on, and again at commit (a read in between may have cached the old ones)."""

    def bump():
        cache.set(DASHBOARD_VERSION_KEY, timezone.now().timestamp(), None)

    bump()
    transaction.on_commit(bump, robust=True)


def _announce(kind: str, c: Contribution):
    invalidate_dashboard()  # every create, update and removal of an inbox row passes here
    if kind != "contribution.created":
        for group, message in _messages(kind, c):
            publish_on_commit(group, message)
        return
    # A new row is described as it is at commit: a source sets its themes and districts after the first save.
    pk = c.pk

    def send():
        committed = Contribution.objects.select_related("theme", "district").filter(pk=pk).first()
        if committed is not None:
            for group, message in _messages(kind, committed):
                publish(group, message)

    transaction.on_commit(send, robust=True)


@transaction.atomic
def upsert_contribution(data: registry.ContributionData) -> Contribution | None:
    """Called by the registry signals: create or refresh the inbox row; triage work is never lost."""
    fields = _fields_from(data, _themes_by_slug(), _districts_by_number())
    existing = Contribution.objects.select_for_update().filter(source=data.source, source_id=data.source_id).first()
    if existing is None:
        if not fields["is_public"]:
            return None
        theme = fields["theme"]
        try:
            with transaction.atomic():
                c = Contribution.objects.create(
                    source=data.source,
                    source_id=data.source_id,
                    assigned_to=theme.referent if theme else None,
                    **fields,
                )
        except IntegrityError:  # a concurrent save created it first: refresh it instead
            return upsert_contribution(data)
        _announce("contribution.created", c)
        return c
    update_fields = list(SYNCED_FIELDS)
    theme = fields["theme"]
    if _reassign(existing, theme):
        existing.assigned_to = theme.referent if theme else None
        update_fields.append("assigned_to")
    for name, value in fields.items():
        setattr(existing, name, value)
    existing.save(update_fields=update_fields)
    _announce("contribution.updated" if existing.is_public else "contribution.removed", existing)
    return existing


def _reassign(existing: Contribution, theme: Theme | None) -> bool:
    """A contribution whose theme becomes known or changes goes to the new theme's referent, unless the team
    already took it in hand (triaged, or handed to someone who is not the previous theme's referent)."""
    if existing.theme_id == (theme.pk if theme else None):
        return existing.assigned_to_id is None and theme is not None and theme.referent_id is not None
    if existing.status != Contribution.Status.NEW:
        return existing.assigned_to_id is None and theme is not None and theme.referent_id is not None
    previous_referent = existing.theme.referent_id if existing.theme_id else None
    return existing.assigned_to_id in (None, previous_referent)


@transaction.atomic
def remove_contribution(source_key: str, source_id: int) -> None:
    for c in Contribution.objects.filter(source=source_key, source_id=source_id).select_related("district"):
        _announce("contribution.removed", c)
        c.delete()


def sync_source(source: registry.Source, batch_size: int = 2000, stdout=None) -> tuple[int, int]:
    """Rebuild the inbox rows of one source from its queryset in bulk; returns (upserted, removed)."""
    themes, districts = _themes_by_slug(), _districts_by_number()
    seen: list[int] = []
    batch: list[Contribution] = []
    total = 0

    def flush():
        nonlocal total
        if not batch:
            return
        Contribution.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["source", "source_id"],
            update_fields=SYNCED_FIELDS,
        )
        total += len(batch)
        if stdout:
            stdout.write(f"  {source.key}: {total} synchronised")
        batch.clear()

    for obj in source.queryset().iterator(chunk_size=batch_size):
        data = source.describe(obj)
        seen.append(data.source_id)
        fields = _fields_from(data, themes, districts)
        theme = fields["theme"]
        batch.append(
            Contribution(
                source=source.key,
                source_id=data.source_id,
                assigned_to=theme.referent if theme else None,
                **fields,
            )
        )
        if len(batch) >= batch_size:
            flush()
    flush()
    removed, _detail = Contribution.objects.filter(source=source.key).exclude(source_id__in=seen).delete()
    invalidate_dashboard()
    # The bulk upsert keeps assignments; rows that never had one go to their theme's referent.
    Contribution.objects.filter(source=source.key, assigned_to__isnull=True, theme__referent__isnull=False).update(
        assigned_to=Subquery(Theme.objects.filter(pk=OuterRef("theme_id")).values("referent")[:1])
    )
    return total, removed


def refresh_support(keys=None) -> dict:
    """The periodic repair of support figures (one UPDATE per source); returns rows changed per source."""
    chosen = [s for s in registry.sources() if keys is None or s.key in keys]
    return {source.key: refresh_all_support(source) for source in chosen}


def sync_all(stdout=None) -> dict:
    return {source.key: sync_source(source, stdout=stdout) for source in registry.sources()}


# --- The document -------------------------------------------------------------------------------------------------


def check_can_edit_section(user, section: Section) -> None:
    """403 with the reason: the team only, and a section belongs to the referent of its theme."""
    if user.has_perm("strategy.edit_section", section):
        return
    if not user.has_perm("strategy.edit_section"):
        raise PermissionDenied(_("Only the mission team can edit the strategy."))
    referent = section.theme.referent
    raise PermissionDenied(
        format_lazy(
            _(
                "The section “{section}” belongs to the theme “{theme}”: only its referent ({referent}) or a "
                "coordinator of the mission can edit it. You are referent of another theme."
            ),
            section=section.title,
            theme=section.theme.label,
            referent=referent.public_name if referent else _("none yet"),
        )
    )


def edit_section(section: Section, user, body: str, revision, title: str | None = None) -> Section:
    """Optimistic locking: the UPDATE only applies to the revision the editor read, so nobody's text is lost."""
    check_can_edit_section(user, section)
    errors = {}
    try:
        revision = int(revision)
    except (TypeError, ValueError):
        errors["revision"] = [_("Send the revision number you last read.")]
    if body is None:
        errors["body"] = [_("The text of the section is required.")]
    elif len(body) > 100_000:
        errors["body"] = [_("The text of a section must be at most 100,000 characters.")]
    if title is not None and not title.strip():
        errors["title"] = [_("The title cannot be empty.")]
    if errors:
        raise ValidationError(errors)
    changes = {"body": body, "revision": F("revision") + 1, "updated_at": timezone.now(), "updated_by": user}
    if title is not None:
        changes["title"] = title.strip()[:200]
    with transaction.atomic():
        updated = Section.objects.filter(pk=section.pk, revision=revision).update(**changes)
        if not updated:
            current = Section.objects.filter(pk=section.pk).values_list("revision", "updated_by__display_name").first()
            raise Conflict(
                format_lazy(
                    _(
                        "This section was changed by {who} while you were editing it (you had revision {mine}, "
                        "it is now {theirs}). Your text was not saved: copy it, reload the section and apply "
                        "your changes again."
                    ),
                    who=(current[1] if current and current[1] else _("someone else")),
                    mine=revision,
                    theirs=current[0] if current else "?",
                )
            )
        section.refresh_from_db()
        record(user, "strategy.edit_section", section, revision=section.revision)
    return section


def draft_changed_since(version: Version | None) -> bool:
    sections = list(Section.objects.values_list("slug", "title", "body"))
    if version is None:
        return bool(sections)
    published = set(version.sections.values_list("slug", "title", "body"))
    return set(sections) != published


def _confirmed_ids(confirm) -> set[int]:
    """The contributions the team confirms as integrated although no section they are linked to changed."""
    if confirm is None:
        return set()
    if not isinstance(confirm, list | tuple | set) or not all(
        isinstance(i, int) and not isinstance(i, bool) or (isinstance(i, str) and whole_number(i) is not None)
        for i in confirm
    ):
        raise ValidationError({"confirm": [_("Give a list of contribution ids.")]})
    ids = {int(i) for i in confirm}
    if not ids:
        return ids
    known = set(
        selectors.pending_links().filter(contribution_id__in=ids).values_list("contribution_id", flat=True).distinct()
    )
    unknown = sorted(ids - known)
    if unknown:
        raise ValidationError(
            {
                "confirm": [
                    format_lazy(
                        _(
                            "These contributions have no link waiting for this version, so they cannot be confirmed "
                            "as integrated: {ids}."
                        ),
                        ids=", ".join(str(i) for i in unknown),
                    )
                ]
            }
        )
    return ids


@transaction.atomic
def publish_version(user, summary: str, confirm=None) -> Version:
    """Publish the draft. A linked contribution is integrated in this version only when a section it is linked to
    changed in it, or when the team confirms it (`confirm`: contribution ids); the others keep their status."""
    _require(user, "strategy.publish_version", _("Only the mission team can publish a version."))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": [_("Please summarise the changes of this version.")]})
    # One publisher at a time: lock the latest version row (or the sections when there is none yet).
    previous = Version.objects.select_for_update().order_by("-number").first()
    list(Section.objects.select_for_update().values_list("pk", flat=True))
    if not draft_changed_since(previous):
        raise ValidationError(
            {"summary": [_("Nothing changed since the last version: edit a section before publishing.")]}
        )
    confirmed = _confirmed_ids(confirm)
    changed = selectors.changed_section_ids(previous)
    number = (previous.number if previous else 0) + 1
    version = Version.objects.create(number=number, summary=summary[:5000], published_by=user)
    sections = list(Section.objects.select_related("chapter", "theme"))
    SectionVersion.objects.bulk_create(
        SectionVersion(
            version=version,
            section=s,
            slug=s.slug,
            chapter_title=s.chapter.title,
            chapter_position=s.chapter.position,
            position=s.position,
            title=s.title,
            theme_slug=s.theme.slug,
            body=s.body,
            body_html=render_markdown(s.body),
        )
        for s in sections
    )
    # Three statements whatever the number of contributions: links, then statuses, then who to tell.
    selectors.pending_links().filter(Q(section_id__in=changed) | Q(contribution_id__in=confirmed)).update(
        version=version
    )
    in_version = ContributionSection.objects.filter(version=version).values("contribution_id")
    newly = Contribution.objects.filter(pk__in=in_version).exclude(status=Contribution.Status.INTEGRATED)
    contribution_ids = set(newly.values_list("pk", flat=True))
    Contribution.objects.filter(pk__in=contribution_ids).update(status=Contribution.Status.INTEGRATED)
    invalidate_dashboard()
    record(
        user,
        "strategy.publish_version",
        version,
        summary=summary,
        integrated=len(contribution_ids),
        confirmed=sorted(confirmed),
    )
    _notify_integrated(version, contribution_ids)
    _notify_section_followers(version, previous, sections)
    publish_on_commit(PUBLIC_GROUP, {"type": "version.published", "version": number})
    if previous is not None:
        transaction.on_commit(lambda: warm_diff(previous.number, number), robust=True)
    return version


def warm_diff(from_number: int, to_number: int) -> None:
    """Compute and cache the diff of a new version against the previous one, in every language, once published:
    its first reader gets it from the cache."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            selectors.diff_versions(from_number, to_number)


def _notify_section_followers(version: Version, previous: Version | None, sections) -> None:
    """The followers of each section whose title or text changed in this version."""
    before = {}
    if previous is not None:
        before = {row[0]: row[1:] for row in previous.sections.values_list("section_id", "title", "body")}
    for section in sections:
        if before.get(section.pk) == (section.title, section.body):
            continue
        follows.notify_followers(
            section,
            "follow.version",
            Message(
                gettext_noop("“{section}” changes in version {number} of the strategy"),
                section=section.title,
                number=version.number,
            ),
            version.summary[:300],
        )


def _notify_integrated(version: Version, contribution_ids):
    contributions = Contribution.objects.filter(pk__in=contribution_ids).select_related("author")
    by_source: dict[str, dict[int, Contribution]] = {}
    recipients: dict[int, tuple] = {}  # contribution pk -> users
    for c in contributions:
        users = {c.author_id: c.author} if c.author_id else {}
        recipients[c.pk] = users
        if c.source_id is not None:
            by_source.setdefault(c.source, {})[c.source_id] = c
    for key, items in by_source.items():
        source = registry.get_source(key)
        if source is None:
            continue
        for obj in source.queryset().filter(pk__in=list(items)):
            c = items[obj.pk]
            try:
                followers = list(source.followers(obj))
            except Exception:  # noqa: BLE001 - a source's follower list must not block a publication
                logger.warning("Followers of %s %s unavailable", key, obj.pk, exc_info=True)
                followers = []
            for u in followers:
                if u is not None and getattr(u, "pk", None):
                    recipients[c.pk].setdefault(u.pk, u)
    for c in contributions:
        for user in recipients[c.pk].values():
            is_author = user.pk == c.author_id
            title = Message(
                gettext_noop("Your contribution “{title}” is integrated in version {number} of the strategy")
                if is_author
                else gettext_noop(
                    "A contribution you follow, “{title}”, is integrated in version {number} of the strategy"
                ),
                title=c.title[:120],
                number=version.number,
            )
            body = Message(
                gettext_noop("Version {number} of “Paris intelligente et durable” was published: {summary}"),
                number=version.number,
                summary=version.summary[:300],
            )
            notify(user, "strategy.integrated", title, body, url=c.get_absolute_url())


# --- Triage -------------------------------------------------------------------------------------------------------


def _sections_from_slugs(slugs) -> list[Section]:
    if not isinstance(slugs, list | tuple) or not all(isinstance(s, str) for s in slugs):
        raise ValidationError({"sections": [_("Give a list of section slugs.")]})
    found = {s.slug: s for s in Section.objects.filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise ValidationError(
            {"sections": [format_lazy(_("These sections do not exist: {slugs}."), slugs=", ".join(missing))]}
        )
    return [found[s] for s in dict.fromkeys(slugs)]


@transaction.atomic
def triage(
    contribution: Contribution,
    user,
    status: str | None = None,
    sections=None,
    public_reason: str | None = None,
    duplicate_of: int | Contribution | None = None,
) -> Contribution:
    """Move a contribution in the triage flow; `sections` (slugs) replaces its not-yet-published links."""
    _require(user, "strategy.triage_contribution", _("Only the mission team can triage contributions."))
    c = Contribution.objects.select_for_update().get(pk=contribution.pk)
    errors = {}
    before = c.status
    if public_reason is not None:
        c.public_reason = public_reason.strip()[:2000]
    if duplicate_of is not None:
        target_pk = getattr(duplicate_of, "pk", duplicate_of)
        target = Contribution.objects.filter(pk=target_pk).first() if whole_number(target_pk) is not None else None
        if target is None:
            errors["duplicate_of"] = [_("The original contribution does not exist.")]
        elif target.pk == c.pk:
            errors["duplicate_of"] = [_("A contribution cannot be a duplicate of itself.")]
        else:
            c.duplicate_of = target
    new_sections = None
    if sections is not None:
        try:
            new_sections = _sections_from_slugs(sections)
        except ValidationError as e:
            errors.update(e.message_dict)
    if status is not None:
        if status == Contribution.Status.INTEGRATED and status != before:
            errors["status"] = [
                _("A contribution becomes integrated when a version that uses it is published: link it to a section.")
            ]
        elif status not in MANUAL_STATUSES | {"integrated"}:
            errors["status"] = [_("Unknown status.")]
        else:
            c.status = status
    if c.status == Contribution.Status.REJECTED and not c.public_reason:
        errors["public_reason"] = [_("Say publicly why this contribution is not retained.")]
    if c.status == Contribution.Status.DUPLICATE and c.duplicate_of_id is None:
        errors["duplicate_of"] = [_("Say which contribution this one duplicates.")]
    if errors:
        raise ValidationError(errors)
    if c.status != Contribution.Status.DUPLICATE:
        c.duplicate_of = None
    if new_sections is not None:
        wanted = {s.pk for s in new_sections}
        ContributionSection.objects.filter(contribution=c, version__isnull=True).exclude(section__in=wanted).delete()
        existing = set(ContributionSection.objects.filter(contribution=c).values_list("section_id", flat=True))
        ContributionSection.objects.bulk_create(
            ContributionSection(contribution=c, section=s, linked_by=user) for s in new_sections if s.pk not in existing
        )
        if new_sections and c.status in (Contribution.Status.NEW, Contribution.Status.REVIEWING) and status is None:
            c.status = Contribution.Status.RETAINED
    c.save(update_fields=["status", "public_reason", "duplicate_of"])
    record(
        user,
        "strategy.triage",
        c,
        reason=c.public_reason if c.status == "rejected" else "",
        status_before=before,
        status=c.status,
        sections=[s.slug for s in new_sections] if new_sections is not None else None,
    )
    _announce("contribution.updated", c)
    return c


@transaction.atomic
def bulk_triage(ids, user, status=None, public_reason=None, sections=None, duplicate_of=None) -> int:
    """Same rules as triage(), all or nothing."""
    _require(user, "strategy.triage_contribution", _("Only the mission team can triage contributions."))
    if not isinstance(ids, list | tuple) or not ids or not all(whole_number(i) is not None for i in ids):
        raise ValidationError({"ids": [_("Select at least one contribution.")]})
    found = list(Contribution.objects.filter(pk__in=[int(i) for i in ids]).order_by("pk"))
    if len(found) != len({int(i) for i in ids}):
        raise ValidationError({"ids": [_("Some of the selected contributions do not exist.")]})
    for c in found:
        triage(c, user, status=status, sections=sections, public_reason=public_reason, duplicate_of=duplicate_of)
    return len(found)


@transaction.atomic
def merge(primary: Contribution, others, user) -> int:
    """Merge a group of similar contributions: the others become duplicates of the primary (links move to it)."""
    _require(user, "strategy.triage_contribution", _("Only the mission team can triage contributions."))
    others = [o for o in others if o.pk != primary.pk]
    if not others:
        raise ValidationError({"ids": [_("Choose at least two contributions to merge.")]})
    for o in others:
        for link in ContributionSection.objects.filter(contribution=o, version__isnull=True):
            ContributionSection.objects.get_or_create(
                contribution=primary, section=link.section, defaults={"linked_by": user}
            )
        triage(o, user, status=Contribution.Status.DUPLICATE, duplicate_of=primary)
    record(user, "strategy.merge", primary, merged=[o.pk for o in others])
    return len(others)


@transaction.atomic
def add_offline_contribution(
    user, *, title, text, theme=None, district=None, event, event_date, participants=None, location=None
) -> Contribution:
    _require(user, "strategy.add_offline_contribution", _("Only the mission team can enter offline contributions."))
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("A title is required.")]
    if not (event or "").strip():
        errors["event"] = [_("Say where this contribution was gathered (workshop, letter…).")]
    if event_date is None:
        errors["event_date"] = [_("The date of the event is required.")]
    elif event_date > timezone.localdate():
        errors["event_date"] = [_("The date of the event cannot be in the future.")]
    if participants is not None and participants < 1:
        errors["participants"] = [_("The number of participants must be at least 1.")]
    if errors:
        raise ValidationError(errors)
    if isinstance(theme, str):
        theme = Theme.objects.filter(slug=theme).select_related("referent").first()
    if isinstance(district, int):
        district = District.objects.filter(number=district).first()
    c = Contribution.objects.create(
        source=Contribution.Sources.OFFLINE,
        title=title.strip()[:300],
        text=(text or "").strip(),
        theme=theme,
        district=district,
        location=location,
        event=event.strip()[:200],
        event_date=event_date,
        participants=participants,
        support=participants or 0,
        assigned_to=theme.referent if theme else None,
        created_at=timezone.now(),
    )
    record(user, "strategy.offline_contribution", c, event=c.event)
    _announce("contribution.created", c)
    return c


def add_comment(section: Section, user, body: str, quote: str = "") -> SectionComment:
    if not user.has_perm("strategy.comment_section"):
        from accounts.rules import refusal_reason

        raise PermissionDenied(refusal_reason(user))
    body, quote = (body or "").strip(), (quote or "").strip()
    errors = {}
    if not body:
        errors["body"] = [_("Write your comment.")]
    elif len(body) > 5000:
        errors["body"] = [_("A comment must be at most 5,000 characters.")]
    if len(quote) > 1000:
        errors["quote"] = [_("The quoted passage must be at most 1,000 characters.")]
    if errors:
        raise ValidationError(errors)
    # The registry's post_save signal puts it in the inbox.
    return SectionComment.objects.create(section=section, author=user, body=body, quote=quote)
