"""Everything that reads the marketplace for display: search with facets, recommendations, statistics."""

import datetime
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import search
from core.models import District, Theme

from .models import WEEKDAYS, Application, Mission, TimeSlot, VolunteerProfile

VISIBLE = (Mission.Status.PUBLISHED, Mission.Status.FULL)
MAX_RADIUS_KM = 50
SLOT_HOURS = {TimeSlot.MORNING: (6, 12), TimeSlot.AFTERNOON: (12, 18), TimeSlot.EVENING: (18, 24)}


@dataclass
class MissionFilters:
    q: str = ""
    themes: list = field(default_factory=list)  # slugs
    districts: list = field(default_factory=list)  # numbers
    near: Point | None = None
    radius_km: float | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    weekdays: list = field(default_factory=list)
    time_slots: list = field(default_factory=list)
    remote: bool | None = None
    commitment_max: int | None = None  # hours per week
    places_left: bool = False
    accessible: bool = False
    organization: int | None = None
    sort: str = ""  # relevance | date | distance


def visible_missions():
    return Mission.objects.filter(status__in=VISIBLE)


def _filtered(filters: MissionFilters, *, skip=()):
    qs = visible_missions()
    if filters.q and "q" not in skip:
        qs = qs.filter(search_vector=search.query(filters.q))
    if filters.themes and "themes" not in skip:
        # EXISTS on the themes looked up once: no join to core_theme per row, no duplicate rows to make distinct.
        theme_ids = list(Theme.objects.filter(slug__in=filters.themes).values_list("pk", flat=True))
        qs = qs.filter(Exists(Mission.themes.through.objects.filter(mission_id=OuterRef("pk"), theme_id__in=theme_ids)))
    if filters.districts and "districts" not in skip:
        qs = qs.filter(district__number__in=filters.districts)
    if filters.near is not None:
        radius = filters.radius_km or 5
        qs = qs.filter(location__dwithin=(filters.near, D(km=radius)))
    if filters.date_from:
        qs = qs.filter(Q(end_date__gte=filters.date_from) | Q(end_date__isnull=True))
    if filters.date_to:
        qs = qs.filter(start_date__lte=filters.date_to)
    if filters.weekdays:
        qs = qs.filter(Q(weekdays__overlap=filters.weekdays) | Q(weekdays=[]))
    if filters.time_slots:
        qs = qs.filter(Q(time_slots__overlap=filters.time_slots) | Q(time_slots=[]))
    if filters.remote is not None and "remote" not in skip:
        qs = qs.filter(remote=filters.remote)
    if filters.commitment_max:
        qs = qs.filter(commitment=Mission.Commitment.HOURS_PER_WEEK, commitment_hours__lte=filters.commitment_max)
    if filters.places_left:
        qs = qs.filter(accepted_count__lt=F("places"), status=Mission.Status.PUBLISHED)
    if filters.accessible:
        qs = qs.filter(accessible=True)
    if filters.organization:
        qs = qs.filter(organization_id=filters.organization)
    return qs


# Up to this many matches, a search is ranked once as a list of ids, and the page and its count read those ids.
RANKED_IDS_MAX = 2000


def _annotated(qs, filters: MissionFilters):
    if filters.near is not None:
        qs = qs.annotate(distance_m=Distance("location", filters.near))
    if filters.q:
        qs = qs.annotate(relevance=search.rank(F("search_vector"), filters.q))
    return qs


def search_missions(filters: MissionFilters):
    """Missions matching every filter, sorted; with `near`, each has `distance_km`.

    A paginated list asks twice (its count, then its page), and each time the database would match text, radius
    and dates again: when there are few matches, they are matched and sorted once (ids only) instead.
    """
    qs = _annotated(_filtered(filters), filters)
    sort = filters.sort or ("distance" if filters.near is not None else "relevance" if filters.q else "date")
    if sort == "distance" and filters.near is not None:
        qs = qs.order_by("distance_m", "-pk")
    elif sort == "relevance" and filters.q:
        qs = qs.order_by("-relevance", "-pk")
    else:
        qs = qs.order_by("start_date", "-pk")
    if filters.q or filters.near is not None:  # a plain list walks its date index: nothing to gain there
        ids = list(qs.values_list("pk", flat=True)[: RANKED_IDS_MAX + 1])
        if len(ids) <= RANKED_IDS_MAX:
            ranked = Func(Value(ids, output_field=ArrayField(IntegerField())), F("pk"), function="array_position")
            qs = _annotated(Mission.objects.filter(pk__in=ids), filters).order_by(ranked)
    return with_display(qs)


