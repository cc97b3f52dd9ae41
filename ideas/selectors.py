"""Everything that reads for display: lists with search and filters, matching both ways with reasons."""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchRank
from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core.models import District, Theme
from core.search import query as search_query

from .models import Comment, Connection, Idea, Need, NeedKind, NewsPost, PartnerProfile

# Weights of the matching score (out of 100): needs covered, shared theme, place.
NEEDS_WEIGHT, THEME_WEIGHT, PLACE_WEIGHT = 70, 20, 10


def district_label(number: int) -> str:
    if (get_language() or "fr").startswith("en"):
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number if number < 20 else 0, "th")
        return f"{number}{suffix}"
    return "1er" if number == 1 else f"{number}e"


def kind_labels(kinds) -> str:
    labels = dict(NeedKind.choices)
    return ", ".join(str(labels[k]) for k in kinds)


# --- lists ---------------------------------------------------------------------------------------------------


@dataclass
class IdeaFilters:
    q: str = ""
    theme: str = ""
    district: int | None = None
    stage: str = ""
    need: str = ""
    status: str = ""
    errors: dict = field(default_factory=dict)

    @classmethod
    def from_params(cls, params):
        f = cls(
            q=(params.get("q") or "").strip()[:200],
            theme=(params.get("theme") or "").strip(),
            stage=(params.get("stage") or "").strip(),
            need=(params.get("need") or "").strip(),
            status=(params.get("status") or "").strip(),
        )
        raw = (params.get("district") or "").strip()
        if raw:
            try:
                f.district = int(raw)
                if not 1 <= f.district <= 20:
                    raise ValueError
            except ValueError:
                f.errors["district"] = [_("Arrondissements are numbers from 1 to 20.")]
        if f.stage and f.stage not in Idea.Stage.values:
            f.errors["stage"] = [_("Unknown stage.")]
        if f.need and f.need not in NeedKind.values:
            f.errors["need"] = [_("Unknown kind of need.")]
        if f.status and f.status not in Idea.PUBLIC_STATUSES:
            f.errors["status"] = [_("Unknown status.")]
        return f


def _with_display(qs):
    return qs.select_related("holder", "organization").prefetch_related(
        "themes",
        districts_prefetch(),
        Prefetch("needs", queryset=Need.objects.order_by("position", "pk")),
        "images",
    )


def districts_prefetch():
    # Never load the arrondissement polygons for display: number and name are enough.
    return Prefetch("districts", queryset=District.objects.only("id", "number", "name"))


def public_ideas():
    return Idea.objects.filter(status__in=Idea.PUBLIC_STATUSES, is_hidden=False)


def idea_list(filters: IdeaFilters, base=None):
    qs = base if base is not None else public_ideas()
    # Theme and arrondissement through the idea's own matching copies (theme_ids, district_numbers, kept by
    # services.sync_match_fields): no join and no duplicate rows, so the list keeps walking its index in order
    # (5 ms instead of 30 ms for the count on 20,000 ideas).
    if filters.theme:
        theme_id = Theme.objects.filter(slug=filters.theme).values_list("pk", flat=True).first()
        qs = qs.filter(theme_ids__contains=[theme_id]) if theme_id is not None else qs.none()
    if filters.district:
        qs = qs.filter(Q(district_numbers__contains=[filters.district]) | Q(district_numbers=[]))
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.need:
        qs = qs.filter(Exists(Need.objects.filter(idea=OuterRef("pk"), kind=filters.need, covered=False)))
    if filters.q:
        sq = search_query(filters.q)
        qs = qs.filter(search=sq).annotate(rank=SearchRank(F("search"), sq)).order_by("-rank", "-published_at", "-pk")
    else:
        qs = qs.order_by("-published_at", "-pk")
    return _with_display(qs)


def idea_detail(pk):
    return _with_display(Idea.objects.all()).get(pk=pk)


