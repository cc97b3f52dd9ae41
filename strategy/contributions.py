"""Strategy's side of the contribution registry: section comments are a source, the outcome provider, and
what keeps the inbox in sync with the sources (signals, explicit re-syncs, support refreshes)."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, JSONObject
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import contributions as registry
from core.side_effects import side_effect

from .models import Contribution, ContributionSection, SectionComment, SectionVersion
from .services import remove_contribution, upsert_contribution
from .support import support_subquery


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
    found = outcomes_of(Contribution.objects.filter(source=source_key, source_id__in=ids))
    return dict(found.values())


def outcome_of(contribution: Contribution) -> registry.Outcome:
    found = outcomes_of(Contribution.objects.filter(pk=contribution.pk))
    return found[contribution.pk][1] if contribution.pk in found else registry.Outcome()


def outcomes_of(contributions) -> dict[int, tuple[int | None, registry.Outcome]]:
    """{contribution pk: (source id, outcome)} in one query."""
    title_then = SectionVersion.objects.filter(version_id=OuterRef("version_id"), section_id=OuterRef("section_id"))
    links = (
        ContributionSection.objects.filter(contribution_id=OuterRef("pk"), version__isnull=False)
        .annotate(title_then=Coalesce(Subquery(title_then.values("title")[:1]), F("section__title")))
        .order_by("version__number", "section__position", "section_id")
        .values(json=JSONObject(slug=F("section__slug"), title=F("title_then"), version=F("version__number")))
    )
    rows = contributions.values(
        "pk", "source_id", "status", "public_reason", "duplicate_of_id", "duplicate_of__title"
    ).annotate(links=ArraySubquery(links), duplicate_public=F("duplicate_of__is_public"))
    result = {}
    for row in rows:
        found = [link for link in row["links"] if link and link.get("slug")]
        version = min((link["version"] for link in found), default=None) if row["status"] == "integrated" else None
        section_links = tuple(
            registry.OutcomeSection(
                link["slug"], link["title"], reverse("strategy:version", args=[link["version"]]) + f"#{link['slug']}"
            )
            for link in found
        )
        duplicate = row["status"] == "duplicate" and row["duplicate_of_id"] and row["duplicate_public"]
        result[row["pk"]] = (
            row["source_id"],
            registry.Outcome(
                status=row["status"],
                version=version,
                sections=tuple(link.slug for link in section_links),
                version_url=reverse("strategy:version", args=[version]) if version else "",
                public_reason=row["public_reason"],
                section_links=section_links if version else (),
                duplicate_title=row["duplicate_of__title"] if duplicate else "",
                duplicate_url=reverse("strategy:contribution", args=[row["duplicate_of_id"]]) if duplicate else "",
            ),
        )
    return result


def resync(source_key: str, pk) -> None:
    """Re-describe one source object into the inbox (registry.contribution_changed, m2m changes)."""
    source = registry.get_source(source_key)
    if source is None:
        return
    obj = source.model._default_manager.filter(pk=pk).first()
    if obj is None:
        remove_contribution(source_key, pk)
    else:
        upsert_contribution(source.describe(obj))


_PK_PLACEHOLDER = -7_041_917  # stands for the object's pk in the compiled support SQL
_support_sql: dict[str, tuple[registry.Source, str, list]] = {}


def _compiled_support_sql(source: registry.Source) -> tuple[str, list]:
    """The source's support figure for one object, compiled once to SQL (the ORM costs more than the query)."""
    cached = _support_sql.get(source.key)
    if cached is None or cached[0] is not source:
        figure = source.support().filter(pk=_PK_PLACEHOLDER).order_by().values("support")[:1]
        sql, params = figure.query.sql_with_params()
        cached = _support_sql[source.key] = (source, sql, list(params))
    return cached[1], cached[2]


def refresh_support(source_key: str, pk) -> int:
    """After a vote/support/application commits: copy the fresh support figure into the inbox row.

    Four round trips, no ORM compilation, no wait for the disk: the row lock comes first, in its own
    statement, so that the UPDATE's snapshot is taken after any concurrent refresh committed (the last
    refresh always reads the last committed counter); nothing is written when the figure did not change
    (a vote "against"); the commit is asynchronous (synchronous_commit off for this transaction only):
    a crash may lose the last refresh, which the periodic `sync_contributions --support` repairs.
    """
    source = registry.get_source(source_key)
    if source is None or source.support is None:
        return 0
    figure_sql, figure_params = _compiled_support_sql(source)
    figure_params = [pk if p == _PK_PLACEHOLDER else p for p in figure_params]
    table = connection.ops.quote_name(Contribution._meta.db_table)
    async_commit = not connection.in_atomic_block  # never change the durability of a caller's transaction
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {'set_config(%s, %s, true)' if async_commit else '%s, %s'} FROM {table}"  # noqa: S608
            " WHERE source = %s AND source_id = %s FOR UPDATE",
            ["synchronous_commit", "off", source_key, pk],
        )
        row = cursor.fetchone()
        if row is None:
            return 0
        cursor.execute(
            f"UPDATE {table} SET support = fresh.support"  # noqa: S608
            f" FROM (SELECT COALESCE(({figure_sql}), 0) AS support) fresh"
            f" WHERE {table}.id = %s AND {table}.support <> fresh.support",
            [*figure_params, row[0]],
        )
        return cursor.rowcount


