"""Demo of `make run`: last year's campaign with its results, this year's in its vote phase (projects in every
arrondissement), and the City's real winning projects since 2014 when PARIS_BP_PROJECTS_FILE points to them."""

import datetime
import os

from django.db.models import F
from django.utils import timezone

from core.geo import locate
from core.models import District

from . import imports, services
from .models import Ballot, BallotChoice, Campaign, Project, Scope

IDEAS = [
    ("Des arbres et des bancs", 180_000),
    ("Une rue aux écoles végétalisée", 250_000),
    ("Un terrain de sport rénové", 120_000),
]
PARIS_IDEAS = [
    ("Des fontaines à boire dans tous les parcs", 900_000),
    ("Un réseau de pistes cyclables protégées", 2_500_000),
    ("Des toilettes publiques accessibles", 1_200_000),
    ("Des cours d'école ouvertes le week-end", 1_500_000),
]
# Arrondissements with quartiers populaires (the City's list of quartiers politique de la ville): there, and for all
# of Paris, the cheapest demo project of each scope is in one, so that the share reserved for them shows its effect.
POPULAR_ARRONDISSEMENTS = {10, 11, 13, 14, 15, 17, 18, 19, 20}


def _campaign(year, starts):
    campaign, created = Campaign.objects.get_or_create(
        year=year,
        defaults={
            "title": "",
            "submission_opens": starts[0],
            "study_opens": starts[1],
            "vote_opens": starts[2],
            "results_on": starts[3],
            "delivery_opens": starts[4],
        },
    )
    if not created:
        return campaign, False
    Scope.objects.create(campaign=campaign, district=None, envelope=5_000_000)
    for district in District.objects.all():
        Scope.objects.create(campaign=campaign, district=district, envelope=400_000)
        for title, cost in IDEAS:
            _project(campaign, district, title, cost)
    for title, cost in PARIS_IDEAS:
        _project(campaign, None, title, cost)
    return campaign, True


def _project(campaign, district, title, cost):
    scope = Scope.objects.get(campaign=campaign, district=district)
    where = district or District.objects.get(number=4)
    point = where.geometry.point_on_surface
    point.srid = 4326
    location = locate(point)
    Project.objects.create(
        campaign=campaign,
        scope=scope,
        title=title if district is None else f"{title} ({where.name})",
        description="Projet de démonstration.",
        geometry=point,
        point=point,
        district=location.district,
        quartier=location.quartier,
        cost=cost,
        status=Project.Status.ADMISSIBLE,
    )


def _popular_projects(campaigns):
    """In each scope that reserves a share for the quartiers populaires, one demo project in such a quartier (the
    cheapest that fits the share), unless the scope has one already."""
    scopes = Scope.objects.filter(campaign__in=campaigns, popular_share__gt=0).select_related("district")
    for scope in scopes:
        if scope.district_id is not None and scope.district.number not in POPULAR_ARRONDISSEMENTS:
            continue
        demo_projects = Project.objects.filter(scope=scope, external_id="", status=Project.Status.ADMISSIBLE)
        if demo_projects.filter(popular_quartier=True).exists():
            continue
        cheapest = demo_projects.filter(cost__lte=scope.popular_share).order_by("cost", "pk").first()
        if cheapest is not None:
            Project.objects.filter(pk=cheapest.pk).update(popular_quartier=True)


def load(stdout):
    today = timezone.localdate()
    month = datetime.timedelta(days=30)
    year = today.year
    current, created = _campaign(
        year, [today - 4 * month, today - 2 * month, today - month, today + month, today + 2 * month]
    )
    past, past_created = _campaign(
        year - 1, [today - 16 * month, today - 14 * month, today - 13 * month, today - 11 * month, today - 10 * month]
    )
    from accounts.models import User

    # a third of each envelope reserved for the quartiers populaires, as in Paris
    Scope.objects.filter(campaign__in=[current, past], popular_share=0).update(popular_share=F("envelope") / 3)
    _popular_projects([current, past])
    # the demo accounts live in the 11th (declared), so that anyone can try a ballot at once
    User.objects.filter(email_verified=True, home_district__isnull=True).update(
        home_district=District.objects.filter(number=11).first()
    )
    if past_created:
        voters = list(User.objects.filter(email_verified=True)[:5])
        projects = list(past.projects.order_by("pk"))
        for n, voter in enumerate(voters):
            ballot = Ballot.objects.create(campaign=past, voter=voter)
            BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, project=p) for p in projects[n::4]])
        services.count_and_select(past)
    stdout.write(f"Participatory budget: {current.year} in its {current.phase} phase, {past.year} with results.")
    path = os.environ.get("PARIS_BP_PROJECTS_FILE")
    if path and os.path.exists(path):
        if Project.objects.exclude(external_id="").exists():
            stdout.write(
                "The City's winning projects are already loaded (manage.py load_bp_projects FILE updates them)."
            )
        else:
            summary = imports.load(path)
            stdout.write(
                f"The City's winning projects: {summary.loaded} loaded, {summary.unplaced} placed at their arrondissement."
            )