def with_display(qs):
    """What a mission list or page shows: never the arrondissement polygon (number and name are enough), nor the
    search vector (only the database reads it)."""
    return (
        qs.select_related("organization", "district")
        .defer("district__geometry", "search_vector")
        .prefetch_related("themes")
    )


def facets(filters: MissionFilters) -> dict:
    """Counts for each theme, arrondissement and remote/on-site, each ignoring its own filter."""
    theme_counts = dict(
        _filtered(filters, skip=("themes",))
        .values_list("themes__slug")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    district_counts = dict(
        _filtered(filters, skip=("districts",)).values_list("district__number").annotate(n=Count("pk")).order_by()
    )
    remote_counts = dict(_filtered(filters, skip=("remote",)).values_list("remote").annotate(n=Count("pk")).order_by())
    themes = [
        {"slug": t.slug, "name": t.label, "count": theme_counts.get(t.slug, 0), "selected": t.slug in filters.themes}
        for t in Theme.objects.all()
    ]
    districts = [
        {
            "number": d.number,
            "name": d.name,
            "count": district_counts.get(d.number, 0),
            "selected": d.number in filters.districts,
        }
        for d in District.objects.only("number", "name")
    ]
    return {
        "themes": themes,
        "districts": districts,
        "remote": {"true": remote_counts.get(True, 0), "false": remote_counts.get(False, 0)},
    }


def mission_detail(pk):
    return with_display(Mission.objects.all()).get(pk=pk)


# --- Recommendations ------------------------------------------------------------------------------------


def _slot_label(code: str):
    try:
        day, slot = code.split("-", 1)
        day_label = dict(WEEKDAYS)[int(day)]
        slot_label = TimeSlot(slot).label
    except (ValueError, KeyError):
        return None
    return format_lazy(_("on {day} {slot}"), day=day_label.lower(), slot=slot_label)


def _common_slots_of(weekdays, time_slots, availability: list[str]) -> list[str]:
    days = weekdays or list(range(7))
    slots = time_slots or [s.value for s in TimeSlot]
    offered = {f"{d}-{s}" for d in days for s in slots}
    return [code for code in availability if code in offered]


def _km(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") if value < 10 else f"{value:.0f}"


CANDIDATES_PER_SOURCE = 300


def _nearest(base, place, radius_km):
    """The nearest open missions around `place`, walking the GiST index in distance order (KNN `<->`)."""
    rows = (
        base.filter(location__isnull=False)
        .annotate(distance=Distance("location", place))
        .order_by(RawSQL('"volunteering_mission"."location" <-> %s::geography', (place.ewkt,)))
        .values_list("pk", "distance")[:CANDIDATES_PER_SOURCE]
    )
    # No ST_DWithin here: it would lead the planner away from the index walk; the radius is applied after.
    return {pk: distance.m for pk, distance in rows if distance.m <= radius_km * 1000}


def recommendations(user, limit: int = 20, published_since=None):
    """Missions ranked for `user`'s profile, each with `score` (0–100) and human `reasons`.

    Candidates are bounded and index-backed (nearest missions to home and work, then missions sharing a
    theme, newest first); only they are scored, so the cost does not grow with the size of the city.
    """
    profile = VolunteerProfile.objects.filter(user=user).prefetch_related("themes").first()
    base = Mission.objects.filter(status=Mission.Status.PUBLISHED).filter(
        Q(end_date__gte=timezone.localdate()) | Q(end_date__isnull=True)
    )
    if published_since is not None:
        base = base.filter(published_at__gte=published_since)
    base = base.exclude(pk__in=Application.objects.filter(volunteer=user, mission__isnull=False).values("mission_id"))
    theme_ids = [t.pk for t in profile.themes.all()] if profile else []
    places = [p for p in (profile.home_location, profile.work_location) if p is not None] if profile else []
    radius = profile.radius_km if profile else 5
    distances: dict[int, float] = {}
    for place in places:
        for pk, distance in _nearest(base, place, radius).items():
            distances[pk] = min(distance, distances.get(pk, distance))
    candidates = set(distances)
    themed = base.order_by("-published_at")
    if theme_ids:
        themed = themed.filter(
            pk__in=Mission.themes.through.objects.filter(theme_id__in=theme_ids).values("mission_id")
        )
        if places:
            themed = themed.filter(remote=True)
    elif places:
        themed = themed.filter(remote=True)
    candidates |= set(themed.values_list("pk", flat=True)[:CANDIDATES_PER_SOURCE])
    if not candidates:
        return []
    common = (
        dict(
            Mission.themes.through.objects.filter(mission_id__in=candidates, theme_id__in=theme_ids)
            .values_list("mission_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        if theme_ids
        else {}
    )
    rows = Mission.objects.filter(pk__in=candidates).values_list(
        "pk", "remote", "weekdays", "time_slots", "skills", "start_date"
    )
    profile_skills = {s.lower() for s in (profile.skills if profile else [])}
    availability = profile.availability if profile else []
    scored = []
    for pk, remote, weekdays, time_slots, skills, start_date in rows:
        n_common = common.get(pk, 0)
        distance = distances.get(pk)
        score = min(n_common, 3) * 15.0
        if distance is not None:
            score += max(0.0, 40.0 * (1 - distance / (radius * 1000.0)))
        elif remote:
            score += 20.0
        slots = _common_slots_of(weekdays, time_slots, availability)
        if slots:
            score += 10
        matched_skills = [s for s in skills if s.lower() in profile_skills]
        score += 5 * min(len(matched_skills), 2)
        scored.append((score, start_date, pk, n_common, distance, remote, slots, matched_skills))
    scored.sort(key=lambda r: (-r[0], r[1], -r[2]))
    top = scored[:limit]
    full = {m.pk: m for m in with_display(Mission.objects.filter(pk__in=[r[2] for r in top]))}
    result = []
    for score, _start, pk, n_common, distance, remote, slots, matched_skills in top:
        mission = full[pk]
        reasons = []
        if n_common:
            reasons.append(ngettext("%(n)s theme in common", "%(n)s themes in common", n_common) % {"n": n_common})
        if distance is not None:
            reasons.append(format_lazy(_("{km} km away"), km=_km(distance / 1000)))
        elif remote:
            reasons.append(_("remote"))
        if slots:
            label = _slot_label(slots[0])
            if label:
                reasons.append(label)
        if matched_skills:
            reasons.append(format_lazy(_("your skills: {skills}"), skills=", ".join(matched_skills[:2])))
        mission.score = round(min(score, 100.0), 1)
        mission.reasons = reasons
        mission.distance_m = distance
        mission.distance_km = round(distance / 1000, 2) if distance is not None else None
        result.append(mission)
    return result


# --- Organisation dashboard and statistics ----------------------------------------------------------------


def organization_applications(organization, mission=None, status=None):
    qs = Application.objects.filter(organization=organization).select_related("volunteer", "mission")
    if mission is not None:
        qs = qs.filter(mission=mission)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def applications_visible_to(user):
    """The applications `user` may read: their own and those sent to their organisations."""
    if not user.is_authenticated:
        return Application.objects.none()
    return Application.objects.filter(
        Q(volunteer=user) | Q(organization__in=user.organizations.values("pk"))
    ).select_related("volunteer", "mission", "organization")


def mission_status_counts(organization) -> dict:
    """{mission_id: {status: count}} for the dashboard, in one query."""
    counts = {}
    rows = (
        Application.objects.filter(organization=organization)
        .values_list("mission_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for mission_id, status, n in rows:
        counts.setdefault(mission_id, {})[status] = n
    return counts


def response_time(applications) -> datetime.timedelta | None:
    return applications.filter(first_response_at__isnull=False).aggregate(
        avg=Avg(ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField()))
    )["avg"]


def organization_statistics(organization) -> dict:
    apps = Application.objects.filter(organization=organization)
    by_status = dict(apps.values_list("status").annotate(n=Count("pk")).order_by())
    decided = by_status.get("accepted", 0) + by_status.get("declined", 0)
    avg = response_time(apps)
    missions = Mission.objects.filter(organization=organization)
    return {
        "missions": missions.count(),
        "views": missions.aggregate(v=Sum("views_count"))["v"] or 0,
        "applications": sum(by_status.values()),
        "by_status": by_status,
        "response_time_hours": round(avg.total_seconds() / 3600, 1) if avg is not None else None,
        "acceptance_rate": round(by_status.get("accepted", 0) / decided, 3) if decided else None,
    }


def public_response_time(organization) -> datetime.timedelta | None:
    return response_time(Application.objects.filter(organization=organization))


def human_duration(delta: datetime.timedelta | None):
    if delta is None:
        return None
    hours = delta.total_seconds() / 3600
    if hours < 48:
        n = max(int(round(hours)), 1)
        return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": n}
    n = int(round(hours / 24))
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}