def partner_list(filters: IdeaFilters):
    qs = PartnerProfile.objects.all()
    if filters.theme:
        qs = qs.filter(themes__slug=filters.theme)
    if filters.district:
        qs = qs.filter(Q(districts__number=filters.district) | Q(districts__isnull=True))
    if filters.need:
        qs = qs.filter(offers__kind=filters.need)
    if filters.q:
        sq = search_query(filters.q)
        qs = qs.filter(search=sq).annotate(rank=SearchRank(F("search"), sq)).order_by("-rank", "organization__name")
    else:
        qs = qs.order_by("organization__name")
    if filters.theme or filters.district or filters.need:
        qs = qs.distinct()
    return qs.select_related("organization").prefetch_related("themes", districts_prefetch(), "offers")


def comments_of(idea):
    """Reading order: each top-level comment followed by its replies (threads in the order they started)."""
    return (
        Comment.objects.filter(idea=idea)
        .select_related("author")
        .order_by(Coalesce("parent_id", "id"), "created_at", "pk")
    )


def comment_threads(idea, user=None) -> list:
    """Top-level comments, each with `.thread_replies` (its replies) and, for `user`, `.can_edit` / `.can_delete`."""
    threads, by_id = [], {}
    for comment in comments_of(idea):
        if user is not None:
            comment.can_edit = user.has_perm("ideas.change_comment", comment)
            comment.can_delete = user.has_perm("ideas.delete_comment", comment)
        if comment.parent_id and comment.parent_id in by_id:
            by_id[comment.parent_id].thread_replies.append(comment)
        else:
            comment.thread_replies = []
            by_id[comment.pk] = comment
            threads.append(comment)
    return threads


def news_of(idea):
    return NewsPost.objects.filter(idea=idea).select_related("author")


def connections_of_user(user):
    if not user.is_authenticated:
        return Connection.objects.none()
    org_ids = list(user.memberships.values_list("organization_id", flat=True))
    return (
        Connection.objects.filter(
            Q(idea__holder=user) | Q(idea__organization_id__in=org_ids) | Q(partner__organization_id__in=org_ids)
        )
        .select_related("idea", "need", "partner__organization")
        .order_by("-updated_at")
    )


def contacts(connection):
    """Contact details of both sides, revealed only once the connection is accepted."""
    if connection.status != Connection.Status.ACCEPTED:
        return None
    idea, org = connection.idea, connection.partner.organization
    holder = idea.holder
    return {
        "holder": {
            "name": holder.public_name if holder else (idea.organization.name if idea.organization else ""),
            "email": holder.email if holder else (idea.organization.email if idea.organization else ""),
            "organization": idea.organization.name if idea.organization else None,
        },
        "partner": {
            "name": org.name,
            "email": org.email or next(iter(u.email for u in org.members.filter(memberships__role="admin")), ""),
            "website": org.website,
        },
    }


