"""Everything that reads the marketplace for display: search with facets, recommendations, statistics."""

import datetime
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower, NullIf, Trim, TruncMonth
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
    kind: str = Mission.Kind.VOLUNTEERING  # one search, two kinds of offers: never both in one list
    trades: list = field(default_factory=list)  # internships: words of the trade (any matches)
    levels: list = field(default_factory=list)
    paid: bool | None = None
    duration_min: int | None = None  # weeks
    duration_max: int | None = None


def visible_missions():
    return Mission.objects.filter(status__in=VISIBLE)


def _in_publication(qs, today=None):
    """An internship offer shows between its publication dates (either may be empty)."""
    today = today or timezone.localdate()
    return qs.filter(Q(publication_start__isnull=True) | Q(publication_start__lte=today)).filter(
        Q(publication_end__isnull=True) | Q(publication_end__gte=today)
    )


def _filtered(filters: MissionFilters, *, skip=()):
    qs = visible_missions().filter(kind=filters.kind)
    if filters.kind == Mission.Kind.INTERNSHIP:
        qs = _in_publication(qs)
        if filters.trades:
            trade_q = Q()
            for trade in filters.trades:
                trade_q |= Q(trade__icontains=trade)
            qs = qs.filter(trade_q)
        if filters.levels and "levels" not in skip:
            qs = qs.filter(level__in=filters.levels)
        if filters.paid is not None and "paid" not in skip:
            qs = qs.filter(paid=filters.paid)
        if filters.duration_min:
            qs = qs.filter(duration_weeks__gte=filters.duration_min)
        if filters.duration_max:
            qs = qs.filter(duration_weeks__lte=filters.duration_max)
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
    if filters.organization and "organization" not in skip:
        qs = qs.filter(organization_id=filters.organization)
    return qs


# Up to this many matches, a search is ranked once as a list of ids, and the page and its count read those ids.
RANKED_IDS_MAX = 2000


def _annotated(qs, filters: MissionFilters):
    if filters.near is not None:
        qs = qs.annotate(distance_m=Distance("location", filters.near))
    if filters.q:
        qs = qs.annotate(relevance=search.rank("search_vector", filters.q))
    return qs


class RankedMissions(QuerySet):
    """Missions a search has already matched and ranked (as ids): how many there are is known without asking the
    database again, which a paginated list does before reading its page. A further filter or order (a clone) forgets
    it and counts in the database as usual."""

    known_count: int | None = None

    def count(self):
        return self.known_count if self.known_count is not None else super().count()


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
            page = with_display(_annotated(RankedMissions(Mission).filter(pk__in=ids), filters).order_by(ranked))
            page.known_count = len(ids)
            return page
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
    result = {
        "themes": themes,
        "districts": districts,
        "remote": {"true": remote_counts.get(True, 0), "false": remote_counts.get(False, 0)},
    }
    if filters.kind == Mission.Kind.INTERNSHIP:
        level_counts = dict(
            _filtered(filters, skip=("levels",)).values_list("level").annotate(n=Count("pk")).order_by()
        )
        paid_counts = dict(_filtered(filters, skip=("paid",)).values_list("paid").annotate(n=Count("pk")).order_by())
        result["levels"] = [
            {"value": v, "name": label, "count": level_counts.get(v, 0), "selected": v in filters.levels}
            for v, label in Mission.Level.choices
        ]
        result["paid"] = {"true": paid_counts.get(True, 0), "false": paid_counts.get(False, 0)}
        # The directions and partner bodies that offer internships matching the other filters.
        result["directions"] = [
            {"id": pk, "name": name, "count": n, "selected": pk == filters.organization}
            for pk, name, n in _filtered(filters, skip=("organization",))
            .values_list("organization_id", "organization__name")
            .annotate(n=Count("pk"))
            .order_by("organization__name")
        ]
    return result


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
    base = Mission.objects.filter(status=Mission.Status.PUBLISHED, kind=Mission.Kind.VOLUNTEERING).filter(
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
    from .rules import is_internship_office

    internship = Mission.Kind.INTERNSHIP
    managed = user.memberships.filter(organization__kind="city_service", role__in=("admin", "correspondent"))
    visible = (
        Q(volunteer=user)
        | (Q(organization__in=user.organizations.values("pk")) & ~Q(kind=internship))
        | Q(kind=internship, organization__in=managed.values("organization_id"))
    )
    if is_internship_office(user):
        visible |= Q(kind=internship)
    return Application.objects.filter(visible).select_related("volunteer", "mission", "organization")


def mission_status_counts(organization, missions=None) -> dict:
    """{mission_id: {status: count}} for the dashboard, in one query: of the listed `missions` only, when given (a
    page of the offers, or the one offer shown), so the cost follows what is shown, not the organisation's size."""
    counts = {}
    rows = Application.objects.filter(organization=organization)
    if missions is not None:
        rows = rows.filter(mission__in=[m.pk for m in missions])
    for mission_id, status, n in rows.values_list("mission_id", "status").annotate(n=Count("pk")).order_by():
        counts.setdefault(mission_id, {})[status] = n
    return counts


def _answer_delay():
    return ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())


