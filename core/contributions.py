"""The contribution registry: how `strategy/` learns about contributions without importing any other app.

Each source app (mapvotes, ideas, volunteering) calls `register(Source(...))` from its
`contributions.py`, imported by its AppConfig.ready(). `strategy/` reads `sources()` and keeps its inbox
in sync, and in return installs an *outcome provider* so that source pages can show what became of a
contribution (`outcomes()`), still without importing `strategy/`.

How the inbox stays truthful:
- post_save/post_delete of `Source.model`, and m2m_changed of every through model in `Source.depends_on`
  (themes and districts are often set after the first save), re-describe the object;
- `contribution_changed(key, pk)`: a source asks for a full re-description after a change that fires no
  signal (`QuerySet.update()`, raw SQL), once its transaction commits;
- `support_changed(key, pk)`: a source's support figure changed (a vote, a support, an application);
  after commit, the figure computed by SQL from `Source.support` is copied into the inbox — within
  CONTRIBUTION_SUPPORT_DELAY seconds (0.5), by a background thread of the process that copies every
  object due in one transaction (serving.coalesce), so that a vote does not pay for it and a popular
  proposal's thousand votes a minute are one copy per window; at once when the delay is 0 (tests). It
  never fails the caller. The periodic `sync_contributions --support` task repairs whatever a lost
  callback (a crash between commit and refresh) left stale.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import models, transaction

from serving.coalesce import Coalescer

SOURCE_KEYS = ("map", "idea", "mission", "comment", "annotation", "budget")


@dataclass(frozen=True)
class ContributionData:
    """What a source says about one of its objects, in the inbox's own terms."""

    source: str
    source_id: int
    title: str
    text: str
    url: str
    created_at: datetime
    theme: str | None = None  # theme slug
    district: int | None = None  # arrondissement number 1-20, None for city-wide
    location: object | None = None  # GEOS geometry (SRID 4326) or None
    support: int = 0  # the figure that says how much residents back it (votes for, supporters, applications)
    author_id: int | None = None
    public: bool = True  # False: hidden or withdrawn, leaves the inbox


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    model: type[models.Model]
    describe: Callable[[models.Model], ContributionData]
    queryset: Callable[[], models.QuerySet]
    followers: Callable[[models.Model], Iterable] = field(default=lambda obj: [])
    # Through models of the many-to-many fields that describe() reads (themes, districts…).
    depends_on: tuple[type[models.Model], ...] = ()
    # A queryset of the source model with a `support` annotation computed by SQL (same figure as
    # describe().support), e.g. `Proposal.objects.annotate(support=F("votes_for"))`.
    support: Callable[[], models.QuerySet] | None = None


@dataclass(frozen=True)
class OutcomeSection:
    slug: str
    title: str
    url: str  # the section in the version that integrated it


@dataclass(frozen=True)
class Outcome:
    status: str = "new"
    version: int | None = None  # the version that integrated it (the first one, never a later one)
    sections: tuple[str, ...] = ()  # slugs
    version_url: str = ""
    public_reason: str = ""  # the team's public word, for every status
    section_links: tuple[OutcomeSection, ...] = ()
    duplicate_title: str = ""  # the contribution it was grouped with
    duplicate_url: str = ""


_sources: dict[str, Source] = {}
_outcome_provider: Callable[[str, list[int]], dict[int, Outcome]] | None = None
_resync: Callable[[str, int], None] | None = None
_refresh_support: Callable[[str, int], None] | None = None
_refresh_support_batch: Callable[[str, list[int]], None] | None = None


_connector: Callable[[], None] | None = None


def register(source: Source) -> None:
    if source.key not in SOURCE_KEYS:
        raise ValueError(f"Unknown contribution source {source.key!r}")
    _sources[source.key] = source
    if _connector is not None:  # an app later in INSTALLED_APPS than the inbox's registers: connect it too
        _connector()


