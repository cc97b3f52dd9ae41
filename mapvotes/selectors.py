"""Everything that reads the map for display: viewport features and clusters, filters, exports, timeline."""

import datetime as dt
import json
import math
import re
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, FloatField, Func, Min, Sum
from django.db.models.functions import Coalesce, Floor, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import contributions
from core.models import District, Quartier, Theme
from core.search import CONFIG
from core.search import query as search_query
from serving.db import prepared_cursor

from .models import CELL_ZOOMS, ClusterCell, Proposal, TimelineEvent, Vote, cell_size

CLUSTER_BELOW_ZOOM = 15  # below this zoom the server returns clusters
MAX_FEATURES = 2000  # at street level a viewport never holds more than this; the busiest are kept
MAX_FEATURES_UNCLUSTERED = 300  # above this many proposals in the viewport, cluster even at street level
PARIS_BBOX = (2.224, 48.815, 2.47, 48.903)
PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
SORTS = {
    "votes": ("-votes_for", "-created_at"),
    "recent": ("-created_at",),
    "debated": ("-comments_count", "-created_at"),
}


@dataclass
class Filters:
    theme: list[str]
    district: int | None
    status: str | None
    period: str | None
    q: str
    sort: str


def _invalid(field, message):
    return ValidationError({field: [message]})


def parse_filters(params) -> Filters:
    """Read the shared filters from a QueryDict; unknown values are a 400 with a sentence."""
    themes = [t for t in params.getlist("theme") if t] if hasattr(params, "getlist") else []
    if len(themes) == 1 and "," in themes[0]:
        themes = [t for t in themes[0].split(",") if t]
    district = params.get("district") or None
    if district is not None:
        try:
            district = int(district)
        except ValueError:
            raise _invalid("district", _("The arrondissement is a number from 1 to 20.")) from None
        if not 1 <= district <= 20:
            raise _invalid("district", _("The arrondissement is a number from 1 to 20."))
    status = params.get("status") or None
    if status is not None and status not in Proposal.Status.values:
        raise _invalid("status", _("Unknown status “%(status)s”.") % {"status": status})
    period = params.get("period") or None
    if period is not None and period not in PERIODS:
        raise _invalid("period", _("The period is one of 7d, 30d, 90d or 365d."))
    sort = params.get("sort") or "votes"
    if sort not in SORTS and sort != "relevance":
        raise _invalid("sort", _("Sort by votes, recent or debated."))
    q = (params.get("q") or "").strip()[:200]
    return Filters(theme=themes, district=district, status=status, period=period, q=q, sort=sort)


def public_proposals():
    return Proposal.objects.filter(is_hidden=False, merged_into__isnull=True)


def filtered(filters: Filters, qs=None):
    qs = public_proposals() if qs is None else qs
    if filters.theme:
        qs = qs.filter(theme__slug__in=filters.theme)
    if filters.district:
        qs = qs.filter(district__number=filters.district)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.period:
        qs = qs.filter(created_at__gte=timezone.now() - dt.timedelta(days=PERIODS[filters.period]))
    if filters.q:
        qs = qs.filter(search=words_query(filters.q))
    return qs


def words_query(text: str):
    """Every word, as a prefix (“velo” finds “vélos”: the French stemmer keeps that plural), accents ignored."""
    words = re.findall(r"\w+", text)[:10]
    if not words:
        return search_query(text)
    return SearchQuery(" & ".join(f"{w}:*" for w in words), config=CONFIG, search_type="raw")


def ordered(qs, filters: Filters):
    if filters.sort == "relevance" and filters.q:
        return qs.annotate(relevance=SearchRank(F("search"), words_query(filters.q))).order_by(
            "-relevance", "-created_at"
        )
    return qs.order_by(*SORTS.get(filters.sort, SORTS["votes"]))


