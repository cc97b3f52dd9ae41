"""What the map answers, as an API client or a resident reads it: GeoJSON keys, counts, French sentences, and the
figures the strategy team sees for a proposal. Each test pins a bug that mutation testing showed the other tests
would let through."""

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.test import Client

from mapvotes import selectors, services
from mapvotes.models import Proposal, cell_size
from strategy import services as strategy_services
from strategy.models import Contribution
from tests.conftest import client_for
from tests.factories import MONTMARTRE, UserFactory, district
from tests.strategy.factories import ChapterFactory, SectionFactory

from .factories import ProposalFactory, VoteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/map/proposals/"
PARIS = "2.22,48.81,2.47,48.91"
INBOX = "/api/v1/strategy/contributions/"


def _inbox_support(team_member, proposal):
    """The support figure the strategy team reads for this proposal in its inbox (API)."""
    results = client_for(team_member).get(INBOX, {"source": "map", "page_size": 100}).json()["results"]
    return next(item["support"] for item in results if item["source_id"] == proposal.pk)


# --- the viewport's GeoJSON -----------------------------------------------------------------------------------------


def test_a_cluster_is_a_geojson_feature_in_a_feature_collection(api_client):
    """A client reading the clustered map gets RFC 7946 GeoJSON: a FeatureCollection of Features."""
    for i in range(3):
        ProposalFactory(geometry=Point(2.3522 + i * 0.0001, 48.8566, srid=4326))
    data = api_client.get(URL, {"bbox": PARIS, "zoom": 12}).json()
    assert data["type"] == "FeatureCollection" and data["clustered"] is True
    [cluster] = data["features"]
    assert cluster["type"] == "Feature"
    assert cluster["properties"] == {"cluster": True, "count": 3}
    assert cluster["geometry"]["type"] == "Point"


def test_a_dense_street_level_viewport_is_clustered_and_still_a_feature_collection(api_client, monkeypatch):
    """Above MAX_FEATURES_UNCLUSTERED proposals in view, street level is clustered too, in the same GeoJSON."""
    monkeypatch.setattr(selectors, "MAX_FEATURES_UNCLUSTERED", 2)  # as if the viewport held more than 300
    for i in range(3):
        ProposalFactory(geometry=Point(2.3522 + i * 0.00001, 48.8566, srid=4326))
    data = api_client.get(URL, {"bbox": "2.34,48.85,2.36,48.86", "zoom": 17}).json()
    assert data["type"] == "FeatureCollection" and data["clustered"] is True
    assert [(f["type"], f["properties"]) for f in data["features"]] == [("Feature", {"cluster": True, "count": 3})]