def response_time(applications) -> datetime.timedelta | None:
    return applications.filter(first_response_at__isnull=False).aggregate(avg=Avg(_answer_delay()))["avg"]


def organization_statistics(organization, kind=Mission.Kind.VOLUNTEERING, mission=None) -> dict:
    """The figures of ONE kind of offers of an organisation — its volunteering missions, or its internship offers —,
    never both added together; of one offer only with `mission`. Two queries whatever the number of rows.

    `applications` counts those to the offers and the spontaneous ones of that kind (also given apart);
    `response_time_hours` is the mean time to a first answer of the answered ones; `acceptance_rate` is accepted
    over decided (accepted or declined)."""
    applications = Application.objects.filter(organization=organization, kind=kind)
    missions = Mission.objects.filter(organization=organization, kind=kind)
    if mission is not None:
        applications = applications.filter(mission=mission)
        missions = missions.filter(pk=mission.pk)
    answered = Q(first_response_at__isnull=False)
    row = applications.aggregate(
        total=Count("pk"),
        spontaneous=Count("pk", filter=Q(mission__isnull=True)),
        answered=Count("pk", filter=answered),
        avg=Avg(_answer_delay(), filter=answered),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Application.Status.values},
    )
    offers = missions.aggregate(n=Count("pk"), views=Sum("views_count"))
    by_status = {value: row[f"status_{value}"] for value in Application.Status.values}
    decided = by_status["accepted"] + by_status["declined"]
    avg = row["avg"]
    return {
        "kind": kind,
        "mission": mission.pk if mission is not None else None,
        "missions": offers["n"],
        "views": offers["views"] or 0,
        "applications": row["total"],
        "spontaneous": row["spontaneous"],
        "answered": row["answered"],
        "by_status": by_status,
        "response_time_hours": round(avg.total_seconds() / 3600, 1) if avg is not None else None,
        "acceptance_rate": round(by_status["accepted"] / decided, 3) if decided else None,
    }


def public_response_time(organization) -> datetime.timedelta | None:
    return response_time(Application.objects.filter(organization=organization))


def human_duration(delta: datetime.timedelta | float | None):
    """A duration, or a number of hours, in words: "5 hours", "3 days"."""
    if delta is None:
        return None
    if not isinstance(delta, datetime.timedelta):
        delta = datetime.timedelta(hours=delta)
    hours = delta.total_seconds() / 3600
    if hours < 48:
        n = max(int(round(hours)), 1)
        return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": n}
    n = int(round(hours / 24))
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


def application_contact(application: Application) -> dict:
    """The mission's contact person, or the organisation itself when the mission names none."""
    mission = application.mission
    if mission and (mission.contact_name or mission.contact_email or mission.contact_phone):
        return {"name": mission.contact_name, "email": mission.contact_email, "phone": mission.contact_phone}
    organization = application.organization
    return {"name": organization.name, "email": organization.email, "phone": ""}


