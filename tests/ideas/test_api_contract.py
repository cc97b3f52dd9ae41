"""The "Ideas" section of /work/shared/API.md, end to end through the API."""

import pytest
from django.core import mail

from ideas.models import Connection, Idea, Need
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_create_idea_returns_201_published_with_needs_ids_and_covered(resident):
    response = client_for(resident).post(
        "/api/v1/ideas/",
        {
            "title": "Composteur partagé rue Oberkampf",
            "pitch": "Un composteur collectif au pied des immeubles.",
            "description": "Nous voulons **réduire** les déchets.",
            "themes": ["environnement"],
            "districts": [11],
            "stage": "building",
            "needs": [
                {"kind": "funding", "description": "Bacs", "amount": 800},
                {"kind": "place", "description": "Une cour"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "published"
    assert body["themes"] == ["environnement"]
    assert body["districts"] == [11]
    assert body["stage"] == "building"
    assert [n["kind"] for n in body["needs"]] == ["funding", "place"]
    assert all(isinstance(n["id"], int) and n["covered"] is False for n in body["needs"])
    assert "<strong>réduire</strong>" in body["description_html"]
    assert body["strategy_status"] == "new"


def test_description_html_is_sanitised(resident):
    response = client_for(resident).post(
        "/api/v1/ideas/",
        {"title": "Test", "pitch": "Pitch", "description": "<script>alert(1)</script><a href='javascript:x'>x</a>"},
        format="json",
    )
    assert response.status_code == 201
    assert "<script" not in response.json()["description_html"]
    assert "javascript:" not in response.json()["description_html"]


def test_list_and_detail_are_public(api_client, idea):
    listing = api_client.get("/api/v1/ideas/")
    assert listing.status_code == 200
    assert set(listing.json()) == {"count", "next", "previous", "results"}
    assert listing.json()["results"][0]["id"] == idea.pk
    detail = api_client.get(f"/api/v1/ideas/{idea.pk}/")
    assert detail.status_code == 200
    assert detail.json()["title"] == idea.title


def test_list_search_and_filters(api_client, holder):
    from .factories import make_idea

    solar = make_idea(holder, title="Toits solaires", themes=["energie"], districts=[11], stage="idea")
    make_idea(
        holder,
        title="Jardin pédagogique",
        pitch="Un potager pour les écoliers.",
        themes=["vegetalisation"],
        districts=[18],
        stage="prototype",
        needs=[{"kind": "volunteers", "description": "Jardiniers"}],
    )
    ids = lambda params: [i["id"] for i in api_client.get("/api/v1/ideas/", params).json()["results"]]  # noqa: E731
    assert ids({"q": "ecoliers"}) != [solar.pk] and len(ids({"q": "ecoliers"})) == 1
    assert ids({"q": "solaire"}) == [solar.pk]
    assert ids({"theme": "energie"}) == [solar.pk]
    assert ids({"district": 11}) == [solar.pk]
    assert ids({"stage": "idea"}) == [solar.pk]
    assert ids({"need": "funding"}) == [solar.pk]
    assert len(ids({"status": "published"})) == 2
    assert api_client.get("/api/v1/ideas/", {"district": 42}).status_code == 400


def test_matches_rank_partners_with_score_and_reasons(api_client, idea, partner):
    response = api_client.get(f"/api/v1/ideas/{idea.pk}/matches/")
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["partner"]["id"] == partner.pk
    assert isinstance(first["score"], int) and first["score"] > 0
    assert first["reasons"][0].startswith("couvre 1 besoin sur 2")


def test_support_put_and_delete_return_count(resident, idea):
    client = client_for(resident)
    assert client.put(f"/api/v1/ideas/{idea.pk}/support/").json() == {"supporters_count": 1}
    assert client.put(f"/api/v1/ideas/{idea.pk}/support/").json() == {"supporters_count": 1}
    assert client.delete(f"/api/v1/ideas/{idea.pk}/support/").json() == {"supporters_count": 0}
    assert client.delete(f"/api/v1/ideas/{idea.pk}/support/").json() == {"supporters_count": 0}


def test_partner_create_list_and_matches(org_admin, organization, idea):
    response = client_for(org_admin).post(
        "/api/v1/partners/",
        {
            "description": "Nous prêtons des locaux.",
            "themes": ["energie"],
            "districts": [11],
            "offers": [{"kind": "place", "description": "Salle de 50 m²"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    partner_id = response.json()["id"]
    assert response.json()["organization"]["id"] == organization.pk
    assert response.json()["offers"][0]["kind"] == "place"
    assert client_for(org_admin).get("/api/v1/partners/").json()["count"] == 1
    matches = client_for(org_admin).get(f"/api/v1/partners/{partner_id}/matches/").json()["results"]
    assert matches[0]["idea"]["id"] == idea.pk
    assert matches[0]["reasons"] == ["couvre 1 besoin sur 2 : lieu", "même thème : Énergie", "intervient dans le 11e"]


def test_second_partner_profile_for_same_organisation_is_409(partner, partner_member):
    response = client_for(partner_member).post("/api/v1/partners/", {"offers": [{"kind": "skills"}]}, format="json")
    assert response.status_code == 409


def test_connection_flow_propose_message_accept(
    idea, holder, partner, partner_member, django_capture_on_commit_callbacks
):
    need = idea.needs.get(kind="funding")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(partner_member).post(
            f"/api/v1/ideas/{idea.pk}/connections/",
            {"partner": partner.pk, "need": need.pk, "message": "Nous pouvons financer les panneaux."},
            format="json",
        )
    assert response.status_code == 201, response.json()
    connection = response.json()
    assert connection["status"] == "pending" and connection["initiated_by"] == "partner"
    assert connection["contacts"] is None
    assert any(holder.email in m.to for m in mail.outbox)

    messages = client_for(holder).get(f"/api/v1/connections/{connection['id']}/messages/").json()
    assert messages["results"][0]["body"] == "Nous pouvons financer les panneaux."
    posted = client_for(holder).post(
        f"/api/v1/connections/{connection['id']}/messages/", {"body": "Merci, parlons-en !"}, format="json"
    )
    assert posted.status_code == 201

    accepted = client_for(holder).patch(
        f"/api/v1/connections/{connection['id']}/", {"status": "accepted"}, format="json"
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["contacts"]["holder"]["email"] == holder.email
    need.refresh_from_db()
    assert need.covered
    assert Idea.objects.get(pk=idea.pk).status == "in_partnership"
    assert client_for(partner_member).get(f"/api/v1/connections/{connection['id']}/").json()["contacts"]


def test_comments_news_and_reports(resident, holder, idea, django_capture_on_commit_callbacks):
    assert (
        client_for(resident).post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "Bravo !"}, format="json").status_code
        == 201
    )
    assert client_for(resident).get(f"/api/v1/ideas/{idea.pk}/comments/").json()["count"] == 1
    client_for(resident).put(f"/api/v1/ideas/{idea.pk}/support/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        news = client_for(holder).post(
            f"/api/v1/ideas/{idea.pk}/news/",
            {"title": "Premier toit trouvé", "body": "L'école accepte !"},
            format="json",
        )
    assert news.status_code == 201
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert "Premier toit trouvé" in mail.outbox[0].subject
    report = client_for(resident).post(f"/api/v1/ideas/{idea.pk}/reports/", {"reason": "Publicité"}, format="json")
    assert report.status_code == 201


def test_team_hides_idea_with_public_reason(team_member, idea, api_client):
    response = client_for(team_member).post(
        f"/api/v1/ideas/{idea.pk}/moderation/", {"hidden": True, "reason": "Contenu commercial"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_hidden"] is True
    assert api_client.get("/api/v1/ideas/").json()["count"] == 0
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").status_code == 404


def test_openapi_schema_documents_ideas(api_client):
    response = api_client.get("/api/v1/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/ideas/{id}/matches/" in text
    assert "/api/v1/connections/{id}/messages/" in text


def test_connection_created_only_once_in_database(idea, partner, partner_member):
    need = idea.needs.first()
    client_for(partner_member).post(
        f"/api/v1/ideas/{idea.pk}/connections/", {"partner": partner.pk, "need": need.pk}, format="json"
    )
    assert Connection.objects.count() == 1
    assert Need.objects.filter(idea=idea).count() == 2