def test_a_live_grouping_leaves_out_what_lies_south_of_the_viewports_cells(api_client):
    """Filters that group live (here a district) count only the cells the viewport touches: a proposal a hair
    south of the southern edge of the bottom row of cells is not in the answer (the box test of PostGIS is in
    single precision and lets it through; the cell number keeps it out)."""
    zoom = 12
    cell = cell_size(zoom)
    row = int(48.8566 // cell)
    south = row * cell  # the southern edge of a row of cells that holds the Hôtel de Ville
    inside = ProposalFactory(geometry=Point(2.3522, south + cell / 2, srid=4326), district=district(4))
    ProposalFactory(geometry=Point(2.3522, south - 1e-7, srid=4326), district=district(4))
    bbox = f"2.30,{south!r},2.40,{south + cell / 2 + 0.001!r}"
    data = api_client.get(URL, {"bbox": bbox, "zoom": zoom, "district": 4}).json()
    assert [(f["id"], f["properties"].get("count")) for f in data["features"]] == [(inside.pk, None)]


# --- what a proposal carries --------------------------------------------------------------------------------------


def test_the_detail_of_a_proposal_carries_the_teams_public_reason(api_client, team_member, proposal):
    services.change_status(team_member, proposal, "not_retained", "Trop coûteux pour 2026")
    props = api_client.get(f"{URL}{proposal.pk}/").json()["properties"]
    assert (props["status"], props["status_reason"]) == ("not_retained", "Trop coûteux pour 2026")


def test_a_proposal_integrated_in_the_strategy_says_so_on_the_map(api_client, team_member):
    """The map's features (viewport and home page) carry what became of the proposal in the strategy."""
    section = SectionFactory(chapter=ChapterFactory(title="Mobilité"), slug="mobilite-velo", title="Vélo")
    strategy_services.publish_version(team_member, "Première version.")
    proposal = ProposalFactory()
    contribution = Contribution.objects.get(source="map", source_id=proposal.pk)
    strategy_services.triage(contribution, team_member, sections=["mobilite-velo"])
    strategy_services.edit_section(section, team_member, "Un réseau continu, nourri par les habitants.", 1)
    strategy_services.publish_version(team_member, "Intègre les propositions de la carte.")

    [feature] = api_client.get(URL, {"bbox": PARIS, "zoom": 17}).json()["features"]
    props = feature["properties"]
    assert (props["strategy_status"], props["strategy_version"], props["strategy_sections"]) == (
        "integrated",
        2,
        ["mobilite-velo"],
    )


# --- search, territory --------------------------------------------------------------------------------------------


def test_a_search_with_two_words_finds_the_proposals_holding_both(api_client):
    both = ProposalFactory(title="Vélos partagés", description="Des stations près du métro.")
    ProposalFactory(title="Vélos cargo", description="Pour les livraisons.")
    ProposalFactory(title="Jardins partagés", description="Des bacs au pied des arbres.")
    for pk in Proposal.objects.values_list("pk", flat=True):
        services.refresh_search(pk)
    data = api_client.get(URL, {"bbox": PARIS, "zoom": 18, "q": "velo partages"}).json()
    assert [f["id"] for f in data["features"]] == [both.pk]


def test_an_arrondissement_without_any_vote_for_says_zero(api_client):
    """Proposals opposed, or not voted on: the arrondissement counts 0 votes for, never 1."""
    ProposalFactory(district=district(4), votes_for=0, votes_against=3)
    ProposalFactory(district=district(5))
    rows = {r["number"]: r for r in api_client.get("/api/v1/map/territory/").json()["results"]}
    assert {k: rows[4][k] for k in ("count", "votes", "votes_for", "votes_against", "share_for")} == {
        "count": 1,
        "votes": 3,
        "votes_for": 0,
        "votes_against": 3,
        "share_for": 0.0,
    }
    for number in (5, 7):  # proposals without votes; no proposal at all
        assert (rows[number]["votes"], rows[number]["votes_for"], rows[number]["share_for"]) == (0, 0, None)


def test_my_votes_are_those_of_the_proposals_asked_for(resident):
    """The list page asks for the reader's votes on the proposals of its page: only those come back (the page
    shows no difference, so this is the selector's own contract)."""
    on_page, elsewhere = ProposalFactory(), ProposalFactory()
    VoteFactory(user=resident, proposal=on_page, value="against")
    VoteFactory(user=resident, proposal=elsewhere, value="for")
    assert selectors.my_votes(resident, [on_page.pk]) == {on_page.pk: "against"}


# --- votes and the strategy inbox ---------------------------------------------------------------------------------


def test_a_changed_vote_moves_the_support_the_strategy_team_reads(
    team_member, proposal, django_capture_on_commit_callbacks
):
    """The inbox's support is the number of votes for: a vote changed either way, or withdrawn, moves it."""
    voter = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.cast_vote(voter, proposal.pk, "for")
    assert _inbox_support(team_member, proposal) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.cast_vote(voter, proposal.pk, "against")
    assert _inbox_support(team_member, proposal) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.cast_vote(voter, proposal.pk, "for")
    assert _inbox_support(team_member, proposal) == 1
    with django_capture_on_commit_callbacks(execute=True):  # a vote "for" withdrawn takes its support back too
        assert services.withdraw_vote(voter, proposal.pk) == {"votes_for": 0, "votes_against": 0, "my_vote": None}
    assert _inbox_support(team_member, proposal) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.cast_vote(voter, proposal.pk, "for")
    assert _inbox_support(team_member, proposal) == 1


def test_a_merge_gives_the_kept_proposal_its_new_support_in_the_inbox(team_member, django_capture_on_commit_callbacks):
    kept, duplicate = ProposalFactory(), ProposalFactory(geometry=MONTMARTRE.clone())
    with django_capture_on_commit_callbacks(execute=True):
        services.cast_vote(UserFactory(), kept.pk, "for")
        for _ in range(2):
            services.cast_vote(UserFactory(), duplicate.pk, "for")
    assert _inbox_support(team_member, kept) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.merge_proposals(team_member, duplicate, kept, "Même demande")
    assert _inbox_support(team_member, kept) == 3


# --- the team's status, in French ---------------------------------------------------------------------------------


def test_an_unknown_status_is_refused_in_french(team_member, proposal):
    response = client_for(team_member).post(f"{URL}{proposal.pk}/status/", {"status": "abandonnee"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"status": ["Statut inconnu «\u00a0abandonnee\u00a0»."]}
    proposal.refresh_from_db()
    assert proposal.status == "published"


def test_the_history_keeps_the_reason_of_each_status(team_member, proposal):
    """The page's history says why at each step, even once a later status replaced the reason of the first."""
    services.change_status(team_member, proposal, "under_study", "Étude technique en cours")
    services.change_status(team_member, proposal, "retained", "Inscrit au budget 2027")
    html = Client().get(proposal.get_absolute_url()).content.decode()
    history = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert "Étude technique en cours" in history
    assert "Inscrit au budget 2027" in history


# --- a resident's proposal ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("geometry", "sentence"),
    [
        (None, "Placez la proposition sur la carte."),
        (
            {"type": "Point", "coordinates": [2.1204, 48.8049]},  # Versailles
            "Ce lieu est en dehors de Paris. Choisissez un lieu dans les limites de la ville.",
        ),
    ],
    ids=["no-geometry", "outside-paris"],
)
def test_a_proposal_without_a_usable_place_is_refused_on_geometry_in_french(auth_client, geometry, sentence):
    body = {"title": "Un banc", "description": "Pour se reposer.", "theme": "mobilite", "geometry": geometry}
    response = auth_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"geometry": [sentence]}


def test_a_proposal_left_off_the_map_is_refused_on_geometry_in_french(resident):
    """The service itself (pages and API alike reach it) names the geometry field and says what to do."""
    with pytest.raises(ValidationError) as error:
        services.create_proposal(
            resident, title="Un banc", description="Pour se reposer.", theme="mobilite", geometry=None
        )
    assert error.value.message_dict == {"geometry": ["Placez la proposition sur la carte."]}
    assert not Proposal.objects.exists()


def test_the_author_cannot_edit_a_withdrawn_proposal_and_is_told_why_in_french(resident):
    mine = ProposalFactory(author=resident)
    services.withdraw_proposal(resident, mine, "La mairie l'a déjà programmé.")
    response = client_for(resident).patch(f"{URL}{mine.pk}/", {"title": "Nouveau titre"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Cette proposition a été retirée\u00a0: elle ne peut plus être modifiée."
