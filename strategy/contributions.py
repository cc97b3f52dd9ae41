"""Strategy's side of the contribution registry: section comments are a source, and the outcome provider."""

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Max, Q
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import contributions as registry

from .models import Contribution, SectionComment


def describe_comment(comment: SectionComment) -> registry.ContributionData:
    section = comment.section
    return registry.ContributionData(
        source="comment",
        source_id=comment.pk,
        title=f"{section.title} — {comment.body[:80]}",
        text=(f"« {comment.quote} »\n\n" if comment.quote else "") + comment.body,
        url=comment.get_absolute_url(),
        created_at=comment.created_at,
        theme=section.theme.slug if section.theme_id else None,
        author_id=comment.author_id,
        public=not comment.is_hidden,
    )


COMMENT_SOURCE = registry.Source(
    key="comment",
    label=_("Comments on the strategy"),
    model=SectionComment,
    describe=describe_comment,
    queryset=lambda: SectionComment.objects.select_related("section__theme"),
    followers=lambda comment: [],
)


def outcomes_for(source_key: str, ids: list[int]) -> dict[int, registry.Outcome]:
    """The outcome provider: what became of each contribution, in one query."""
    integrated = Q(links__version__isnull=False)
    rows = (
        Contribution.objects.filter(source=source_key, source_id__in=ids)
        .values("source_id", "status", "public_reason")
        .annotate(
            version=Max("links__version__number", filter=integrated),
            slugs=ArrayAgg("links__section__slug", filter=integrated, distinct=True, default=[]),
        )
    )
    result = {}
    for row in rows:
        version = row["version"]
        result[row["source_id"]] = registry.Outcome(
            status=row["status"],
            version=version,
            sections=tuple(sorted(s for s in row["slugs"] if s)),
            version_url=reverse("strategy:version", args=[version]) if version else "",
            public_reason=row["public_reason"] if row["status"] == "rejected" else "",
        )
    return result


def _on_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .services import upsert_contribution

    source = registry.source_for_model(sender)
    if source is not None:
        upsert_contribution(source.describe(instance))


def _on_delete(sender, instance, **kwargs):
    from .services import remove_contribution

    source = registry.source_for_model(sender)
    if source is not None:
        remove_contribution(source.key, instance.pk)


def connect_sources() -> None:
    """Connect post_save/post_delete of every registered source model (idempotent: one receiver per model)."""
    for source in registry.sources():
        uid = f"strategy-contribution-{source.model._meta.label_lower}"
        post_save.connect(_on_save, sender=source.model, weak=False, dispatch_uid=uid)
        post_delete.connect(_on_delete, sender=source.model, weak=False, dispatch_uid=uid)


def disconnect_source(source: registry.Source) -> None:
    uid = f"strategy-contribution-{source.model._meta.label_lower}"
    post_save.disconnect(sender=source.model, dispatch_uid=uid)
    post_delete.disconnect(sender=source.model, dispatch_uid=uid)