def register_model_source(
    key: str,
    label: str,
    model: type[models.Model],
    *,
    describe: Callable[[models.Model], ContributionData],
    select_related: tuple[str, ...] = (),
    support_field: str | None = None,
    followers: Callable[[models.Model], Iterable] | None = None,
    depends_on: tuple[type[models.Model], ...] = (),
) -> Source:
    """Register the usual source: its objects read with `select_related`, its support figure a counter column of the
    model (`support_field`, e.g. "votes_for"; the app's services keep it and call support_changed())."""

    def queryset():
        return model.objects.select_related(*select_related)

    def support():
        return model.objects.annotate(support=models.F(support_field))

    source = Source(
        key,
        label,
        model,
        describe=describe,
        queryset=queryset,
        followers=followers or (lambda obj: []),
        depends_on=depends_on,
        support=support if support_field else None,
    )
    register(source)
    return source


def set_source_connector(connector: Callable[[], None] | None) -> None:
    """The inbox's way to hear of sources registered after it started (it connects their signals)."""
    global _connector
    _connector = connector


def sources() -> list[Source]:
    return list(_sources.values())


def get_source(key: str) -> Source | None:
    return _sources.get(key)


def source_for_model(model) -> Source | None:
    for source in _sources.values():
        if source.model is model or (isinstance(model, type) and issubclass(model, source.model)):
            return source
    return None


def set_outcome_provider(provider: Callable[[str, list[int]], dict[int, Outcome]] | None) -> None:
    global _outcome_provider
    _outcome_provider = provider


def set_sync_handlers(
    resync: Callable[[str, int], None] | None,
    refresh_support: Callable[[str, int], None] | None,
    refresh_support_batch: Callable[[str, list[int]], None] | None = None,
) -> None:
    """Installed by the consumer of the registry (strategy): what to do when a source says something changed
    (`refresh_support_batch`: the same as `refresh_support` for several objects of one source at once)."""
    global _resync, _refresh_support, _refresh_support_batch
    _resync, _refresh_support, _refresh_support_batch = resync, refresh_support, refresh_support_batch


def _after_commit(handler, source_key: str, pk) -> None:
    if handler is None or pk is None:
        return
    # robust: a failure is logged, never raised into the vote/support/application that triggered it.
    transaction.on_commit(lambda: handler(source_key, pk), robust=True)


def contribution_changed(source_key: str, pk) -> None:
    """Re-describe object `pk` of this source once the current transaction commits (for changes without signals)."""
    _after_commit(_resync, source_key, pk)


def support_changed(source_key: str, pk) -> None:
    """The support figure of object `pk` changed: refresh it in the inbox after commit, within
    CONTRIBUTION_SUPPORT_DELAY seconds (at once if 0)."""
    delay = getattr(settings, "CONTRIBUTION_SUPPORT_DELAY", 0)
    if delay <= 0 or _refresh_support_batch is None:
        _after_commit(_refresh_support, source_key, pk)
    elif pk is not None:
        transaction.on_commit(lambda: _support_refreshes.add((source_key, pk), delay), robust=True)


def _refresh_supports(keys: list[tuple[str, int]]) -> None:
    """The coalescer's flush: one batch per source (support_changed() queues only when a batch handler is set)."""
    by_source: dict[str, list[int]] = {}
    for source_key, pk in keys:
        by_source.setdefault(source_key, []).append(pk)
    for source_key, pks in by_source.items():
        _refresh_support_batch(source_key, pks)


# Every key due within half a second of the first goes in its flush: one transaction for all the objects voted on
# in that time, not one per vote (a key waits its delay, and up to half a second less).
_support_refreshes = Coalescer("contribution-support", _refresh_supports, batch=0.5)


def outcomes(source_key: str, ids: Iterable[int]) -> dict[int, Outcome]:
    """Outcome of each contribution in one query; missing ids mean "new"."""
    ids = list(ids)
    if _outcome_provider is None or not ids:
        return {}
    return _outcome_provider(source_key, ids)


def outcome(source_key: str, source_id: int) -> Outcome:
    return outcomes(source_key, [source_id]).get(source_id, Outcome())


def outcome_fields(o: Outcome) -> dict:
    """The contract's fields for API objects: strategy_status, strategy_version, strategy_sections."""
    data = {"strategy_status": o.status}
    if o.status == "integrated":
        data["strategy_version"] = o.version
        data["strategy_sections"] = list(o.sections)
        data["strategy_section_titles"] = [s.title for s in o.section_links]
    if o.public_reason:
        data["strategy_reason"] = o.public_reason
    if o.status == "duplicate" and o.duplicate_url:
        data["strategy_duplicate_of"] = o.duplicate_url
    return data
