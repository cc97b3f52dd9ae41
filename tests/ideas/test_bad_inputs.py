"""Every bad input gives a clear translated 4xx and saves nothing."""

import pytest

from ideas.models import Connection, Idea, Need
from tests.conftest import client_for
from tests.factories import UnverifiedUserFactory

from .factories import make_partner

pytestmark = pytest.mark.django_db


def _post_idea(user, **overrides):
    payload = {"title": "Ruelle fleurie", "pitch": "Végétaliser la ruelle.", "needs": []}
    payload.update(overrides)
    return client_for(user).post("/api/v1/ideas/", payload, format="json")


def test_need_without_kind_is_400_and_nothing_saved(resident):
    response = _post_idea(resident, needs=[{"kind": "place"}, {"description": "sans type"}])
    assert response.status_code == 400
    assert response.json()["errors"]["needs"] == ["Besoin n° 2 : choisissez le type de besoin."]
    assert not Idea.objects.exists() and not Need.objects.exists()


@pytest.mark.parametrize("amount", [0, -10, None, "beaucoup"])
def test_funding_need_requires_positive_amount(resident, amount):
    response = _post_idea(resident, needs=[{"kind": "funding", "description": "Bacs", "amount": amount}])
    assert response.status_code == 400
    assert "needs" in response.json()["errors"]
    assert not Idea.objects.exists()


def test_pitch_longer_than_280_is_400(resident):
    response = _post_idea(resident, pitch="x" * 281)
    assert response.status_code == 400
    assert "pitch" in response.json()["errors"]
    assert not Idea.objects.exists()


def test_errors_are_french_by_default_and_english_on_request(resident):
    needs = [{"kind": "funding", "amount": 0}]
    french = _post_idea(resident, needs=needs).json()
    assert french["errors"]["needs"] == ["Besoin n° 1 : le montant doit être supérieur à zéro."]
    english = client_for(resident).post(
        "/api/v1/ideas/", {"title": "T", "pitch": "P", "needs": needs}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["errors"]["needs"] == ["Need 1: the amount must be greater than zero."]


def test_unknown_theme_or_district_is_400(resident):
    assert _post_idea(resident, themes=["inconnu"]).status_code == 400
    assert _post_idea(resident, districts=[21]).status_code == 400
    assert not Idea.objects.exists()


def test_unverified_account_gets_403_with_reason(db):
    user = UnverifiedUserFactory()
    response = _post_idea(user)
    assert response.status_code == 403
    assert "Confirmez d'abord votre adresse e-mail" in response.json()["detail"]


def test_anonymous_write_is_401(api_client, idea):
    assert api_client.post("/api/v1/ideas/", {}, format="json").status_code == 401
    assert api_client.put(f"/api/v1/ideas/{idea.pk}/support/").status_code == 401


def test_unverified_cannot_support_or_propose(idea, partner):
    user = UnverifiedUserFactory()
    assert client_for(user).put(f"/api/v1/ideas/{idea.pk}/support/").status_code == 403
    response = client_for(user).post(
        f"/api/v1/ideas/{idea.pk}/connections/", {"partner": partner.pk, "need": idea.needs.first().pk}, format="json"
    )
    assert response.status_code == 403


def test_connection_to_own_idea_is_400(holder, idea):
    own_partner, _member = make_partner(name="Asso de la porteuse", kind="association", member=holder)
    response = client_for(holder).post(
        f"/api/v1/ideas/{idea.pk}/connections/",
        {"partner": own_partner.pk, "need": idea.needs.first().pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["partner"] == ["Vous ne pouvez pas proposer votre soutien à votre propre idée."]
    assert not Connection.objects.exists()


def test_connection_to_covered_need_is_400(idea, partner, partner_member):
    need = idea.needs.first()
    Need.objects.filter(pk=need.pk).update(covered=True)
    response = client_for(partner_member).post(
        f"/api/v1/ideas/{idea.pk}/connections/", {"partner": partner.pk, "need": need.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["need"] == ["Ce besoin est déjà couvert."]


def test_connection_twice_is_409(idea, partner, partner_member):
    payload = {"partner": partner.pk, "need": idea.needs.first().pk}
    client = client_for(partner_member)
    assert client.post(f"/api/v1/ideas/{idea.pk}/connections/", payload, format="json").status_code == 201
    second = client.post(f"/api/v1/ideas/{idea.pk}/connections/", payload, format="json")
    assert second.status_code == 409
    assert "déjà ouverte" in second.json()["detail"]
    assert Connection.objects.count() == 1


def test_need_of_another_idea_is_400(idea, partner, partner_member, holder):
    from .factories import make_idea

    other = make_idea(holder, title="Autre")
    response = client_for(partner_member).post(
        f"/api/v1/ideas/{idea.pk}/connections/", {"partner": partner.pk, "need": other.needs.first().pk}, format="json"
    )
    assert response.status_code == 400


def test_non_participant_reading_conversation_gets_404(idea, partner, partner_member, resident, team_member):
    client = client_for(partner_member)
    created = client.post(
        f"/api/v1/ideas/{idea.pk}/connections/",
        {"partner": partner.pk, "need": idea.needs.first().pk, "message": "Bonjour"},
        format="json",
    ).json()
    for outsider in (resident, team_member):
        assert client_for(outsider).get(f"/api/v1/connections/{created['id']}/messages/").status_code == 404
        assert client_for(outsider).get(f"/api/v1/connections/{created['id']}/").status_code == 404
        assert (
            client_for(outsider).post(f"/api/v1/connections/{created['id']}/messages/", {"body": "x"}, format="json")
        ).status_code == 404


def test_initiator_cannot_accept_own_proposal_but_other_side_can(idea, holder, partner, partner_member):
    created = (
        client_for(partner_member)
        .post(
            f"/api/v1/ideas/{idea.pk}/connections/",
            {"partner": partner.pk, "need": idea.needs.first().pk},
            format="json",
        )
        .json()
    )
    url = f"/api/v1/connections/{created['id']}/"
    assert client_for(partner_member).patch(url, {"status": "accepted"}, format="json").status_code == 403
    assert client_for(holder).patch(url, {"status": "maybe"}, format="json").status_code == 400
    assert client_for(holder).patch(url, {"status": "accepted"}, format="json").status_code == 200
    assert client_for(holder).patch(url, {"status": "declined"}, format="json").status_code == 409


def test_empty_message_and_bad_pagination_are_400(idea, partner, partner_member, api_client):
    created = (
        client_for(partner_member)
        .post(
            f"/api/v1/ideas/{idea.pk}/connections/",
            {"partner": partner.pk, "need": idea.needs.first().pk},
            format="json",
        )
        .json()
    )
    response = client_for(partner_member).post(
        f"/api/v1/connections/{created['id']}/messages/", {"body": "  "}, format="json"
    )
    assert response.status_code == 400
    assert api_client.get("/api/v1/ideas/", {"page": "abc"}).status_code == 400
    assert api_client.get("/api/v1/ideas/", {"stage": "nope"}).status_code == 400


def test_partner_without_offers_or_membership_is_rejected(resident, org_admin):
    assert (
        client_for(resident).post("/api/v1/partners/", {"offers": [{"kind": "place"}]}, format="json").status_code
        == 403
    )
    response = client_for(org_admin).post("/api/v1/partners/", {"offers": [{"kind": "magic"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["offers"]
