"""Everything that reads the strategy for display: versions, the inbox, similarity groups, dashboard figures."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.gis.db.models.functions import AsSVG, Transform
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core import search
from core.models import District, Theme

from .diff import document_diff
from .models import Contribution, ContributionSection, Section, SectionComment, SectionVersion, Version

SORTS = {
    "recent": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "support": ("-support", "-created_at", "-pk"),
}


def current_version() -> Version | None:
    return Version.objects.order_by("-number").select_related("published_by").first()


def get_version(number) -> Version | None:
    try:
        number = int(number)
    except (TypeError, ValueError):
        return None
    return Version.objects.filter(number=number).select_related("published_by").first()


def version_sections(version: Version):
    """Sections of a version with, for each, the public contributions integrated by then (one extra query)."""
    sections = list(version.sections.all())
    counts = dict(
        ContributionSection.objects.filter(
            version__number__lte=version.number, section__slug__in=[s.slug for s in sections]
        )
        .values_list("section__slug")
        .annotate(n=Count("pk"))
    )
    for s in sections:
        s.contributions_count = counts.get(s.slug, 0)
    return sections


def chapters_of(sections):
    """Group snapshot sections by chapter title, keeping order."""
    chapters: dict[str, list] = {}
    for s in sections:
        chapters.setdefault(s.chapter_title, []).append(s)
    return list(chapters.items())


def section_contributions(slug: str, up_to: int | None = None):
    qs = ContributionSection.objects.filter(section__slug=slug, contribution__is_public=True).select_related(
        "contribution__theme", "contribution__district", "version"
    )
    if up_to is not None:
        qs = qs.filter(version__number__lte=up_to)
    return qs.order_by("-linked_at")


def section_history(slug: str):
    return SectionVersion.objects.filter(slug=slug).select_related("version").order_by("-version__number")


def diff_versions(from_number, to_number):
    """(old, new, section diffs) or a ValidationError saying which version is unknown."""
    old, new = get_version(from_number), get_version(to_number)
    errors = {}
    if old is None:
        errors["from"] = [_("This version does not exist.")]
    if new is None:
        errors["to"] = [_("This version does not exist.")]
    if errors:
        raise ValidationError(errors)
    fields = ("slug", "title", "body", "chapter_position", "position")
    old_sections = list(old.sections.only(*fields))
    new_sections = list(new.sections.only(*fields))
    return old, new, document_diff(old_sections, new_sections)


def draft_sections():
    return Section.objects.select_related("chapter", "theme__referent", "updated_by")


# --- Inbox --------------------------------------------------------------------------------------------------------


@dataclass
class InboxFilters:
    source: str = ""
    theme: str = ""
    district: int | None = None
    status: str = ""
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    min_support: int | None = None
    assigned: str = ""  # "me"
    sort: str = "recent"


def parse_filters(params, user=None) -> InboxFilters:
    """Query-string parameters → InboxFilters; bad values raise a ValidationError naming the parameter."""
    f = InboxFilters()
    errors = {}
    f.source = params.get("source", "").strip()
    if f.source and f.source not in Contribution.Sources.values:
        errors["source"] = [_("Unknown source.")]
    f.theme = params.get("theme", "").strip()
    f.status = params.get("status", "").strip()
    if f.status and f.status not in Contribution.Status.values:
        errors["status"] = [_("Unknown status.")]
    f.q = params.get("q", "").strip()[:200]
    if raw := params.get("district", "").strip():
        if raw.isdigit() and 1 <= int(raw) <= 20:
            f.district = int(raw)
        else:
            errors["district"] = [_("The arrondissement is a number from 1 to 20.")]
    for name in ("date_from", "date_to"):
        if raw := params.get(name, "").strip():
            try:
                setattr(f, name, date.fromisoformat(raw))
            except ValueError:
                errors[name] = [_("Give a date as YYYY-MM-DD.")]
    if raw := params.get("min_support", "").strip():
        if raw.isdigit():
            f.min_support = int(raw)
        else:
            errors["min_support"] = [_("The minimum support is a whole number.")]
    f.assigned = "me" if params.get("assigned") == "me" else ""
    f.sort = params.get("sort", "recent")
    if f.sort not in SORTS and f.sort != "relevance":
        errors["sort"] = [_("Unknown sort order.")]
    if errors:
        raise ValidationError(errors)
    return f


def inbox(filters: InboxFilters, user=None):
    qs = Contribution.objects.filter(is_public=True).select_related("theme", "district", "assigned_to")
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.theme:
        qs = qs.filter(theme__slug=filters.theme)
    if filters.district:
        qs = qs.filter(district__number=filters.district)
    if filters.status:
        qs = qs.filter(status=filters.status)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        qs = qs.filter(created_at__lte=datetime.combine(filters.date_to, time.max, tzinfo=tz))
    if filters.min_support is not None:
        qs = qs.filter(support__gte=filters.min_support)
    if filters.assigned == "me" and user is not None:
        qs = qs.filter(assigned_to=user)
    if filters.q:
        qs = qs.filter(_matching(filters.q))
        if filters.sort == "relevance":
            return qs.annotate(rank=search.rank("search", filters.q)).order_by("-rank", "-pk")
    return qs.order_by(*SORTS.get(filters.sort, SORTS["recent"]))


# Up to this many full-text matches, the matches are found first (GIN index) and only they are sorted.
RARE_MATCHES = 5000


def _matching(q: str) -> Q:
    """The full-text condition of the inbox, shaped for the planner.

    For a rare word the planner walks the date index and tests every row on the way (150 ms for two matches in
    200,000); a MATERIALIZED CTE makes it take the GIN matches first. A common word is left to the date walk,
    which finds its page of 25 within the first rows, where matching everything first would cost more.
    """
    matches = Contribution.objects.filter(is_public=True, search=search.query(q))
    if matches[: RARE_MATCHES + 1].count() > RARE_MATCHES:
        return Q(search=search.query(q))
    sql, params = matches.order_by().values("pk").query.sql_with_params()
    # The SQL is Django's own compilation of `matches`; the search words stay bound parameters.
    cte = f"WITH matches (pk) AS MATERIALIZED ({sql}) SELECT matches.pk FROM matches"  # noqa: S608
    return Q(pk__in=RawSQL(cte, params))  # noqa: S611


def with_sections(qs):
    return qs.prefetch_related(
        Prefetch("links", queryset=ContributionSection.objects.select_related("section", "version"))
    )


def similar_groups(limit_candidates: int = 400, max_groups: int = 30):
    """Groups of probably-similar untriaged contributions across sources.

    Two contributions are similar when their titles are close (pg_trgm), or their texts share enough words
    (full text), or they are within 200 m of each other on the same theme. Groups are connected components.
    """
    sql = """
        WITH candidates AS (
            SELECT id, title, search, theme_id, location
            FROM strategy_contribution
            WHERE is_public AND status IN ('new', 'reviewing')
            ORDER BY created_at DESC
            LIMIT %(limit)s
        )
        SELECT a.id, b.id
        FROM candidates a
        JOIN candidates b ON a.id < b.id
        WHERE similarity(a.title, b.title) > 0.35
           OR (a.search @@ plainto_tsquery('french_unaccent', b.title) AND length(b.title) > 12)
           OR (a.theme_id = b.theme_id AND a.location IS NOT NULL AND b.location IS NOT NULL
               AND ST_DWithin(a.location::geography, b.location::geography, 200))
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"limit": limit_candidates})
        pairs = cursor.fetchall()
    parent: dict[int, int] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    ordered = sorted((sorted(g) for g in groups.values() if len(g) > 1), key=len, reverse=True)[:max_groups]
    ids = [i for g in ordered for i in g]
    by_id = Contribution.objects.select_related("theme", "district").in_bulk(ids)
    return [[by_id[i] for i in g if i in by_id] for g in ordered]