@contextmanager
def no_jit():
    """Matching queries hold many small subplans; PostgreSQL's JIT would spend seconds compiling them
    (measured: 3.4 s of JIT for a 40 ms query on the bench data). Evaluate them inside this block."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


# --- matching ------------------------------------------------------------------------------------------------


@dataclass
class Match:
    obj: object
    score: int
    reasons: list[str]


def _place_reason(partner_districts, idea_districts):
    if not partner_districts:
        return _("works across Paris")
    shared = sorted(set(partner_districts) & set(idea_districts))
    if shared:
        return _("works in the %(districts)s") % {"districts": ", ".join(district_label(n) for n in shared)}
    if not idea_districts:
        return _("city-wide idea")
    return None


def _needs_reason(matched_kinds, matched, total):
    return ngettext(
        "covers %(n)s need of %(total)s: %(kinds)s",
        "covers %(n)s needs of %(total)s: %(kinds)s",
        matched,
    ) % {"n": matched, "total": total, "kinds": kind_labels(matched_kinds)}


def _theme_reason(shared_themes):
    if not shared_themes:
        return None
    return ngettext("same theme: %(themes)s", "same themes: %(themes)s", len(shared_themes)) % {
        "themes": ", ".join(t.label for t in shared_themes)
    }


def partners_for_idea(idea, filters: IdeaFilters | None = None):
    """Partners whose offers cover the idea's uncovered needs, ranked (queryset with `score`).

    Reads only the partner rows' matching copies (offer kinds, theme ids, arrondissements): no join per candidate.
    """
    idea = Idea.objects.only("pk", "organization_id", "open_need_kinds", "theme_ids", "district_numbers").get(
        pk=idea.pk
    )
    open_kinds = list(idea.open_need_kinds)
    total = len(open_kinds)
    per_kind = {k: open_kinds.count(k) for k in sorted(set(open_kinds))}
    qs = partner_list(filters or IdeaFilters())  # carries select/prefetch for display
    if not per_kind:
        return qs.none()
    qs = qs.filter(offer_kinds__overlap=list(per_kind))
    if idea.organization_id:
        qs = qs.exclude(organization_id=idea.organization_id)
    has_kind = {
        f"has_{k}": Case(When(offer_kinds__contains=[k], then=Value(True)), default=Value(False)) for k in per_kind
    }
    covered = sum(
        (Case(When(offer_kinds__contains=[k], then=Value(n)), default=Value(0)) for k, n in per_kind.items()),
        Value(0),
    )
    place = Q(district_numbers=[])
    if idea.district_numbers:
        place |= Q(district_numbers__overlap=list(idea.district_numbers))
    else:
        place = Q(pk__isnull=False)
    theme = Q(theme_ids__overlap=list(idea.theme_ids)) if idea.theme_ids else Q(pk__isnull=True)
    # Integer arithmetic in tenths of a point (PostgreSQL numeric is slow on thousands of rows).
    score = (
        covered * Value(NEEDS_WEIGHT * 10) / Value(total)
        + Case(When(theme, then=Value(THEME_WEIGHT * 10)), default=Value(0))
        + Case(When(place, then=Value(PLACE_WEIGHT * 10)), default=Value(0))
    )
    return qs.annotate(**has_kind, score=ExpressionWrapper(score, output_field=IntegerField())).order_by(
        "-score", "organization__name", "pk"
    )


def partner_reasons(partner, idea_themes, idea_district_numbers, per_kind, total):
    matched_kinds = [k for k in NeedKind.values if k in per_kind and getattr(partner, f"has_{k}", False)]
    matched = sum(per_kind[k] for k in matched_kinds)
    reasons = [_needs_reason(matched_kinds, matched, total)]
    shared = [t for t in partner.themes.all() if t.pk in idea_themes]
    for reason in (
        _theme_reason(shared),
        _place_reason([d.number for d in partner.districts.all()], idea_district_numbers),
    ):
        if reason:
            reasons.append(reason)
    return reasons


def matches_for_idea(idea, page_objects):
    """Reasons for a page of `partners_for_idea` results (themes/districts are prefetched: no extra query)."""
    idea_themes = {t.pk for t in idea.themes.all()}
    idea_districts = [d.number for d in idea.districts.all()]
    open_kinds = [n.kind for n in idea.needs.all() if not n.covered]
    per_kind = {k: open_kinds.count(k) for k in set(open_kinds)}
    return [
        Match(p, round(p.score / 10), partner_reasons(p, idea_themes, idea_districts, per_kind, len(open_kinds)))
        for p in page_objects
    ]


def ideas_for_partner(partner, filters: IdeaFilters | None = None):
    """Open ideas whose uncovered needs the partner's offers cover, ranked with `score` (row copies only)."""
    partner = PartnerProfile.objects.only("pk", "organization_id", "offer_kinds", "theme_ids", "district_numbers").get(
        pk=partner.pk
    )
    kinds = sorted(set(partner.offer_kinds))
    base = Idea.objects.filter(status__in=Idea.OPEN_STATUSES, is_hidden=False)
    qs = idea_list(filters, base=base) if filters else _with_display(base)
    if not kinds:
        return qs.none()
    qs = qs.filter(open_need_kinds__overlap=kinds).exclude(organization_id=partner.organization_id)
    needs = F("open_need_kinds")
    cardinality = lambda expr: Func(expr, function="cardinality", output_field=IntegerField())  # noqa: E731
    # Needs of kind k among the open ones = length of the array minus its length once k is removed.
    matched = sum(
        (
            cardinality(needs) - cardinality(Func(needs, Value(k), function="array_remove", output_field=needs_field()))
            for k in kinds
        ),
        Value(0),
    )
    place = Q(district_numbers=[])
    if partner.district_numbers:
        place |= Q(district_numbers__overlap=list(partner.district_numbers))
    else:
        place = Q(pk__isnull=False)
    theme = Q(theme_ids__overlap=list(partner.theme_ids)) if partner.theme_ids else Q(pk__isnull=True)
    # Integer arithmetic in tenths of a point (PostgreSQL numeric is slow on thousands of rows).
    score = (
        matched * Value(NEEDS_WEIGHT * 10) / cardinality(needs)
        + Case(When(theme, then=Value(THEME_WEIGHT * 10)), default=Value(0))
        + Case(When(place, then=Value(PLACE_WEIGHT * 10)), default=Value(0))
    )
    order = ["-score", "-published_at", "-pk"]
    if filters and filters.q:
        order = ["-score", "-rank", "-pk"]
    # Holder and organisation are fetched for the page only: joined, they sat between the LIMIT and the sort,
    # which then ordered every candidate row in full (on disk) instead of keeping the best 20 (top-N).
    return (
        qs.select_related(None)
        .prefetch_related("holder", "organization")
        .annotate(score=ExpressionWrapper(score, output_field=IntegerField()))
        .order_by(*order)
    )


