"""The budget's list filters at their edges, the duplicate warning's radius, and the address a resident typed
(issue 19: survivors of a mutation run of budget's selectors and services)."""

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from budget import selectors
from budget.models import Project
from tests.factories import HOTEL_DE_VILLE, UserFactory

from .conftest import make_campaign, make_project
from .test_services import _submit

pytestmark = pytest.mark.django_db
LIST = "/api/v1/budget/projects/"


@pytest.mark.parametrize("edition", ["202", "20261", "２０２６", "-2026"])
def test_an_edition_is_a_year_of_four_digits(api_client, campaign, edition):
    response = api_client.get(LIST, {"edition": edition})
    assert response.status_code == 400
    assert response.json()["errors"] == {"edition": ["edition est une année, par exemple 2024."]}


def test_the_stage_filter_keeps_the_winners_at_that_stage_and_names_an_unknown_one(api_client, campaign):
    works = make_project(campaign, "paris", 100_000, "Un jardin")
    study = make_project(campaign, "paris", 100_000, "Des bancs")
    Project.objects.filter(pk=works.pk).update(winner=True, stage="works")
    Project.objects.filter(pk=study.pk).update(winner=True, stage="study")
    found = api_client.get(LIST, {"stage": "works"}).json()["features"]
    assert [feature["id"] for feature in found] == [works.pk]
    refused = api_client.get(LIST, {"stage": "chantier"})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"stage": ["Étape inconnue «\u00a0chantier\u00a0»."]}


def _north_of(point, metres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p::geometry), ST_Y(p::geometry) FROM ST_Project(%s::geography, %s, 0) AS p",
            [point.ewkt, metres],
        )
        x, y = cursor.fetchone()
    return Point(x, y, srid=4326)


def test_the_duplicate_warning_looks_200_metres_around_and_no_further(campaign):
    here = Point(HOTEL_DE_VILLE.x, HOTEL_DE_VILLE.y, srid=4326)
    near = make_project(campaign, "paris", 100_000, "Des arbres rue de Rivoli", point=_north_of(here, 190))
    make_project(campaign, "paris", 100_000, "Des arbres rue de Rivoli", point=_north_of(here, 230))
    found = selectors.similar_projects(campaign, "Des arbres rue de Rivoli", here)
    assert [project.pk for project in found] == [near.pk]


def test_the_address_typed_is_kept_with_the_project():
    campaign = make_campaign(phase="submission")
    project = _submit(UserFactory(), campaign, address="12 rue de Rivoli, Paris 4e")
    assert Project.objects.get(pk=project.pk).address == "12 rue de Rivoli, Paris 4e"
    assert _submit(UserFactory(), campaign, title="Des fleurs").address == ""


def test_the_paris_scope_lists_only_the_projects_for_all_of_paris(api_client, campaign):
    everywhere = make_project(campaign, "paris", 100_000, "Pour tout Paris")
    make_project(campaign, 11, 100_000, "Pour le 11e")
    found = api_client.get(LIST, {"scope": "paris"}).json()["features"]
    assert [feature["id"] for feature in found] == [everywhere.pk]