def parse_bbox(raw) -> Polygon:
    if not raw:
        w, s, e, n = PARIS_BBOX
    else:
        try:
            w, s, e, n = (float(v) for v in raw.split(","))
        except ValueError:
            raise _invalid(
                "bbox", _("bbox is four numbers: west,south,east,north (longitudes and latitudes).")
            ) from None
        if not all(math.isfinite(v) for v in (w, s, e, n)):
            raise _invalid("bbox", _("bbox is four numbers: west,south,east,north (longitudes and latitudes)."))
        # Any four numbers make a box (the schema allows them): corners in order, inside the world; a flat box
        # simply holds nothing.
        w, e = sorted((max(-180.0, min(180.0, w)), max(-180.0, min(180.0, e))))
        s, n = sorted((max(-90.0, min(90.0, s)), max(-90.0, min(90.0, n))))
    return Polygon.from_bbox((w, s, e, n))


def parse_zoom(raw) -> int:
    if raw in (None, ""):
        return CLUSTER_BELOW_ZOOM
    try:
        zoom = int(raw)
    except ValueError:
        raise _invalid("zoom", _("zoom is a whole number from 0 to 22.")) from None
    if not 0 <= zoom <= 22:
        raise _invalid("zoom", _("zoom is a whole number from 0 to 22."))
    return zoom


FEATURE_FIELDS = (
    "id",
    "title",
    "theme__slug",
    "theme__color",
    "district__number",
    "status",
    "votes_for",
    "votes_against",
    "comments_count",
)


def _feature(row, outcome=None) -> dict:
    properties = {
        "id": row["id"],
        "title": row["title"],
        "theme": row["theme__slug"],
        "color": row["theme__color"],
        "district": row["district__number"],
        "status": row["status"],
        "votes_for": row["votes_for"],
        "votes_against": row["votes_against"],
        "comments_count": row["comments_count"],
    }
    properties.update(contributions.outcome_fields(outcome or contributions.Outcome()))
    return {"type": "Feature", "id": row["id"], "geometry": json.loads(row["geojson"]), "properties": properties}


def features(qs, limit=None) -> list[dict]:
    rows = list(qs.annotate(geojson=AsGeoJSON("geometry", precision=6)).values(*FEATURE_FIELDS, "geojson")[:limit])
    found = contributions.outcomes("map", [r["id"] for r in rows])
    return [_feature(r, found.get(r["id"])) for r in rows]


class _X(Func):
    function = "ST_X"
    output_field = FloatField()


class _Y(Func):
    function = "ST_Y"
    output_field = FloatField()


def cell_range(bbox: Polygon, zoom: int) -> tuple[int, int, int, int]:
    """The grid cells (gx0, gy0, gx1, gy1, inclusive) that the viewport touches at `zoom`."""
    cell = cell_size(zoom)
    w, s, e, n = bbox.extent
    return math.floor(w / cell), math.floor(s / cell), math.floor(e / cell), math.floor(n / cell)


def live_cells(qs, zoom: int, bbox: Polygon) -> list[dict]:
    """Group the points of `qs` on the grid in PostGIS: every cell the viewport touches, whole."""
    cell = cell_size(zoom)
    gx0, gy0, gx1, gy1 = cell_range(bbox, zoom)
    snapped = Polygon.from_bbox((gx0 * cell, gy0 * cell, (gx1 + 1) * cell, (gy1 + 1) * cell))
    grid = (
        qs.filter(point__bboverlaps=snapped)
        .order_by()
        .annotate(gx=Floor(_X("point") / cell), gy=Floor(_Y("point") / cell))
        .filter(gx__gte=gx0, gx__lte=gx1, gy__gte=gy0, gy__lte=gy1)
        .values("gx", "gy")
        .annotate(n=Count("id"), x=Avg(_X("point")), y=Avg(_Y("point")), one=Min("id"))
    )
    return list(grid)