# --- Dashboard ----------------------------------------------------------------------------------------------------


DASHBOARD_VERSION_KEY = "strategy:dashboard-version"
DASHBOARD_TTL = 600  # a safety net for writes made outside strategy.services (bulk SQL, the admin)


def dashboard_version() -> int:
    """Bumped by strategy.services on every change of a contribution's presence, status or place in the figures."""
    version = cache.get(DASHBOARD_VERSION_KEY)
    if version is None:
        version = timezone.now().timestamp()
        cache.add(DASHBOARD_VERSION_KEY, version, None)
        version = cache.get(DASHBOARD_VERSION_KEY, version)
    return version


def dashboard_figures(months: int = 12) -> dict:
    """The dashboard's counts, cached under the current dashboard version (a full scan costs ~250 ms)."""
    key = f"strategy:dashboard:{dashboard_version()}:{months}:{translation.get_language()}"
    figures = cache.get(key)
    if figures is None:
        figures = _dashboard_figures(months)
        cache.set(key, figures, DASHBOARD_TTL)
    return figures


def _dashboard_figures(months: int) -> dict:
    """Counts by source, theme, arrondissement, status and month×source in one scan (GROUPING SETS)."""
    sql = """
        SELECT source, theme_id, district_id, status,
               date_trunc('month', created_at AT TIME ZONE 'Europe/Paris')::date AS month,
               GROUPING(source, theme_id, district_id, status) AS g1,
               GROUPING(date_trunc('month', created_at AT TIME ZONE 'Europe/Paris')::date) AS g2,
               count(*)
        FROM strategy_contribution
        WHERE is_public
        GROUP BY GROUPING SETS ((source), (theme_id), (district_id), (status),
                                (date_trunc('month', created_at AT TIME ZONE 'Europe/Paris')::date, source), ())
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # Enough memory for the grouping to hash in memory rather than sort 200,000 rows on disk.
        cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(sql)
        rows = cursor.fetchall()
    by_source, by_theme, by_district, by_status = {}, {}, {}, {}
    by_month: dict[date, dict[str, int]] = defaultdict(dict)
    total = 0
    for source, theme_id, district_id, status, month, g1, g2, n in rows:
        if g1 == 0b0111 and g2 == 1:
            by_source[source] = n
        elif g1 == 0b1011:
            by_theme[theme_id] = n
        elif g1 == 0b1101:
            by_district[district_id] = n
        elif g1 == 0b1110:
            by_status[status] = n
        elif g1 == 0b0111 and g2 == 0:
            by_month[month][source] = n
        elif g1 == 0b1111:
            total = n
    themes = {t.pk: t for t in Theme.objects.all()}
    districts = {d.pk: d for d in District.objects.only("pk", "number", "name")}
    source_labels = dict(Contribution.Sources.choices)
    status_labels = dict(Contribution.Status.choices)
    recent_months = sorted(by_month)[-months:]
    return {
        "total": total,
        "by_source": [(key, source_labels[key], by_source.get(key, 0)) for key in Contribution.Sources.values],
        "by_theme": sorted(
            ((themes[k].slug, themes[k].label, v) for k, v in by_theme.items() if k in themes),
            key=lambda r: -r[2],
        )
        + ([("", _("No theme"), by_theme[None])] if by_theme.get(None) else []),
        "by_district": [
            (d.number, d.name, by_district.get(d.pk, 0)) for d in sorted(districts.values(), key=lambda d: d.number)
        ],
        "by_status": [(key, status_labels[key], by_status.get(key, 0)) for key in Contribution.Status.values],
        "by_month": [
            (m, [(key, source_labels[key], by_month[m].get(key, 0)) for key in Contribution.Sources.values])
            for m in recent_months
        ],
    }


def district_shapes() -> list[tuple[int, str, str]]:
    """(number, name, SVG path) of each arrondissement in Lambert-93 metres, cached (boundaries rarely change)."""
    key = "strategy:district-shapes:v1"
    shapes = cache.get(key)
    if shapes is None:
        shapes = list(
            District.objects.annotate(svg=AsSVG(Transform("geometry", 2154), precision=0))
            .order_by("number")
            .values_list("number", "name", "svg")
        )
        cache.set(key, shapes, 3600)
    return shapes


def district_viewbox() -> str:
    key = "strategy:district-viewbox:v1"
    box = cache.get(key)
    if box is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                "FROM (SELECT ST_Extent(ST_Transform(geometry, 2154)) AS e FROM core_district) s"
            )
            row = cursor.fetchone()
        if row and row[0] is not None:
            xmin, ymin, xmax, ymax = row
            # AsSVG flips y (SVG y grows downwards): y in the path is -northing.
            box = f"{xmin - 200:.0f} {-ymax - 200:.0f} {xmax - xmin + 400:.0f} {ymax - ymin + 400:.0f}"
        else:
            box = "0 0 100 100"
        cache.set(key, box, 3600)
    return box


def home_figures():
    version = current_version()
    return [
        (_("current version"), version.number if version else 0),
        (_("contributions"), Contribution.objects.filter(is_public=True).count()),
    ]


# --- GDPR ---------------------------------------------------------------------------------------------------------


def export_personal_data(user) -> dict:
    return {
        "section_comments": [
            {"section": c.section.slug, "quote": c.quote, "body": c.body, "created_at": c.created_at.isoformat()}
            for c in SectionComment.objects.filter(author=user).select_related("section")
        ],
        "offline_and_synced_contributions": list(
            Contribution.objects.filter(author=user).values("source", "source_id", "title", "status")
        ),
        "assigned_contributions": Contribution.objects.filter(assigned_to=user).count(),
    }


def visible_comments(section_slug: str):
    return SectionComment.objects.filter(section__slug=section_slug).select_related("author").filter(Q(is_hidden=False))