def missions_near(point: Point, limit: int = 4) -> list[Mission]:
    """The open missions nearest to `point`, nearest first, each with `distance_m`: the home page's "near me".

    No radius, so a place far from every mission still shows the nearest ones, with their distance. The ids are
    found first by walking the visible missions' GiST index in distance order (KNN `<->`, a few rows read): with the
    display joins in the same statement, PostgreSQL sorted every open mission instead (44 ms for 5,000).
    """
    ids = list(
        visible_missions()
        .filter(location__isnull=False)
        .order_by(RawSQL('"volunteering_mission"."location" <-> %s::geography', (point.ewkt,)))
        .values_list("pk", flat=True)[:limit]
    )
    rows = _listed(Mission.objects.filter(pk__in=ids).annotate(distance_m=Distance("location", point)))
    return sorted(rows, key=lambda m: (m.distance_m.m, -m.pk))


def newest_missions(limit: int = 4) -> list[Mission]:
    """The open missions created last (the home page, before anyone says where they are): newest id first, so the
    primary key's index is walked backwards and stops at the `limit`-th open one, where an order on `published_at`
    (no index for open missions) would sort them all."""
    return list(_listed(visible_missions().order_by("-pk"))[:limit])


def _listed(qs):
    """What a short list of missions shows (title, organisation, arrondissement): `with_display` without the themes."""
    return with_display(qs).prefetch_related(None)


def home_point(user) -> Point | None:
    """The volunteer profile's home point of a signed-in user, if they gave one."""
    if not user.is_authenticated:
        return None
    return VolunteerProfile.objects.filter(user=user).values_list("home_location", flat=True).first()


# --- Internships: the internship office's figures -----------------------------------------------------------


class Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _hours(delta: datetime.timedelta | None) -> float | None:
    return round(delta.total_seconds() / 3600, 2) if delta is not None else None  # minutes still show under 1 h


def internship_figures(organization=None, today=None) -> dict:
    """Offers, applications, placements and answer times per direction and per level (the whole City for the
    internship office, one direction for its own page): a few grouped queries, whatever the number of rows."""
    internship = Mission.Kind.INTERNSHIP
    offers = Mission.objects.filter(kind=internship)
    applications = Application.objects.filter(kind=internship)
    if organization is not None:
        offers = offers.filter(organization=organization)
        applications = applications.filter(organization=organization)
    answer_delay = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    placed = Count("pk", filter=Q(status=Application.Status.ACCEPTED))
    directions = {}
    for row in (
        offers.values("organization_id", "organization__name")
        .annotate(
            offers=Count("pk"),
            open=Count("pk", filter=Q(status__in=VISIBLE)),
            places=Sum("places"),
            paid=Count("pk", filter=Q(paid=True)),
        )
        .order_by()
    ):
        directions[row["organization_id"]] = {
            "name": row["organization__name"],
            "offers": row["offers"],
            "open": row["open"],
            "places": row["places"] or 0,
            "paid": row["paid"],
            "applications": 0,
            "spontaneous": 0,
            "placed": 0,
            "answered_share": None,
            "median_answer_hours": None,
        }
    for row in (
        applications.values("organization_id", "organization__name")
        .annotate(
            n=Count("pk"),
            spontaneous=Count("pk", filter=Q(mission__isnull=True)),
            placed=placed,
            answered=Count("pk", filter=Q(first_response_at__isnull=False)),
            median=Median(answer_delay, filter=Q(first_response_at__isnull=False)),
        )
        .order_by()
    ):
        entry = directions.setdefault(
            row["organization_id"],
            {"name": row["organization__name"], "offers": 0, "open": 0, "places": 0, "paid": 0},
        )
        entry.update(
            applications=row["n"],
            spontaneous=row["spontaneous"],
            placed=row["placed"],
            answered_share=round(100 * row["answered"] / row["n"]) if row["n"] else None,
            median_answer_hours=_hours(row["median"]),
        )
    offer_levels = {
        level: (n, places or 0)
        for level, n, places in offers.values("level")
        .annotate(n=Count("pk"), p=Sum("places"))
        .order_by()
        .values_list("level", "n", "p")
    }
    level_of_application = Coalesce(NullIf(F("mission__level"), Value("")), F("wished_level"))
    by_level = {
        level: (n, p, spontaneous)
        for level, n, p, spontaneous in applications.annotate(lvl=level_of_application)
        .values("lvl")
        .annotate(n=Count("pk"), p=placed, s=Count("pk", filter=Q(mission__isnull=True)))
        .order_by()
        .values_list("lvl", "n", "p", "s")
    }
    levels = []
    for value, label in Mission.Level.choices:
        n, p, spontaneous = by_level.get(value, (0, 0, 0))
        offered, places = offer_levels.get(value, (0, 0))
        levels.append(
            {
                "name": label,
                "offers": offered,
                "places": places,
                "applications": n,
                "placed": p,
                "spontaneous": spontaneous,
                "demand_exceeds": spontaneous > places,
            }
        )
    rows = sorted(directions.values(), key=lambda d: d["name"])
    for row in rows:
        row.setdefault("applications", 0)
        row.setdefault("spontaneous", 0)
        row.setdefault("placed", 0)
        row.setdefault("answered_share", None)
        row.setdefault("median_answer_hours", None)
    return {
        "directions": rows,
        "levels": levels,
        "trades": _figures_per_trade(offers, applications),
        "per_offer": _applications_per_offer(offers),
        "periods": _figures_per_period(offers, applications, today or timezone.localdate()),
        "months": _figures_per_month(offers, applications, today or timezone.localdate(), placed, answer_delay),
        "totals": {
            "offers": sum(r["offers"] for r in rows),
            "applications": sum(r["applications"] for r in rows),
            "placed": sum(r["placed"] for r in rows),
        },
    }


