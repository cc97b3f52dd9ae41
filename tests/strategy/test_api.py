"""The Strategy section of the public contract, permissions as a matrix, and query counts of lists."""

import pytest
from rest_framework.test import APIClient

from strategy import services
from strategy.models import Contribution, Version
from tests.conftest import client_for
from tests.factories import MembershipFactory, UnverifiedUserFactory, UserFactory, district, theme
from tests.strategy.factories import ContributionFactory

TEAM_ENDPOINTS = [
    ("get", "/api/v1/strategy/contributions/", None),
    ("patch", "/api/v1/strategy/contributions/{c}/", {"status": "reviewing"}),
    ("post", "/api/v1/strategy/contributions/bulk/", {"ids": ["{c}"], "status": "reviewing"}),
    ("get", "/api/v1/strategy/sections/mobilite-velo/", None),
    ("patch", "/api/v1/strategy/sections/mobilite-velo/", {"body": "Piraté", "revision": 1}),
    ("post", "/api/v1/strategy/versions/", {"summary": "Piratée"}),
]


def _call(client, method, url, body, c):
    url = url.replace("{c}", str(c.pk))
    if body is not None:
        body = {k: ([c.pk] if v == ["{c}"] else v) for k, v in body.items()}
    return getattr(client, method)(url, body, format="json") if body is not None else client.get(url)


@pytest.mark.parametrize("who", ["unverified", "resident", "org_member", "referent_not_team"])
@pytest.mark.parametrize(("method", "url", "body"), TEAM_ENDPOINTS)
def test_team_endpoints_refuse_other_accounts_with_403(who, method, url, body, sections, contribution):
    users = {
        "unverified": lambda: UnverifiedUserFactory(),
        "resident": lambda: UserFactory(),
        "org_member": lambda: MembershipFactory().user,
        "referent_not_team": lambda: UserFactory(),
    }
    response = _call(client_for(users[who]()), method, url, body, contribution)
    assert response.status_code == 403, response.content
    assert response.json()["detail"]
    contribution.refresh_from_db()
    assert contribution.status == "new"
    assert not Version.objects.exists()


@pytest.mark.parametrize(("method", "url", "body"), TEAM_ENDPOINTS)
def test_team_endpoints_ask_anonymous_to_log_in(method, url, body, sections, contribution):
    assert _call(APIClient(), method, url, body, contribution).status_code == 401


def test_current_strategy_follows_the_contract(v1, api_client):
    body = api_client.get("/api/v1/strategy/").json()
    assert body["version"] == 1
    assert body["published_at"]
    section = body["sections"][0]
    assert {"slug", "title", "theme", "body_html", "contributions_count"} <= set(section)
    assert section["slug"] == "mobilite-velo" and section["theme"] == "mobilite"


def test_no_version_yet_is_a_404_with_a_sentence(sections, api_client):
    response = api_client.get("/api/v1/strategy/")
    assert response.status_code == 404 and response.json()["detail"]


def test_versions_list_detail_and_diff(v1, sections, team_member, api_client):
    services.edit_section(sections[0], team_member, "Un réseau continu et sécurisé de pistes.", sections[0].revision)
    services.publish_version(team_member, "v2")
    listing = api_client.get("/api/v1/strategy/versions/").json()
    assert listing["count"] == 2 and [v["version"] for v in listing["results"]] == [2, 1]
    assert api_client.get("/api/v1/strategy/versions/1/").json()["sections"][0]["body_html"].startswith("<p>Le Plan")
    assert api_client.get("/api/v1/strategy/versions/9/").status_code == 404
    diff = api_client.get("/api/v1/strategy/diff/?from=1&to=2").json()
    assert [s["slug"] for s in diff["sections"]] == ["mobilite-velo"]
    assert "<ins>" in diff["sections"][0]["html"] and "<del>" in diff["sections"][0]["html"]


