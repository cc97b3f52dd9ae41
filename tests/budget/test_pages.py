import pytest
from django.test import Client

from budget import services
from budget.models import Ballot
from tests.factories import ResidentFactory, UserFactory

from .conftest import make_project

pytestmark = pytest.mark.django_db


def test_campaign_page_shows_the_phase_and_the_ballot_link(campaign):
    response = Client().get("/budget-participatif/", follow=True)
    assert response.status_code == 200
    assert f"/budget-participatif/{campaign.year}/vote/".encode() in response.content


def test_ballot_page_without_js_records_and_shows_what_is_left(campaign):
    a = make_project(campaign, "paris", 400_000, "Arbres")
    b = make_project(campaign, 11, 100_000, "Bancs")
    user = ResidentFactory()
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/budget-participatif/{campaign.year}/vote/",
        {"arrondissement": "11", "projects": [a.pk, b.pk], "action": "vote"},
    )
    assert response.status_code == 302
    assert Ballot.objects.get(voter=user).choices.count() == 2
    page = client.get(f"/budget-participatif/{campaign.year}/vote/").content.decode()
    assert "600000" in page.replace("\u202f", "").replace(" ", "").replace("\xa0", "")
    assert "checked" in page


def test_ballot_page_over_the_envelope_shows_the_error(campaign):
    a = make_project(campaign, "paris", 700_000)
    b = make_project(campaign, "paris", 400_000)
    client = Client()
    client.force_login(ResidentFactory())
    response = client.post(f"/budget-participatif/{campaign.year}/vote/", {"projects": [a.pk, b.pk], "action": "vote"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert not Ballot.objects.exists()


def test_project_list_and_detail(campaign, team_member, django_assert_max_num_queries):
    projects = [make_project(campaign, n, title=f"Projet {n}") for n in range(1, 11)]
    services.cast_ballot(ResidentFactory(), campaign, [projects[0].pk], 1)
    services.compute_results(team_member, campaign)
    client = Client()
    client.get("/budget-participatif/projets/")
    with django_assert_max_num_queries(8):
        response = client.get("/budget-participatif/projets/?winner=true")
    assert response.status_code == 200 and b"Projet 1" in response.content
    assert client.get(projects[0].get_absolute_url()).status_code == 200
    assert client.get("/budget-participatif/projets/?scope=99").status_code == 200
    assert client.get(f"/budget-participatif/{campaign.year}/resultats/").status_code == 200


def test_submit_a_project_from_an_address_without_js():
    from core import places

    from .conftest import make_campaign

    places.load()
    campaign = make_campaign(phase="submission")
    client = Client()
    client.force_login(UserFactory())
    response = client.post(
        f"/budget-participatif/{campaign.year}/deposer/",
        {
            "title": "Des bancs",
            "description": "Pour s'asseoir",
            "scope": "paris",
            "address": "place de la République",
            "estimated_need": "20000",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    from budget.models import Project

    assert Project.objects.get(title="Des bancs").status == "submitted"
    assert Client().get(f"/budget-participatif/{campaign.year}/deposer/").status_code == 200


def test_admin_publishes_results_and_declares_projects_admissible(campaign, admin_client):
    p = make_project(campaign, "paris", 10, status="submitted")
    response = admin_client.post(
        "/admin/budget/project/", {"action": "declare_admissible", "_selected_action": [p.pk]}, follow=True
    )
    assert response.status_code == 200
    p.refresh_from_db()
    assert p.status == "admissible"
    services.cast_ballot(ResidentFactory(), campaign, [p.pk])
    admin_client.post("/admin/budget/campaign/", {"action": "publish_results", "_selected_action": [campaign.pk]})
    p.refresh_from_db()
    assert p.winner and p.votes == 1
    assert admin_client.get("/admin/budget/ballot/").status_code == 200
