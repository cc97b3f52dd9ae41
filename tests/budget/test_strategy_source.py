"""Budget projects are strategy contributions through core's registry (strategy never imports budget)."""

import pytest
from django.test import Client

from budget import services
from budget.models import Project
from strategy import services as strategy_services
from strategy.models import Contribution
from tests.factories import ResidentFactory

from .conftest import make_campaign, make_project

pytestmark = pytest.mark.django_db


def test_a_project_enters_the_inbox_its_votes_follow_and_its_outcome_shows(
    team_member, django_capture_on_commit_callbacks
):
    campaign = make_campaign(phase="vote")
    project = make_project(campaign, 11, 1000, "Des bancs place Léon-Blum")
    other = make_project(campaign, 11, 1000, "Des bancs rue de la Roquette")

    row = Contribution.objects.get(source="budget", source_id=project.pk)
    assert (row.title, row.district.number, row.url) == (project.title, 11, project.get_absolute_url())

    services.cast_ballot(ResidentFactory(), campaign, [project.pk], 11)
    with django_capture_on_commit_callbacks(execute=True):
        services.compute_results(team_member, campaign)
    row.refresh_from_db()
    assert row.support == 1

    strategy_services.triage(row, team_member, status="retained", public_reason="Piste pour le plan bancs.")
    page = Client().get(project.get_absolute_url()).content.decode()
    assert "Piste pour le plan bancs." in page

    services.merge_projects(team_member, Project.objects.get(pk=other.pk), Project.objects.get(pk=project.pk))
    assert not Contribution.objects.get(source="budget", source_id=other.pk).is_public  # it leaves the inbox


def test_strategy_does_not_import_budget():
    import pathlib

    for path in pathlib.Path("strategy").rglob("*.py"):
        text = path.read_text()
        assert "from budget" not in text and "import budget" not in text, path


def test_the_registered_source_reads_votes_by_sql_and_the_project_followers():
    from core import follows
    from core.contributions import get_source
    from tests.factories import UserFactory

    campaign = make_campaign(phase="vote")
    project = make_project(campaign, "paris", 1000, "Une fontaine")
    Project.objects.filter(pk=project.pk).update(votes=7)
    follower = UserFactory()
    follows.follow(follower, project)

    source = get_source("budget")
    assert source.support().get(pk=project.pk).support == 7  # the figure the inbox copies, computed by SQL
    assert source.queryset().get(pk=project.pk).scope.district is None  # all of Paris, read with its scope
    assert list(source.followers(project)) == [follower]