# Computing the figures reads every internship application (500,000: seconds). Figures over more than
# LARGE_FIGURES applications are served for FIGURES_FRESH_FOR even if the data has changed since (the periodic job
# volunteering.refresh_internship_figures recomputes the whole City's in the background); smaller ones are redone
# as soon as an offer or an application changes.
LARGE_FIGURES = 20_000
FIGURES_FRESH_FOR = datetime.timedelta(minutes=5)


def _figures_version() -> tuple:
    """Changes whenever an internship offer or application is added or saved (updated_at is auto_now), and every
    day (the periods and the months move): two reads of partial indexes."""
    internship = Mission.Kind.INTERNSHIP
    return (
        timezone.localdate(),
        Mission.objects.filter(kind=internship).aggregate(u=Max("updated_at"))["u"],
        Application.objects.filter(kind=internship).aggregate(u=Max("updated_at"))["u"],
    )


def cached_internship_figures(organization=None, *, refresh: bool = False) -> dict:
    """internship_figures(), cached per scope (the whole City, or one direction); `as_of` says when computed."""
    key = f"volunteering:internship-figures:{organization.pk if organization else 'city'}"
    version = _figures_version()
    now = timezone.now()
    entry = None if refresh else cache.get(key)
    large = entry and entry["figures"]["totals"]["applications"] > LARGE_FIGURES
    if entry and (entry["version"] == version or (large and now - entry["at"] < FIGURES_FRESH_FOR)):
        return {**entry["figures"], "as_of": entry["at"]}
    figures = internship_figures(organization)
    cache.set(key, {"version": version, "at": now, "figures": figures}, timeout=24 * 3600)
    return {**figures, "as_of": now}


TRADES_SHOWN = 15
# Applications per offer, grouped: (lowest, highest or None, label).
PER_OFFER_BUCKETS = (
    (0, 0, _("none")),
    (1, 2, _("1 to 2")),
    (3, 5, _("3 to 5")),
    (6, 10, _("6 to 10")),
    (11, 20, _("11 to 20")),
    (21, None, _("more than 20")),
)