def needs_field():
    return Idea._meta.get_field("open_need_kinds").clone()


def matches_for_partner(partner, page_objects):
    kinds = {o.kind for o in partner.offers.all()}
    partner_themes = {t.pk for t in partner.themes.all()}
    partner_districts = [d.number for d in partner.districts.all()]
    results = []
    for idea in page_objects:
        open_needs = [n for n in idea.needs.all() if not n.covered]
        matched = [n for n in open_needs if n.kind in kinds]
        matched_kinds = [k for k in NeedKind.values if any(n.kind == k for n in matched)]
        reasons = [_needs_reason(matched_kinds, len(matched), len(open_needs))]
        shared = [t for t in idea.themes.all() if t.pk in partner_themes]
        idea_districts = [d.number for d in idea.districts.all()]
        for reason in (_theme_reason(shared), _place_reason(partner_districts, idea_districts)):
            if reason:
                reasons.append(reason)
        results.append(Match(idea, round(idea.score / 10), reasons))
    return results


def themes():
    return Theme.objects.all()


def idea_for_mission(mission_id: int):
    """The published idea whose volunteers need became this volunteering mission (the link back), if any."""
    need = (
        Need.objects.filter(mission_id=mission_id, idea__status__in=Idea.PUBLIC_STATUSES, idea__is_hidden=False)
        .select_related("idea")
        .first()
    )
    return need.idea if need else None


def ideas_seeking_partners(limit: int = 4) -> list[Idea]:
    """The newest open ideas with at least one need not covered yet, each with `open_needs` (the kinds, in words).

    Read from the idea's own copy of its uncovered need kinds (`open_need_kinds`, kept by the services): one query,
    no join to the needs.
    """
    ideas = list(
        Idea.objects.filter(status__in=Idea.OPEN_STATUSES, is_hidden=False)
        .exclude(open_need_kinds=[])
        .only("id", "title", "pitch", "status", "open_need_kinds", "published_at")
        .order_by("-published_at", "-pk")[:limit]
    )
    labels = dict(NeedKind.choices)
    for idea in ideas:
        idea.open_needs = [labels[k] for k in idea.open_need_kinds if k in labels]
    return ideas
