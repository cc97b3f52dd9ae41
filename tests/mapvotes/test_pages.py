import pytest
from django.test import Client

from mapvotes.models import Proposal, Vote
from tests.factories import UserFactory

from .factories import CommentFactory, ProposalFactory, VoteFactory

pytestmark = pytest.mark.django_db


def logged(user):
    client = Client()
    client.force_login(user)
    return client


def test_map_page_loads_leaflet_from_package_and_our_module(client):
    html = client.get("/carte/").content.decode()
    assert "/static/leaflet/leaflet.js" in html and "/static/mapvotes/js/map.mjs" in html
    assert 'id="map-config"' in html
    assert "<script>" not in html  # nothing inline: the CSP forbids it


def test_list_view_filters_paginates_and_marks_my_vote(resident, django_assert_max_num_queries):
    ProposalFactory.create_batch(25)
    mine = ProposalFactory(title="Piste tout en haut", votes_for=99)
    VoteFactory(user=resident, proposal=mine)
    client = logged(resident)
    with django_assert_max_num_queries(12):
        response = client.get("/carte/liste/?sort=votes")
    html = response.content.decode()
    assert "Piste tout en haut" in html and 'aria-pressed="true"' in html
    assert "Page 1 sur 2" in html or "Page 1 of 2" in html
    assert client.get("/carte/liste/?district=99").status_code == 200  # a bad filter is explained, not a 500


def test_vote_by_plain_form_post_without_javascript(resident, proposal):
    client = logged(resident)
    response = client.post(f"/carte/propositions/{proposal.pk}/vote/", {"value": "for", "next": "/carte/liste/"})
    assert response.status_code == 302 and response["Location"] == "/carte/liste/"
    assert Vote.objects.get().value == "for"
    client.post(f"/carte/propositions/{proposal.pk}/vote/", {"value": "withdraw"})
    assert not Vote.objects.exists()


def test_unverified_vote_form_is_refused_with_a_message(unverified, proposal):
    response = logged(unverified).post(f"/carte/propositions/{proposal.pk}/vote/", {"value": "for"}, follow=True)
    assert "Confirmez" in response.content.decode()
    assert not Vote.objects.exists()


def test_proposal_page_shows_comments_timeline_and_hidden_reason(team_member, proposal):
    CommentFactory(proposal=proposal, body="Très bonne idée")
    CommentFactory(proposal=proposal, body="Insulte", is_hidden=True, hidden_reason="Propos injurieux")
    from mapvotes import services

    services.change_status(team_member, proposal, "under_study", "Étude technique en cours")
    html = Client().get(proposal.get_absolute_url()).content.decode()
    assert "Très bonne idée" in html and "Insulte" not in html and "Propos injurieux" in html
    assert "Étude technique en cours" in html and "À l&#x27;étude" in html or "l’étude" in html or "étude" in html


def test_hidden_proposal_page_shows_only_the_reason(proposal, team_member):
    from mapvotes import services

    services.set_hidden(team_member, proposal, True, "Hors charte")
    html = Client().get(proposal.get_absolute_url()).content.decode()
    assert "Hors charte" in html and proposal.title not in html


def test_propose_by_form_with_typed_coordinates(resident):
    response = logged(resident).post(
        "/carte/proposer/",
        {
            "title": "Fontaine",
            "description": "Une fontaine à boire",
            "theme": "sante",
            "latitude": "48.8566",
            "longitude": "2.3522",
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    assert proposal.district.number == 4


def test_propose_by_form_outside_paris_shows_error(resident):
    response = logged(resident).post(
        "/carte/proposer/",
        {"title": "Château", "description": "x", "theme": "culture", "latitude": "48.8049", "longitude": "2.1204"},
    )
    assert response.status_code == 200 and "Paris" in response.content.decode()
    assert not Proposal.objects.exists()


def test_territory_view_has_map_legend_and_table():
    ProposalFactory(votes_for=3, votes_against=1)
    html = Client().get("/carte/territoire/?measure=polarisation").content.decode()
    from django.utils.html import escape

    from tests.factories import district

    assert "<svg" in html and "<table" in html and escape(district(4).name) in html
    # SVG numbers are never localised: "scale(0,658 1)" in French would draw nothing.
    import re

    transform = re.search(r'<g transform="scale\(([^ ]+) 1\)"', html).group(1)
    assert float(transform) > 0


def test_moderation_desk_is_team_only(team_member, resident, proposal):
    from core.moderation import report

    report(proposal, resident, "Doublon évident")
    assert logged(resident).get("/carte/moderation/").status_code == 403
    html = logged(team_member).get("/carte/moderation/").content.decode()
    assert "Doublon évident" in html


def test_team_hides_from_page_form(team_member, proposal):
    logged(team_member).post(f"/carte/equipe/{proposal.pk}/hide/", {"reason": "Spam"})
    proposal.refresh_from_db()
    assert proposal.is_hidden and proposal.hidden_reason == "Spam"
    assert logged(UserFactory()).post(f"/carte/equipe/{proposal.pk}/restore/", {"reason": "x"}).status_code == 403


def test_territory_by_quartier_lists_the_quartiers_with_their_figures():
    from core.models import Quartier

    proposal = ProposalFactory(votes_for=2, votes_against=2)
    html = Client().get("/carte/territoire/?level=quartier&measure=votes").content.decode()
    quartiers = Quartier.objects.count()
    assert quartiers >= 80
    assert html.count('<th scope="row">') == quartiers
    assert "Chiffres par quartier" in html
    if proposal.quartier_id:
        from django.utils.html import escape

        assert escape(proposal.quartier.name) in html


def test_polarisation_counts_divided_proposals_not_opposite_unanimous_ones(api_client):
    from tests.factories import district

    # 4e: one proposal loved, one hated → not polarised; 5e: one proposal split evenly → fully polarised.
    ProposalFactory(district=district(4), votes_for=50, votes_against=0)
    ProposalFactory(district=district(4), votes_for=0, votes_against=50)
    ProposalFactory(district=district(5), votes_for=25, votes_against=25)
    rows = {r["number"]: r for r in api_client.get("/api/v1/map/territory/").json()["results"]}
    assert rows[4]["polarisation"] == 0 and rows[4]["share_for"] == 0.5
    assert rows[5]["polarisation"] == 1 and rows[5]["contested_votes"] == 25
    assert api_client.get("/api/v1/map/territory/?level=arrondissement").status_code == 400
    quartiers = api_client.get("/api/v1/map/territory/?level=quartier").json()
    assert quartiers["level"] == "quartier" and len(quartiers["results"]) >= 80