def refresh_support_batch(source_key: str, pks: list[int]) -> int:
    """refresh_support() for several objects of one source, in one transaction: the inbox rows are locked first (in
    id order, so that two processes never deadlock), then one UPDATE, whose snapshot follows the locks, copies every
    figure that changed. Asynchronous commit, as refresh_support()."""
    source = registry.get_source(source_key)
    if source is None or source.support is None or not pks:
        return 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        ids = list(
            Contribution.objects.select_for_update()
            .filter(source=source_key, source_id__in=sorted(set(pks)))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        fresh = support_subquery(source)
        return Contribution.objects.filter(pk__in=ids).filter(~Q(support=fresh)).update(support=fresh)


def _on_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    source = registry.source_for_model(sender)
    if source is not None:
        # The inbox copy is a side effect: it never refuses the save (the periodic sync repairs a lost copy).
        with side_effect("inbox copy of %s %s", source.key, instance.pk):
            upsert_contribution(source.describe(instance))


def _on_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Themes/districts set after the first save: re-describe the objects whose relations changed."""
    if action not in ("pre_clear", "post_add", "post_remove", "post_clear"):
        return
    source = _source_for_through(sender)
    if source is None:
        return
    if not reverse:
        if action != "pre_clear":
            _resync_instance(source, instance)
        return
    # Reverse side (e.g. theme.ideas.add(...)): the source objects are in pk_set, or, for a clear, the
    # objects related just before it (remembered at pre_clear).
    field = _forward_field_name(source, sender)
    if action == "pre_clear":
        related = source.model._default_manager.filter(**{field: instance}).values_list("pk", flat=True)
        instance._strategy_cleared_ids = set(related)
        return
    ids = pk_set if action != "post_clear" else getattr(instance, "_strategy_cleared_ids", set())
    for obj in source.model._default_manager.filter(pk__in=list(ids or ())):
        _resync_instance(source, obj)


def _resync_instance(source: registry.Source, obj) -> None:
    with side_effect("inbox copy of %s %s", source.key, obj.pk):
        upsert_contribution(source.describe(obj))


def _source_for_through(through) -> registry.Source | None:
    for source in registry.sources():
        if through in source.depends_on:
            return source
    return None


def _forward_field_name(source: registry.Source, through) -> str:
    for f in source.model._meta.many_to_many:
        if f.remote_field.through is through:
            return f.name
    raise LookupError(f"{through} is not a many-to-many of {source.model}")


def _on_delete(sender, instance, **kwargs):
    source = registry.source_for_model(sender)
    if source is not None:
        remove_contribution(source.key, instance.pk)


def _uid(model) -> str:
    return f"strategy-contribution-{model._meta.label_lower}"


def connect_sources() -> None:
    """Connect post_save/post_delete of every registered source model, and m2m_changed of the through models
    it depends on (idempotent: one receiver per model)."""
    for source in registry.sources():
        uid = _uid(source.model)
        post_save.connect(_on_save, sender=source.model, weak=False, dispatch_uid=uid)
        post_delete.connect(_on_delete, sender=source.model, weak=False, dispatch_uid=uid)
        for through in source.depends_on:
            m2m_changed.connect(_on_m2m_changed, sender=through, weak=False, dispatch_uid=_uid(through))
    registry.set_sync_handlers(
        resync=resync, refresh_support=refresh_support, refresh_support_batch=refresh_support_batch
    )
    registry.set_source_connector(connect_sources)  # idempotent: sources registered later are connected too


def disconnect_source(source: registry.Source) -> None:
    uid = _uid(source.model)
    post_save.disconnect(sender=source.model, dispatch_uid=uid)
    post_delete.disconnect(sender=source.model, dispatch_uid=uid)
    for through in source.depends_on:
        m2m_changed.disconnect(sender=through, dispatch_uid=_uid(through))
