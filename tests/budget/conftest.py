import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from budget.models import Campaign, Project, Scope
from core.models import District
from tests.factories import HOTEL_DE_VILLE, REPUBLIQUE, ResidentFactory


def make_campaign(year=2026, phase="vote", rule=Campaign.Rule.ENVELOPE, max_per_scope=2, paris=1_000_000, arr=300_000):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    # the phase asked for is the one running today
    offsets = {"submission": 0, "study": 1, "vote": 2, "results": 3, "delivery": 4}[phase]
    starts = [today + (i - offsets) * 30 * day for i in range(5)]
    campaign = Campaign.objects.create(
        year=year,
        rule=rule,
        max_per_scope=max_per_scope,
        submission_opens=starts[0],
        study_opens=starts[1],
        vote_opens=starts[2],
        results_on=starts[3],
        delivery_opens=starts[4],
    )
    Scope.objects.create(campaign=campaign, district=None, envelope=paris)
    for district in District.objects.all():
        Scope.objects.create(campaign=campaign, district=district, envelope=arr)
    return campaign


def make_project(campaign, scope="paris", cost=100_000, title="Projet", point=None, status="admissible"):
    scopes = campaign.scopes.select_related("district")
    chosen = scopes.get(district__isnull=True) if scope == "paris" else scopes.get(district__number=scope)
    if point is None:
        point = HOTEL_DE_VILLE.clone() if chosen.district_id is None else chosen.district.geometry.point_on_surface
    point = Point(point.x, point.y, srid=4326)
    from core.geo import locate

    location = locate(point)
    return Project.objects.create(
        campaign=campaign,
        scope=chosen,
        title=title,
        geometry=point,
        point=point,
        district=location.district,
        cost=cost,
        status=status,
        status_reason="" if status != "inadmissible" else "Hors compétence",
    )


@pytest.fixture
def campaign(db):
    return make_campaign()


@pytest.fixture
def republique():
    return REPUBLIQUE.clone()


@pytest.fixture
def resident(db):
    """A verified resident of Paris (arrondissement of residence declared), who may vote."""
    return ResidentFactory(email="resident@example.org", display_name="Camille Habitante")


@pytest.fixture
def submitted(db):
    """A project under study in the 11e, whose author is autrice@example.org."""
    campaign = make_campaign(phase="study")
    project = make_project(campaign, 11, None, "Des bancs place Léon-Blum", status="submitted")
    Project.objects.filter(pk=project.pk).update(author=ResidentFactory(email="autrice@example.org"))
    return Project.objects.get(pk=project.pk)