def summarised_cells(zoom: int, bbox: Polygon, filters: Filters | None = None) -> list[dict]:
    """The same cells as live_cells() over the published proposals (of the filters' themes and status), read from the
    summary the triggers keep: each cell adds up its rows."""
    gx0, gy0, gx1, gy1 = cell_range(bbox, zoom)
    rows = ClusterCell.objects.filter(zoom=zoom, n__gt=0, gx__gte=gx0, gx__lte=gx1, gy__gte=gy0, gy__lte=gy1)
    if filters is not None and filters.theme:
        rows = rows.filter(theme_id__in=Theme.objects.filter(slug__in=filters.theme).values("pk"))
    if filters is not None and filters.status:
        rows = rows.filter(status=filters.status)
    cells = (
        rows.order_by()
        .values("gx", "gy")
        .annotate(cell_n=Sum("n"), cell_x=Sum("sum_x"), cell_y=Sum("sum_y"), cell_id=Sum("sum_id"))
        .values_list("gx", "gy", "cell_n", "cell_x", "cell_y", "cell_id")
    )
    return [
        {"gx": gx, "gy": gy, "n": n, "x": float(sx / n), "y": float(sy / n), "one": sid}
        for gx, gy, n, sx, sy, sid in cells
    ]


def clusters(cells: list[dict]) -> list[dict]:
    """Cells as features: a cluster {"cluster": true, "count": N}, or the proposal itself when it is alone."""
    singles = [c["one"] for c in cells if c["n"] == 1]
    out = features(Proposal.objects.filter(pk__in=singles)) if singles else []
    for c in cells:
        if c["n"] > 1:
            out.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(c["x"], 6), round(c["y"], 6)]},
                    "properties": {"cluster": True, "count": c["n"]},
                }
            )
    return out


def summarised(filters: Filters) -> bool:
    """The summary has a row per theme and status: those filters (alone or together) read it."""
    return not (filters.district or filters.period or filters.q)


def _cells(filters: Filters, zoom: int, bbox: Polygon) -> list[dict]:
    if zoom in CELL_ZOOMS and summarised(filters):
        return summarised_cells(zoom, bbox, filters)
    return live_cells(filtered(filters), zoom, bbox)


def viewport(params) -> dict:
    """The contract's viewport FeatureCollection: proposals at street level, clusters below.

    Clusters are whole grid cells, so that a cluster's count does not depend on where the viewport cuts it. The
    map, unfiltered or filtered by theme(s) and status, reads them from the summary table; other filters group live.
    """
    filters = parse_filters(params)
    bbox = parse_bbox(params.get("bbox"))
    zoom = parse_zoom(params.get("zoom"))
    if zoom < CLUSTER_BELOW_ZOOM:
        return {"type": "FeatureCollection", "features": clusters(_cells(filters, zoom, bbox)), "clustered": True}
    qs = filtered(filters).filter(point__bboverlaps=bbox)
    # At street level, a dense viewport is still clustered: the payload stays small whatever the density. Counted
    # unordered: with the model's ordering PostgreSQL walked the created_at index backwards (24 ms, against 3).
    if qs.order_by().values("id")[: MAX_FEATURES_UNCLUSTERED + 1].count() > MAX_FEATURES_UNCLUSTERED:
        return {"type": "FeatureCollection", "features": clusters(_cells(filters, zoom, bbox)), "clustered": True}
    return {
        "type": "FeatureCollection",
        "features": features(ordered(qs, filters), limit=MAX_FEATURES),
        "clustered": False,
    }


def proposal_for_display(proposal_id):
    return (
        Proposal.objects.select_related("theme", "district", "quartier", "author", "merged_into")
        .annotate(geojson=AsGeoJSON("geometry", precision=6))
        .filter(pk=proposal_id)
        .first()
    )


