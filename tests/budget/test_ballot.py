import pytest

from budget import services
from budget.models import Ballot, BallotChoice, Campaign
from tests.conftest import client_for
from tests.factories import ResidentFactory, UnverifiedUserFactory

from .conftest import make_campaign, make_project

pytestmark = pytest.mark.django_db


def _url(campaign):
    return f"/api/v1/budget/campaigns/{campaign.pk}/ballot/"


def test_put_ballot_within_envelope_returns_it(campaign, resident):
    a = make_project(campaign, "paris", 400_000)
    b = make_project(campaign, 11, 200_000)
    response = client_for(resident).put(_url(campaign), {"projects": [a.pk, b.pk], "arrondissement": 11}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["projects"] == sorted([a.pk, b.pk])
    assert response.json()["arrondissement"] == 11
    assert client_for(resident).get(_url(campaign)).json()["projects"] == sorted([a.pk, b.pk])


def test_changing_the_ballot_keeps_one_ballot(campaign, resident):
    a = make_project(campaign, "paris", 400_000)
    b = make_project(campaign, "paris", 300_000)
    client = client_for(resident)
    client.put(_url(campaign), {"projects": [a.pk]}, format="json")
    client.put(_url(campaign), {"projects": [b.pk]}, format="json")
    assert Ballot.objects.count() == 1
    assert list(BallotChoice.objects.values_list("project", flat=True)) == [b.pk]


def test_ballot_over_the_envelope_is_refused_in_french_and_nothing_saved(campaign, resident):
    a = make_project(campaign, "paris", 700_000)
    b = make_project(campaign, "paris", 400_000)
    response = client_for(resident).put(_url(campaign), {"projects": [a.pk, b.pk]}, format="json")
    assert response.status_code == 400
    [message] = response.json()["errors"]["projects"]
    assert message.startswith("Ces projets coûtent 1\u00a0100\u00a0000\u00a0€ pour ")
    assert message.endswith("plus que son enveloppe de 1\u00a0000\u00a0000\u00a0€.")
    assert not Ballot.objects.exists()
    english = client_for(resident).put(
        _url(campaign), {"projects": [a.pk, b.pk]}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    [message] = english.json()["errors"]["projects"]
    assert (
        message.startswith("These projects cost 1,100,000\u00a0€ for ") and "envelope of 1,000,000\u00a0€." in message
    )


def test_ballot_error_in_english(campaign, resident):
    a = make_project(campaign, "paris", 700_000)
    b = make_project(campaign, "paris", 400_000)
    response = client_for(resident).put(
        _url(campaign), {"projects": [a.pk, b.pk]}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "envelope" in response.json()["errors"]["projects"][0]


def test_count_rule_limits_projects_per_scope(db, resident):
    campaign = make_campaign(rule=Campaign.Rule.COUNT, max_per_scope=2)
    ids = [make_project(campaign, "paris", 1).pk for _ in range(3)]
    response = client_for(resident).put(_url(campaign), {"projects": ids}, format="json")
    assert response.status_code == 400
    assert "errors" in response.json() and "projects" in response.json()["errors"]
    assert client_for(resident).put(_url(campaign), {"projects": ids[:2]}, format="json").status_code == 200


def test_project_of_another_arrondissement_is_refused(campaign, resident):
    p = make_project(campaign, 12, 1000)
    response = client_for(resident).put(_url(campaign), {"projects": [p.pk], "arrondissement": 11}, format="json")
    assert response.status_code == 400
    assert "projects" in response.json()["errors"]


@pytest.mark.parametrize(
    "body",
    [
        {"projects": "x"},
        {"projects": [True]},
        {"projects": [1, 1]},
        [],
        {"projects": [999999]},
        {"projects": [], "arrondissement": 42},
    ],
)
def test_bad_ballots_are_400(campaign, resident, body):
    response = client_for(resident).put(_url(campaign), body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_vote_outside_the_vote_phase_is_403(db, resident):
    campaign = make_campaign(phase="study")
    p = make_project(campaign, "paris")
    response = client_for(resident).put(_url(campaign), {"projects": [p.pk]}, format="json")
    assert response.status_code == 403
    assert "vote" in response.json()["detail"]


def test_unverified_and_anonymous_cannot_vote(campaign, api_client):
    p = make_project(campaign, "paris")
    assert api_client.put(_url(campaign), {"projects": [p.pk]}, format="json").status_code == 401
    response = client_for(UnverifiedUserFactory()).put(_url(campaign), {"projects": [p.pk]}, format="json")
    assert response.status_code == 403


def test_delete_withdraws_the_ballot(campaign, resident):
    p = make_project(campaign, "paris")
    client = client_for(resident)
    client.put(_url(campaign), {"projects": [p.pk]}, format="json")
    assert client.delete(_url(campaign)).status_code == 204
    assert not Ballot.objects.exists()
    assert client.get(_url(campaign)).status_code == 404


def test_unknown_campaign_is_404(resident):
    assert client_for(resident).get("/api/v1/budget/campaigns/999999/ballot/").status_code == 404


def test_results_select_within_envelope_skipping_what_does_not_fit(team_member):
    campaign = make_campaign(paris=1_000_000)
    big = make_project(campaign, "paris", 700_000, "Grand")
    too_big = make_project(campaign, "paris", 500_000, "Trop grand")
    small = make_project(campaign, "paris", 200_000, "Petit")
    voters = [ResidentFactory() for _ in range(3)]
    services.cast_ballot(voters[0], campaign, [big.pk, small.pk])
    services.cast_ballot(voters[1], campaign, [big.pk])
    services.cast_ballot(voters[2], campaign, [too_big.pk, small.pk])
    services.compute_results(team_member, campaign)
    for p in (big, too_big, small):
        p.refresh_from_db()
    assert (big.votes, too_big.votes, small.votes) == (2, 1, 2)
    assert big.winner and small.winner and not too_big.winner
    assert big.stage == "study"


@pytest.mark.parametrize("n_local", [0, 6])
def test_filling_a_ballot_takes_four_queries_however_many_projects(campaign, resident, n_local):
    """Token, campaign, the projects chosen with their scopes, and the one statement that writes the ballot: no
    per-choice query, no re-reading of the campaign or of the ballot (issue 16: ≥ 300 ballots/s)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    paris = make_project(campaign, "paris", 100_000)
    local = [make_project(campaign, 11, 10_000, f"Local {i}") for i in range(n_local)]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=resident).key}")
    client.put(_url(campaign), {"projects": [paris.pk]}, format="json")  # a ballot to change
    chosen = [paris.pk] + [p.pk for p in local]
    with CaptureQueriesContext(connection) as queries:
        response = client.put(_url(campaign), {"projects": chosen, "arrondissement": 11}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["projects"] == sorted(chosen)
    assert response.json()["arrondissement"] == 11
    assert len(queries) == 4, [q["sql"] for q in queries.captured_queries]
    assert sorted(BallotChoice.objects.values_list("project_id", flat=True)) == sorted(chosen)
    assert client.get(_url(campaign)).json() == response.json()  # the answer is what GET reads back


def test_changing_the_arrondissement_replaces_its_projects_whole(campaign, resident):
    paris = make_project(campaign, "paris", 100_000)
    eleventh = [make_project(campaign, 11, 10_000, f"Onzième {i}") for i in range(2)]
    twelfth = make_project(campaign, 12, 10_000, "Douzième")
    client = client_for(resident)
    first = client.put(
        _url(campaign), {"projects": [paris.pk] + [p.pk for p in eleventh], "arrondissement": 11}, format="json"
    )
    assert first.status_code == 200
    second = client.put(_url(campaign), {"projects": [paris.pk, twelfth.pk], "arrondissement": 12}, format="json")
    assert second.status_code == 200 and second.json()["arrondissement"] == 12
    ballot = Ballot.objects.select_related("district").get()
    assert ballot.district.number == 12
    assert sorted(BallotChoice.objects.values_list("project_id", flat=True)) == sorted([paris.pk, twelfth.pk])
    assert client.put(_url(campaign), {"projects": []}, format="json").json()["projects"] == []  # an empty ballot
    assert not BallotChoice.objects.exists() and Ballot.objects.get().district is None