def test_diff_with_unknown_versions_is_a_400_in_french(v1, api_client):
    response = api_client.get("/api/v1/strategy/diff/?from=1&to=abc")
    assert response.status_code == 400
    assert response.json()["errors"]["to"] == ["Cette version n'existe pas."]
    english = api_client.get("/api/v1/strategy/diff/?from=1&to=7", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["errors"]["to"] == ["This version does not exist."]


def test_contributions_list_filters(sections, team_member):
    a = ContributionFactory(source="comment", source_id=1, title="Pistes cyclables rue de Rivoli", district=district(4))
    ContributionFactory(source="comment", source_id=2, title="Jardin partagé", theme=theme("vegetalisation"))
    ContributionFactory(title="Atelier sur les pistes", status="reviewing")
    client = client_for(team_member)
    results = client.get("/api/v1/strategy/contributions/").json()["results"]
    assert len(results) == 3
    item = next(r for r in results if r["id"] == a.pk)
    assert {"source", "source_id", "title", "theme", "district", "status"} <= set(item)
    assert (item["source"], item["source_id"], item["district"], item["theme"]) == ("comment", 1, 4, "mobilite")

    def ids(query):
        return {r["id"] for r in client.get(f"/api/v1/strategy/contributions/?{query}").json()["results"]}

    assert ids("source=comment") == {a.pk, a.pk + 1}
    assert ids("theme=vegetalisation") == {a.pk + 1}
    assert ids("district=4") == {a.pk}
    assert ids("status=reviewing") == {a.pk + 2}
    assert ids("q=piste") == {a.pk, a.pk + 2}  # French stemming: "pistes" matches "piste"
    assert client.get("/api/v1/strategy/contributions/?district=42").status_code == 400
    assert client.get("/api/v1/strategy/contributions/?status=perdu").status_code == 400


def test_patch_contribution_links_sections_and_rejects_with_reason(sections, team_member, contribution):
    client = client_for(team_member)
    url = f"/api/v1/strategy/contributions/{contribution.pk}/"
    response = client.patch(url, {"status": "retained", "sections": ["mobilite-velo"]}, format="json")
    assert response.status_code == 200
    assert response.json()["sections"] == ["mobilite-velo"]
    missing = client.patch(url, {"sections": ["inconnue"]}, format="json")
    assert missing.status_code == 400 and "sections" in missing.json()["errors"]
    no_reason = client.patch(url, {"status": "rejected"}, format="json")
    assert no_reason.status_code == 400 and "public_reason" in no_reason.json()["errors"]
    contribution.refresh_from_db()
    assert contribution.status == "retained"
    ok = client.patch(url, {"status": "rejected", "public_reason": "Déjà prévu au Plan vélo."}, format="json")
    assert ok.json()["status"] == "rejected"


def test_section_patch_with_stale_revision_is_409_and_keeps_the_text(sections, team_member):
    client = client_for(team_member)
    url = "/api/v1/strategy/sections/mobilite-velo/"
    revision = client.get(url).json()["revision"]
    first = client.patch(url, {"body": "Version de Léa", "revision": revision}, format="json")
    assert first.status_code == 200 and first.json()["revision"] == revision + 1
    stale = client.patch(url, {"body": "Version de Marc", "revision": revision}, format="json")
    assert stale.status_code == 409
    assert "révision" in stale.json()["detail"]
    assert client.get(url).json()["body"] == "Version de Léa"


def test_publish_via_api(sections, team_member, resident, contribution):
    client = client_for(team_member)
    services.triage(contribution, team_member, sections=["mobilite-velo"])
    response = client.post("/api/v1/strategy/versions/", {"summary": "Première version."}, format="json")
    assert response.status_code == 201 and response.json()["version"] == 1
    contribution.refresh_from_db()
    assert contribution.status == "integrated"
    again = client.post("/api/v1/strategy/versions/", {"summary": "Encore"}, format="json")
    assert again.status_code == 400 and "summary" in again.json()["errors"]
    empty = client.post("/api/v1/strategy/versions/", {"summary": ""}, format="json")
    assert empty.status_code == 400
    assert Version.objects.count() == 1


def test_contributions_list_query_count_does_not_grow(sections, team_member, django_assert_max_num_queries):
    client = client_for(team_member)
    for i in range(30):
        c = ContributionFactory(source="comment", source_id=100 + i, district=district(1 + i % 20))
        services.triage(c, team_member, sections=["mobilite-velo"])
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/strategy/contributions/?page_size=30")
    assert len(response.json()["results"]) == 30


def test_versions_list_query_count(v1, api_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert api_client.get("/api/v1/strategy/versions/").status_code == 200
    with django_assert_max_num_queries(4):
        assert api_client.get("/api/v1/strategy/").status_code == 200


def test_bulk_api(team_member, make_contribution):
    a, b = make_contribution(), make_contribution()
    response = client_for(team_member).post(
        "/api/v1/strategy/contributions/bulk/", {"ids": [a.pk, b.pk], "status": "reviewing"}, format="json"
    )
    assert response.json() == {"updated": 2}
    assert set(Contribution.objects.values_list("status", flat=True)) == {"reviewing"}


def test_a_published_version_cannot_be_edited_through_the_api(v1, team_member):
    client = client_for(team_member)
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/strategy/versions/1/", {"summary": "Réécrite"}, format="json")
        assert response.status_code == 405 and response.json()["detail"]
    assert Version.objects.get(number=1).summary == "Première version."