def detail_feature(proposal: Proposal, user=None) -> dict:
    """The full Feature of one proposal (API detail, creation response, live `proposal.created`)."""
    hidden = proposal.is_hidden and not (user is not None and user.has_perm("mapvotes.moderate_proposal"))
    geojson = getattr(proposal, "geojson", None) or proposal.geometry.geojson
    properties = {
        "id": proposal.pk,
        "title": "" if hidden else proposal.title,
        "description": "" if hidden else proposal.description,
        "theme": proposal.theme.slug,
        "color": proposal.theme.color,
        "district": proposal.district.number,
        "quartier": proposal.quartier.name if proposal.quartier_id else None,
        "status": proposal.status,
        "status_label": str(Proposal.Status(proposal.status).label),
        "status_reason": proposal.status_reason,
        "votes_for": proposal.votes_for,
        "votes_against": proposal.votes_against,
        "comments_count": proposal.comments_count,
        "author": proposal.author.public_name if proposal.author_id else str(_("deleted account")),
        "photo": proposal.photo.url if proposal.photo and not hidden else None,
        "created_at": proposal.created_at.isoformat(),
        "url": proposal.get_absolute_url(),
        "is_hidden": proposal.is_hidden,
        "hidden_reason": proposal.hidden_reason,
        "merged_into": proposal.merged_into_id,
    }
    properties.update(contributions.outcome_fields(contributions.outcome("map", proposal.pk)))
    if user is not None and user.is_authenticated:
        properties["my_vote"] = my_vote(user, proposal.pk)
    return {"type": "Feature", "id": proposal.pk, "geometry": json.loads(geojson), "properties": properties}


def feature_of(proposal_id) -> dict | None:
    proposal = proposal_for_display(proposal_id)
    return detail_feature(proposal) if proposal is not None else None


def my_vote(user, proposal_id):
    if not user.is_authenticated:
        return None
    return Vote.objects.filter(user=user, proposal_id=proposal_id).values_list("value", flat=True).first()


def my_votes(user, proposal_ids) -> dict[int, str]:
    if not user.is_authenticated:
        return {}
    return dict(Vote.objects.filter(user=user, proposal_id__in=list(proposal_ids)).values_list("proposal_id", "value"))


def comments(proposal, user=None):
    """The comments of a proposal in reading order: each top-level comment followed by its replies (threads in the
    order they started). Those of a hidden proposal are for the team only (its reason stands alone)."""
    qs = proposal.comments.select_related("author").order_by(Coalesce("parent_id", "id"), "created_at", "pk")
    if proposal.is_hidden and not (user is not None and user.has_perm("mapvotes.moderate_proposal")):
        return qs.none()
    return qs


def comment_threads(proposal, user=None) -> list:
    """Top-level comments, each with `.thread_replies`: the list of its replies, for a nested, indented display."""
    threads, by_id = [], {}
    for comment in comments(proposal, user):
        if comment.parent_id and comment.parent_id in by_id:
            by_id[comment.parent_id].thread_replies.append(comment)
        else:
            comment.thread_replies = []
            by_id[comment.pk] = comment
            threads.append(comment)
    return threads


def timeline(proposal):
    return proposal.timeline.select_related("other", "revision", "revision__theme").order_by("created_at", "pk")


def revisions(proposal):
    return proposal.revisions.select_related("theme").order_by("created_at", "pk")


class GeographyDistance(Func):
    """ST_Distance on geography (metres), for a handful of candidate rows."""

    output_field = FloatField()

    def __init__(self, field, point):
        from django.db.models import Value

        super().__init__(F(field), Value(point.ewkt), function="ST_Distance")

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="ST_Distance(%(expressions)s::geography)",
            arg_joiner="::geography, ",
            **extra,
        )


