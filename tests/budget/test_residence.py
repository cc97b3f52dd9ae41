"""Only residents of Paris vote: the arrondissement of residence is declared on the account (issue 16)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from budget.models import Ballot
from tests.factories import UserFactory

from .conftest import make_project

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_verified_account_without_residence_is_refused_in_french_and_nothing_saved(campaign):
    project = make_project(campaign, "paris", 1000)
    response = _client(UserFactory()).put(
        f"/api/v1/budget/campaigns/{campaign.pk}/ballot/", {"projects": [project.pk]}, format="json"
    )
    assert response.status_code == 403
    assert "arrondissement de résidence" in response.json()["detail"]
    assert not Ballot.objects.exists()


def test_declaring_the_arrondissement_through_the_api_opens_the_vote(campaign):
    project = make_project(campaign, "paris", 1000)
    client = _client(UserFactory())
    assert client.patch("/api/v1/me/", {"home_district": 21}, format="json").status_code == 400
    response = client.patch("/api/v1/me/", {"home_district": 18}, format="json")
    assert response.status_code == 200 and response.json()["home_district"] == 18
    answer = client.put(f"/api/v1/budget/campaigns/{campaign.pk}/ballot/", {"projects": [project.pk]}, format="json")
    assert answer.status_code == 200
    export = client.get("/api/v1/me/export/").json()
    assert export["account"]["home_district"] == 18
    assert export["budget"]["ballots"] == [
        {
            "edition": campaign.year,
            "arrondissement": None,
            "projects": [project.pk],
            "updated_at": export["budget"]["ballots"][0]["updated_at"],
        }
    ]


def test_the_ballot_page_asks_where_one_lives_then_takes_the_ballot(campaign):
    project = make_project(campaign, "paris", 1000, title="Un jardin partagé")
    client = Client()
    user = UserFactory()
    client.force_login(user)
    page = client.get(f"/budget-participatif/{campaign.year}/vote/").content.decode()
    assert "Où habitez-vous" in page
    assert 'name="projects"' in page and "disabled" in page  # the projects are shown, not yet choosable
    bad = client.post(f"/budget-participatif/{campaign.year}/vote/", {"action": "residence", "home_district": "99"})
    assert bad.status_code == 200 and "arrondissement de 1 à 20" in bad.content.decode()
    done = client.post(f"/budget-participatif/{campaign.year}/vote/", {"action": "residence", "home_district": "11"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.home_district.number == 11
    voted = client.post(f"/budget-participatif/{campaign.year}/vote/", {"action": "vote", "projects": [project.pk]})
    assert voted.status_code == 302
    assert Ballot.objects.get(voter=user).projects.get() == project


def test_the_profile_page_declares_the_arrondissement():
    from django.urls import reverse

    from core.models import District

    client = Client()
    user = UserFactory(display_name="Léa")
    client.force_login(user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Arrondissement de résidence" in page
    district = District.objects.get(number=20)
    data = {"display_name": "Léa", "preferred_language": "fr", "home_district": district.pk}
    assert client.post(reverse("accounts:profile"), data).status_code == 302
    user.refresh_from_db()
    assert user.home_district == district
