"""Everything the participatory budget reads for display: campaigns, project layers, ballots, results."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from core.forms import whole_number
from mapvotes.selectors import parse_bbox

from .models import Ballot, Campaign, PaperCount, Project, Scope

STAGES = list(Project.Stage.values)


def campaigns():
    return Campaign.objects.order_by("-year")


def current_campaign():
    return Campaign.objects.order_by("-year").first()


def filtered_projects(params, campaign=None):
    """Projects matching the contract's filters (campaign, edition, scope, status, winner, stage, bbox)."""
    qs = Project.objects.exclude(status=Project.Status.MERGED)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    raw = params.get("campaign")
    if raw not in (None, ""):
        if (number := whole_number(raw)) is None:
            raise ValidationError({"campaign": [_("campaign is the id of a campaign.")]})
        qs = qs.filter(campaign_id=number)
    raw = params.get("edition")
    if raw not in (None, ""):
        if whole_number(raw) is None or len(str(raw)) != 4:
            raise ValidationError({"edition": [_("edition is a year, such as 2024.")]})
        qs = qs.filter(campaign__year=int(raw))
    raw = str(params.get("scope") or "").strip().lower()
    if raw == "paris":
        qs = qs.filter(scope__district__isnull=True)
    elif raw:
        if not 1 <= (whole_number(raw) or 0) <= 20:
            raise ValidationError({"scope": [_("Choose “paris” or an arrondissement number from 1 to 20.")]})
        qs = qs.filter(scope__district__number=int(raw))
    raw = params.get("status")
    if raw not in (None, ""):
        if raw not in Project.Status.values:
            raise ValidationError({"status": [_("Unknown status “%(value)s”.") % {"value": raw}]})
        qs = qs.filter(status=raw)
    raw = params.get("winner")
    if raw not in (None, ""):
        if raw not in ("true", "false", "1", "0"):
            raise ValidationError({"winner": [_("winner is true or false.")]})
        qs = qs.filter(winner=raw in ("true", "1"))
    raw = params.get("stage")
    if raw not in (None, ""):
        if raw not in STAGES:
            raise ValidationError({"stage": [_("Unknown stage “%(value)s”.") % {"value": raw}]})
        qs = qs.filter(stage=raw)
    if params.get("bbox"):
        qs = qs.filter(point__intersects=parse_bbox(params.get("bbox")))
    return qs


def feature_collection_json(qs) -> str:
    """The contract's FeatureCollection written by PostgreSQL in one query (no model instance, no Python loop over
    features: the realisation map of every winner answers within its 30 ms)."""
    from django.db import connection

    ids_sql, params = qs.order_by().values("id").query.sql_with_params()
    sql = f"""
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
            'type', 'Feature', 'id', p.id, 'geometry', ST_AsGeoJSON(p.geometry, 6)::json,
            'properties', json_build_object(
                'id', p.id, 'title', p.title, 'edition', c.year,
                'scope', CASE WHEN d.number IS NULL THEN to_json('paris'::text) ELSE to_json(d.number) END,
                'cost', coalesce(p.cost, p.estimated_need),
                'votes', CASE WHEN c.results_published THEN p.votes END,
                'winner', p.winner, 'stage', nullif(p.stage, ''), 'status', p.status,
                'approximate_location', p.approximate_location, 'lead_direction', o.name)
        ) ORDER BY c.year DESC, p.id), '[]'::json))::text
        FROM budget_project p
        JOIN budget_campaign c ON c.id = p.campaign_id
        JOIN budget_scope s ON s.id = p.scope_id
        LEFT JOIN core_district d ON d.id = s.district_id
        LEFT JOIN accounts_organization o ON o.id = p.lead_direction_id
        WHERE p.id IN ({ids_sql})
    """  # noqa: S608 - the inner query is Django's own, with its parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def project_list(qs):
    return qs.select_related("campaign", "scope__district", "lead_direction", "district").order_by(
        "-campaign__year", "-winner", "-votes", "title"
    )


def project_detail(pk):
    return (
        Project.objects.select_related("campaign", "scope__district", "lead_direction", "district", "merged_into")
        .prefetch_related("photos", "notes", "merged__author")
        .filter(pk=pk)
        .first()
    )