def similar_nearby(title: str, point, exclude=None, radius_m=200, limit=5):
    """Published proposals within `radius_m` whose title looks like `title` (pg_trgm similarity)."""
    title = (title or "").strip()
    if not title or point is None:
        return []
    # A cheap index-backed box in degrees first, then the exact distance on the sphere.
    degrees = radius_m / 111_000 / 0.65
    qs = (
        public_proposals()
        .filter(point__dwithin=(point, degrees))
        .annotate(distance=GeographyDistance("point", point))
        .filter(distance__lte=radius_m)
    )
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(
        qs.annotate(similarity=TrigramSimilarity("title", title))
        .filter(similarity__gte=0.2)
        .order_by("-similarity")
        .values("id", "title", "votes_for", "votes_against", "similarity")[:limit]
    )


def export_rows():
    """Every published proposal with counts, for the open-data exports (streamed)."""
    return (
        public_proposals()
        .annotate(geojson=AsGeoJSON("geometry", precision=6), lon=_X("point"), lat=_Y("point"))
        .values(
            "id",
            "title",
            "description",
            "theme__slug",
            "district__number",
            "quartier__name",
            "status",
            "status_reason",
            "votes_for",
            "votes_against",
            "comments_count",
            "created_at",
            "geojson",
            "lon",
            "lat",
        )
        .order_by("id")
    )


TERRITORY_MEASURES = ("count", "votes", "share_for", "polarisation")


TERRITORY_LEVELS = ("district", "quartier")


def territory(filters: Filters | None = None, level: str = "district") -> list[dict]:
    """Per arrondissement (or quartier): proposals, votes, share of “pour”, and polarisation.

    Polarisation is measured proposal by proposal, then pooled: Σ 2·min(pour, contre) / Σ votes. It is 1 when
    every proposal splits evenly and 0 when each one is unanimous (whatever side), so that an area with one
    proposal loved and another hated is not mistaken for a divided one. `contested_votes` (Σ min) says how many
    votes that division rests on: “many votes on both sides”.
    """
    qs = filtered(filters) if filters else public_proposals()
    key = "quartier__number" if level == "quartier" else "district__number"
    per = {
        row[key]: row
        for row in qs.exclude(**{key: None})
        .values(key)
        .annotate(
            n=Count("id"),
            f=Sum("votes_for"),
            a=Sum("votes_against"),
            contested=Sum(Least(F("votes_for"), F("votes_against"))),
        )
    }
    areas = (
        Quartier.objects.only("number", "name", "district__number").select_related("district")
        if level == "quartier"
        else District.objects.only("number", "name")
    )
    rows = []
    for area in areas.order_by("number"):
        row = per.get(area.number, {})
        n, f, a, contested = row.get("n", 0), row.get("f") or 0, row.get("a") or 0, row.get("contested") or 0
        total = f + a
        rows.append(
            {
                "number": area.number,
                "name": area.name,
                "district": area.district.number if level == "quartier" else area.number,
                "count": n,
                "votes": total,
                "votes_for": f,
                "votes_against": a,
                "share_for": round(f / total, 3) if total else None,
                "polarisation": round(2 * contested / total, 3) if total else None,
                "contested_votes": contested,
            }
        )
    return rows


def timeline_kinds():
    return TimelineEvent.Kind


# The live counts of a batch of proposals, read by every vote broadcast (mapvotes/broadcast.py) a few dozen times a
# second per process under load: one prepared statement (serving/db.py) rather than a query compiled by the ORM each time.
_COUNTS_SQL = "SELECT id, votes_for, votes_against FROM mapvotes_proposal WHERE id = ANY(%s)"


def vote_counts(proposal_ids) -> dict[int, dict]:
    """{id: {"votes_for", "votes_against"}} of the given proposals that exist."""
    with prepared_cursor() as cursor:
        cursor.execute(_COUNTS_SQL, [list(proposal_ids)])
        return {pk: {"votes_for": f, "votes_against": a} for pk, f, a in cursor.fetchall()}


def latest_proposals(limit: int = 12) -> list[dict]:
    """The newest public proposals as GeoJSON features, newest first: the home page's small map and its list."""
    return features(public_proposals().order_by("-created_at", "-pk"), limit=limit)
