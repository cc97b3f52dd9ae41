"""Results: the share reserved for the quartiers populaires, and paper ballots entered by two agents (issue 16)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from budget import services
from budget.models import PaperCount, Project, Scope
from tests.factories import ResidentFactory, TeamUserFactory

from .conftest import make_campaign, make_project

pytestmark = pytest.mark.django_db


def _vote(campaign, projects_by_votes):
    """projects_by_votes: [(project, n)] — n residents vote for the project alone."""
    for project, n in projects_by_votes:
        for _ in range(n):
            services.cast_ballot(ResidentFactory(), campaign, [project.pk])


def test_the_share_of_the_quartiers_populaires_goes_to_their_projects_first(team_member):
    campaign = make_campaign(paris=1_000_000)
    Scope.objects.filter(campaign=campaign, district__isnull=True).update(popular_share=400_000)
    big = make_project(campaign, "paris", 700_000, "Une grande halle")
    other = make_project(campaign, "paris", 300_000, "Des arbres")
    popular = make_project(campaign, "paris", 400_000, "Un gymnase à la Goutte-d'Or")
    Project.objects.filter(pk=popular.pk).update(popular_quartier=True)
    _vote(campaign, [(big, 5), (other, 4), (popular, 1)])

    services.compute_results(team_member, campaign)

    winners = set(Project.objects.filter(campaign=campaign, winner=True).values_list("title", flat=True))
    # without the share the hall (5 votes) and the trees (4) would take the whole envelope
    assert winners == {"Un gymnase à la Goutte-d'Or", "Des arbres"}
    page = Client().get(f"/budget-participatif/{campaign.year}/resultats/").content.decode().replace("\xa0", " ")
    assert "réservés aux quartiers populaires : 400 000 €, 400 000 € sont allés à leurs projets" in page
    assert "Lauréat (part des quartiers populaires)" in page
    assert "ne tient pas dans ce qui reste de l'enveloppe" in page


def test_an_unused_share_goes_back_to_the_whole_envelope(team_member):
    campaign = make_campaign(paris=1_000_000)
    Scope.objects.filter(campaign=campaign, district__isnull=True).update(popular_share=500_000)
    big = make_project(campaign, "paris", 900_000, "Une grande halle")
    _vote(campaign, [(big, 2)])
    services.compute_results(team_member, campaign)
    assert Project.objects.get(pk=big.pk).winner


def test_paper_ballots_count_once_validated_by_a_second_agent(team_member):
    campaign = make_campaign(paris=1_000_000)
    trees = make_project(campaign, "paris", 600_000, "Des arbres")
    pool = make_project(campaign, "paris", 600_000, "Une piscine")
    _vote(campaign, [(trees, 2)])
    second = TeamUserFactory(email="agent2@paris.fr")

    entered = services.enter_paper_count(team_member, pool, "Mairie du 11e", 3)
    with pytest.raises(ValidationError, match="second agent"):
        services.validate_paper_count(team_member, entered)
    services.compute_results(team_member, campaign)
    assert Project.objects.get(pk=trees.pk).winner  # the unvalidated count is not counted

    services.validate_paper_count(second, entered)
    with pytest.raises(ValidationError):
        services.enter_paper_count(team_member, pool, "Mairie du 11e", 30)  # validated: frozen
    services.compute_results(team_member, campaign)
    pool.refresh_from_db()
    assert pool.votes == 3 and pool.winner
    assert not Project.objects.get(pk=trees.pk).winner
    page = Client().get(f"/budget-participatif/{campaign.year}/resultats/").content.decode().replace("\xa0", " ")
    assert "3 votes sur papier" in page
    count = PaperCount.objects.get()
    assert (count.entered_by, count.validated_by) == (team_member, second)  # the audit


def test_paper_counts_refuse_residents_and_bad_counts(team_member):
    campaign = make_campaign()
    project = make_project(campaign, "paris", 1000)
    with pytest.raises(PermissionDenied):
        services.enter_paper_count(ResidentFactory(), project, "Mairie du 11e", 3)
    for bad in ("-1", "beaucoup", None):
        with pytest.raises(ValidationError):
            services.enter_paper_count(team_member, project, "Mairie du 11e", bad)
    with pytest.raises(ValidationError):
        services.enter_paper_count(team_member, project, "   ", 3)
    assert not PaperCount.objects.exists()


def test_the_paper_page_enters_and_validates_with_two_agents(team_member):
    campaign = make_campaign()
    project = make_project(campaign, "paris", 1000, "Des bancs")
    first, second = Client(), Client()
    first.force_login(team_member)
    second.force_login(TeamUserFactory(email="agent2@paris.fr"))
    url = f"/budget-participatif/{campaign.year}/bulletins-papier/"
    junk = first.post(url, {"action": "enter", "project": project.pk, "polling_place": "Mairie", "count": "x"})
    assert junk.status_code == 400 and 'value="Mairie"' in junk.content.decode()  # nothing typed is lost
    data = {"action": "enter", "project": project.pk, "polling_place": "Mairie du 11e", "count": "7"}
    assert first.post(url, data).status_code == 302
    count = PaperCount.objects.get()
    page = first.get(url).content.decode()
    assert "En attente d'un second agent" in page
    refused = first.post(url, {"action": "validate", "count": count.pk})
    assert refused.status_code == 400
    assert second.post(url, {"action": "validate", "count": count.pk}).status_code == 302
    count.refresh_from_db()
    assert count.validated_by is not None
    resident = Client()
    resident.force_login(ResidentFactory())
    assert resident.get(url).status_code == 403