def _month_add(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def _figures_per_trade(offers, applications) -> list:
    """Offers, applications to them and spontaneous applications per trade or domain (written alike whatever the
    case or the spaces): where the demand exceeds the supply. The largest first, at most TRADES_SHOWN."""
    key = Lower(Trim("trade"))
    trades = {}
    for name, label, n, places in (
        offers.exclude(trade="")
        .annotate(key=key)
        .values("key")
        .annotate(label=Min("trade"), n=Count("pk"), p=Sum("places"))
        .order_by()
        .values_list("key", "label", "n", "p")
    ):
        trades[name] = {"name": label, "offers": n, "places": places or 0, "applications": 0, "spontaneous": 0}
    trade_of_application = Lower(Trim(Coalesce(NullIf(F("mission__trade"), Value("")), F("wished_trade"))))
    for name, label, n, spontaneous in (
        applications.annotate(key=trade_of_application)
        .exclude(key="")
        .values("key")
        .annotate(
            label=Min("wished_trade"),
            n=Count("pk", filter=Q(mission__isnull=False)),
            s=Count("pk", filter=Q(mission__isnull=True)),
        )
        .order_by()
        .values_list("key", "label", "n", "s")
    ):
        row = trades.setdefault(name, {"name": label, "offers": 0, "places": 0})
        row.update(applications=n, spontaneous=spontaneous)
    rows = sorted(trades.values(), key=lambda t: (-max(t["offers"], t.get("spontaneous", 0)), t["name"].lower()))
    for row in rows:
        row.setdefault("applications", 0)
        row.setdefault("spontaneous", 0)
        row["demand_exceeds"] = row["spontaneous"] > row["places"]
    return rows[:TRADES_SHOWN]


def _applications_per_offer(offers) -> dict:
    """How many offers received no application, 1 to 2, 3 to 5…, in one query (offers grouped in the database)."""
    counted = offers.annotate(n=Count("applications")).values("n")
    buckets = {}
    for i, (low, high, _label) in enumerate(PER_OFFER_BUCKETS):
        condition = Q(n__gte=low) if high is None else Q(n__gte=low, n__lte=high)
        buckets[f"b{i}"] = Count("n", filter=condition)
    result = counted.aggregate(offers=Count("n"), applications=Sum("n"), **buckets)
    offers_n = result["offers"] or 0
    return {
        "buckets": [
            {"name": label, "offers": result[f"b{i}"] or 0} for i, (_l, _h, label) in enumerate(PER_OFFER_BUCKETS)
        ],
        "mean": round((result["applications"] or 0) / offers_n, 1) if offers_n else None,
    }


def _figures_per_period(offers, applications, today) -> list:
    """The next twelve months: offers starting that month (their places) against the candidates who wrote
    spontaneously to be available from it — the periods where demand exceeds supply."""
    first = today.replace(day=1)
    last = _month_add(first, 12)
    starting = dict(
        offers.filter(start_date__gte=first, start_date__lt=last)
        .annotate(m=TruncMonth("start_date"))
        .values("m")
        .annotate(p=Sum("places"))
        .order_by()
        .values_list("m", "p")
    )
    wished = dict(
        applications.filter(mission__isnull=True, available_from__gte=first, available_from__lt=last)
        .annotate(m=TruncMonth("available_from"))
        .values("m")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("m", "n")
    )
    rows = []
    for i in range(12):
        month = _month_add(first, i)
        places, spontaneous = starting.get(month) or 0, wished.get(month, 0)
        rows.append(
            {"month": month, "places": places, "spontaneous": spontaneous, "demand_exceeds": spontaneous > places}
        )
    return rows


def _figures_per_month(offers, applications, today, placed, answer_delay) -> list:
    """The last twelve months (the current one included): offers published, applications received, of which
    answered, taken on, and the median time to a first answer."""
    first = _month_add(today.replace(day=1), -11)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    published = dict(
        offers.filter(published_at__gte=since)
        .annotate(m=TruncMonth("published_at"))
        .values("m")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("m", "n")
    )
    received = {
        m: (n, answered, p, median)
        for m, n, answered, p, median in applications.filter(created_at__gte=since)
        .annotate(m=TruncMonth("created_at"))
        .values("m")
        .annotate(
            n=Count("pk"),
            answered=Count("pk", filter=Q(first_response_at__isnull=False)),
            p=placed,
            median=Median(answer_delay, filter=Q(first_response_at__isnull=False)),
        )
        .order_by()
        .values_list("m", "n", "answered", "p", "median")
    }
    published = {m.date() if isinstance(m, datetime.datetime) else m: n for m, n in published.items()}
    received = {m.date() if isinstance(m, datetime.datetime) else m: v for m, v in received.items()}
    rows = []
    for i in range(12):
        month = _month_add(first, i)
        n, answered, p, median = received.get(month, (0, 0, 0, None))
        rows.append(
            {
                "month": month,
                "published": published.get(month, 0),
                "applications": n,
                "answered": answered,
                "placed": p,
                "median_answer_hours": _hours(median),
            }
        )
    return rows