def ballot_of(voter, campaign):
    if not voter.is_authenticated:
        return None
    return (
        Ballot.objects.filter(campaign=campaign, voter=voter)
        .select_related("district")
        .defer("district__geometry")  # its number only, not the outline of the arrondissement
        .prefetch_related(Prefetch("projects", queryset=Project.objects.only("id")))
        .first()
    )


def scopes_with_projects(campaign, arrondissement=None, chosen=frozenset()):
    """Scopes of the ballot page (Paris, and the chosen arrondissement) with their admissible projects, and for the
    project ids `chosen` what is left of each envelope (`left`) and how many are chosen (`chosen_count`)."""
    scopes = Scope.objects.filter(campaign=campaign).select_related("district")
    scopes = scopes.filter(Q(district__isnull=True) | Q(district__number=arrondissement or 0))
    projects = Prefetch(
        "projects",
        queryset=Project.objects.filter(status=Project.Status.ADMISSIBLE).order_by("title"),
        to_attr="open_projects",
    )
    scopes = list(scopes.prefetch_related(projects))
    for scope in scopes:
        picked = [p for p in scope.open_projects if p.pk in chosen]
        scope.left = scope.envelope - sum(p.cost or 0 for p in picked)
        scope.chosen_count = len(picked)
    return scopes


def merge_targets(project):
    """The projects of its campaign that `project` may be merged into (the team's form on its page)."""
    return (
        Project.objects.filter(campaign=project.campaign_id)
        .exclude(pk=project.pk)
        .exclude(status=Project.Status.MERGED)
        .only("id", "title")
        .order_by("title")
    )


def projects_count(campaign) -> int:
    """Projects of a campaign, merged ones counted once (in the project they joined)."""
    return campaign.projects.exclude(status=Project.Status.MERGED).count()


def results(campaign):
    """Per scope, its projects ranked by votes, each with why it was selected or not ("popular": on the share of
    the quartiers populaires, "envelope", "skipped": does not fit, "no_votes"), and what went to the quartiers
    populaires: for the results page and exports, totals only. [(scope, [(project, reason)], popular_spent)]"""
    from .services import select_winners

    scopes = list(Scope.objects.filter(campaign=campaign).select_related("district"))
    projects = Project.objects.filter(campaign=campaign, status=Project.Status.ADMISSIBLE).only(
        "id", "title", "cost", "votes", "winner", "scope_id", "popular_quartier"
    )
    by_scope = {}
    for project in projects:
        by_scope.setdefault(project.scope_id, []).append(project)
    rows = []
    for scope in scopes:
        ranked, popular_spent = select_winners(scope, by_scope.get(scope.pk, []))
        rows.append((scope, ranked, popular_spent))
    return rows


def paper_ballots_total(campaign) -> int:
    """Validated paper ballots (one per project chosen), counted in the results."""
    from django.db.models import Sum

    return PaperCount.objects.filter(campaign=campaign, validated_by__isnull=False).aggregate(n=Sum("count"))["n"] or 0


def paper_counts(campaign):
    return (
        PaperCount.objects.filter(campaign=campaign)
        .select_related("project", "entered_by", "validated_by")
        .order_by("polling_place", "project__title")
    )


def similar_projects(campaign, title: str, point, radius_m=200, limit=5):
    """Projects of the campaign within `radius_m` whose title looks like `title` (the map's duplicate warning)."""
    from django.contrib.postgres.search import TrigramSimilarity

    from mapvotes.selectors import GeographyDistance

    title = (title or "").strip()
    if not title or point is None:
        return []
    degrees = radius_m / 111_000 / 0.65
    return list(
        Project.objects.filter(campaign=campaign, point__dwithin=(point, degrees))
        .exclude(status__in=[Project.Status.MERGED, Project.Status.INADMISSIBLE])
        .annotate(distance=GeographyDistance("point", point), similarity=TrigramSimilarity("title", title))
        .filter(distance__lte=radius_m, similarity__gte=0.2)
        .order_by("-similarity")
        .only("id", "title")[:limit]
    )


def voters_count(campaign) -> int:
    return Ballot.objects.filter(campaign=campaign).aggregate(n=Count("id"))["n"]
