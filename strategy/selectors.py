"""Everything that reads the strategy for display: versions, the inbox, similarity groups, dashboard figures."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.gis.db.models.functions import AsSVG, Transform
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core import search
from core.forms import whole_number
from core.models import District, Theme
from core.spaces import figure
from core.territory import district_label

from . import similarity
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
    return old, new, document_diff(old_sections, new_sections, cached=True)


def integration_diffs(contribution) -> tuple[Version | None, list]:
    """What the version that integrated a contribution changed in its sections: (previous version, the diffs of
    the linked sections that changed), from the cache that publication fills. (None, []) before any integration or
    for a first version (nothing to compare with)."""
    numbers = list(
        ContributionSection.objects.filter(contribution=contribution, version__isnull=False)
        .order_by("version__number")
        .values_list("version__number", "section__slug")
    )
    if contribution.status != Contribution.Status.INTEGRATED or not numbers:
        return None, []
    number = numbers[0][0]
    slugs = {slug for n, slug in numbers if n == number}
    previous = Version.objects.filter(number__lt=number).order_by("-number").first()
    if previous is None:
        return None, []
    fields = ("slug", "title", "body", "version_id")
    rows = SectionVersion.objects.filter(version__number__in=[previous.number, number], slug__in=slugs).only(*fields)
    old = [r for r in rows if r.version_id == previous.pk]
    new = [r for r in rows if r.version_id != previous.pk]
    return previous, [d for d in document_diff(old, new, cached=True) if d.state != "unchanged"]


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
        if 1 <= (whole_number(raw) or 0) <= 20:
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
        if (number := whole_number(raw)) is not None:
            f.min_support = number
        else:
            errors["min_support"] = [_("The minimum support is a whole number.")]
    f.assigned = "me" if params.get("assigned") == "me" else ""
    f.sort = params.get("sort") or "recent"  # an empty sort= is the default order
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


@dataclass
class SimilarGroup:
    members: list  # contributions, by id
    reasons: list  # (contribution, contribution, similarity.Reason) for each suggested pair

    def __iter__(self):
        return iter(self.members)

    def __len__(self):
        return len(self.members)


def similar_groups(limit_candidates: int = 400, max_groups: int = 30) -> list[SimilarGroup]:
    """Groups of untriaged contributions that look alike across sources, each pair with why (shared significant
    words, distance): a suggestion for the team, never a decision (strategy.similarity holds the rule)."""
    candidates = list(
        Contribution.objects.filter(is_public=True, status__in=("new", "reviewing"))
        .order_by("-created_at", "-pk")
        .annotate(lon=RawSQL("ST_X(ST_Centroid(location))", []), lat=RawSQL("ST_Y(ST_Centroid(location))", []))
        .select_related("theme", "district")[:limit_candidates]
    )
    profiles = [similarity.profile(c.title, c.text, (c.lon, c.lat) if c.lon is not None else None) for c in candidates]
    parent: dict[int, int] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges = []
    for i in range(len(candidates)):
        for j in range(i + 1, len(candidates)):
            why = similarity.reason(profiles[i], profiles[j])
            if why is not None:
                edges.append((i, j, why))
                parent[find(i)] = find(j)
    members = defaultdict(list)
    for x in list(parent):
        members[find(x)].append(x)
    reasons = defaultdict(list)
    for i, j, why in edges:
        reasons[find(i)].append((i, j, why))
    groups = []
    for root, indexes in members.items():
        ordered = sorted(indexes, key=lambda k: candidates[k].pk)
        pairs = sorted(reasons[root], key=lambda e: (candidates[e[0]].pk, candidates[e[1]].pk))
        groups.append(
            SimilarGroup(
                [candidates[k] for k in ordered],
                [(candidates[i], candidates[j], why) for i, j, why in pairs],
            )
        )
    groups.sort(key=lambda g: (-len(g), g.members[0].pk))
    return groups[:max_groups]


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
            (d.number, district_label(d.number), by_district.get(d.pk, 0))
            for d in sorted(districts.values(), key=lambda d: d.number)
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
    contributions = Contribution.objects.filter(is_public=True).count()
    return [
        figure(gettext("version %(n)s in force"), version.number)
        if version
        else format_html("{}", gettext("no version published yet")),
        figure(ngettext("%(n)s contribution", "%(n)s contributions", contributions), contributions),
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


@dataclass
class LatestChanges:
    """The version in force, the one before it, and its sections that differ from that one (titles only)."""

    version: Version
    previous: Version | None
    added: list
    changed: list
    removed: list


def latest_changes() -> LatestChanges | None:
    """What the latest version changed, for the home page: compared in the database by slug, title and text (no
    section text is read here; the diff page shows the words)."""
    versions = list(Version.objects.order_by("-number").only("id", "number", "summary", "published_at")[:2])
    if not versions:
        return None
    version, previous = versions[0], versions[1] if len(versions) > 1 else None
    if previous is None:
        return LatestChanges(version, None, [], [], [])
    before = SectionVersion.objects.filter(version=previous, slug=OuterRef("slug"))
    # From the model's manager, not `version.sections`: the related manager would set each row's version, reading
    # the deferred version_id once per row.
    rows = list(
        SectionVersion.objects.filter(version=version)
        .exclude(Exists(before.filter(title=OuterRef("title"), body=OuterRef("body"))))
        .annotate(existed=Exists(before))
        .only("slug", "title")
        .order_by("chapter_position", "position", "pk")
    )
    removed = list(
        SectionVersion.objects.filter(version=previous)
        .exclude(slug__in=SectionVersion.objects.filter(version=version).values("slug"))
        .only("slug", "title")
    )
    return LatestChanges(
        version,
        previous,
        added=[s for s in rows if not s.existed],
        changed=[s for s in rows if s.existed],
        removed=removed,
    )


# --- Publication ----------------------------------------------------------------------------------------------------

NOT_INTEGRABLE = ("rejected", "duplicate")  # their links wait: a version never integrates them


def changed_section_ids(previous: Version | None) -> set[int]:
    """Draft sections whose title or text differ from their copy in `previous` (all of them for a first version)."""
    sections = Section.objects.all()
    if previous is not None:
        same = SectionVersion.objects.filter(
            version=previous, section_id=OuterRef("pk"), title=OuterRef("title"), body=OuterRef("body")
        )
        sections = sections.filter(~Exists(same))
    return set(sections.values_list("pk", flat=True))


def pending_links():
    """Links waiting for a version, of contributions a version may integrate."""
    return ContributionSection.objects.filter(version__isnull=True).exclude(contribution__status__in=NOT_INTEGRABLE)


@dataclass
class PendingContribution:
    contribution: Contribution
    changed: list  # titles of its linked sections that changed in the draft
    unchanged: list  # titles of its linked sections that did not


def publication_preview(previous: Version | None = None) -> tuple[list, list, list]:
    """What publishing the draft now would do: (changed sections, contributions it integrates, contributions linked
    only to unchanged sections — they stay as they are unless the team confirms them). Two queries."""
    if previous is None:
        previous = Version.objects.order_by("-number").first()
    changed = changed_section_ids(previous)
    rows = (
        pending_links()
        .select_related("contribution", "section")
        .only("contribution__id", "contribution__title", "contribution__status", "section__id", "section__title")
        .order_by("contribution__title", "contribution_id", "section__position", "section_id")
    )
    by_contribution: dict[int, PendingContribution] = {}
    for link in rows:
        item = by_contribution.get(link.contribution_id)
        if item is None:
            item = by_contribution[link.contribution_id] = PendingContribution(link.contribution, [], [])
        (item.changed if link.section_id in changed else item.unchanged).append(link.section.title)
    items = list(by_contribution.values())
    changed_sections = [s for s in draft_sections() if s.pk in changed] if changed else []
    return changed_sections, [i for i in items if i.changed], [i for i in items if not i.changed]
