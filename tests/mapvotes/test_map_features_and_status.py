"""What the map answers, third sample: a viewport feature and a cluster as an API client reads them, the detail of a
proposal, the figures per quartier, the comments of a hidden proposal, the refusals of a vote, and what a change of
status tells the author, the voters and the followers (survivors of the third mutation sample of mapvotes)."""

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError

from core import follows
from core.models import AuditLog, Notification, Quartier
from mapvotes import selectors, services
from mapvotes.models import Proposal, TimelineEvent
from tests.conftest import client_for
from tests.factories import HOTEL_DE_VILLE, MONTMARTRE, UserFactory, district

from .factories import CommentFactory, ProposalFactory, VoteFactory
from .test_pages import logged

pytestmark = pytest.mark.django_db

URL = "/api/v1/map/proposals/"
PARIS = "2.22,48.81,2.47,48.91"
NB = "\u00a0"
MOBILITE_COLOR = "#0b6e99"

HIDDEN = f"Cette proposition a été masquée par l'équipe{NB}: on ne peut plus voter ni la commenter."
MERGED = f"Cette proposition a été fusionnée dans une autre{NB}: votez plutôt pour celle-ci."
WITHDRAWN = f"Cette proposition a été retirée par son auteur{NB}: ses votes sont figés."
MISSING = "Cette proposition n'existe pas."
REFUSALS = {"missing": MISSING, "hidden": HIDDEN, "merged": MERGED, "withdrawn": WITHDRAWN}


# --- the viewport's features ----------------------------------------------------------------------------------------


def test_a_street_level_feature_carries_every_property_of_the_contract(api_client):
    proposal = ProposalFactory(
        title="Des arceaux vélo rue du Renard",
        geometry=HOTEL_DE_VILLE.clone(),
        votes_for=5,
        votes_against=2,
        comments_count=3,
    )
    data = api_client.get(URL, {"bbox": PARIS, "zoom": 17}).json()
    assert data["features"] == [
        {
            "type": "Feature",
            "id": proposal.pk,
            "geometry": {"type": "Point", "coordinates": [2.3522, 48.8566]},
            "properties": {
                "id": proposal.pk,
                "title": "Des arceaux vélo rue du Renard",
                "theme": "mobilite",
                "color": MOBILITE_COLOR,
                "district": 4,
                "status": "published",
                "votes_for": 5,
                "votes_against": 2,
                "comments_count": 3,
                "strategy_status": "new",
            },
        }
    ]
    assert selectors.latest_proposals() == data["features"]  # the home page's small map reads the same feature


@pytest.mark.parametrize("filters", [{}, {"district": 4}], ids=["summary", "live"])
def test_a_cluster_sits_at_the_mean_of_its_points_to_the_sixth_decimal(api_client, filters):
    """The mean of 2.35, 2.3500001 and 2.3500003 is 2.35000013…: the cluster stands at 2.35 (six decimals, as the
    features), whether it is read from the summary or grouped live."""
    for step in (0, 1, 3):
        ProposalFactory(geometry=Point(2.35 + step * 1e-7, 48.86 + step * 1e-7, srid=4326))
    data = api_client.get(URL, {"bbox": PARIS, "zoom": 12, **filters}).json()
    assert data == {
        "type": "FeatureCollection",
        "clustered": True,
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [2.35, 48.86]},
                "properties": {"cluster": True, "count": 3},
            }
        ],
    }


# --- the detail of a proposal ---------------------------------------------------------------------------------------


def _detail(proposal, **changes):
    """Every property of the detail of `proposal` as it was created by the factory, with `changes`."""
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "description": "Sécuriser le passage des vélos devant l'école.",
        "theme": "mobilite",
        "color": MOBILITE_COLOR,
        "district": 4,
        "quartier": "Saint-Merri",
        "status": "published",
        "status_label": "Publiée",
        "status_reason": "",
        "votes_for": 0,
        "votes_against": 0,
        "comments_count": 0,
        "author": "Inès Autrice",
        "photo": None,
        "created_at": proposal.created_at.isoformat(),
        "url": f"/carte/propositions/{proposal.pk}/",
        "is_hidden": False,
        "hidden_reason": "",
        "merged_into": None,
        "strategy_status": "new",
        **changes,
    }


def test_the_detail_of_a_proposal_answers_every_property_and_my_vote(api_client, resident):
    author = UserFactory(display_name="Inès Autrice")
    proposal = ProposalFactory(title="Des bancs place Baudoyer", geometry=HOTEL_DE_VILLE.clone(), author=author)
    VoteFactory(user=resident, proposal=proposal, value="against")
    services.recount(proposal.pk)
    feature = api_client.get(f"{URL}{proposal.pk}/").json()
    assert feature == {
        "type": "Feature",
        "id": proposal.pk,
        "geometry": {"type": "Point", "coordinates": [2.3522, 48.8566]},
        "properties": _detail(proposal, votes_against=1),
    }
    mine = client_for(resident).get(f"{URL}{proposal.pk}/").json()["properties"]
    assert mine == _detail(proposal, votes_against=1, my_vote="against")


def test_the_detail_of_a_proposal_whose_author_left_says_deleted_account(api_client):
    proposal = ProposalFactory(geometry=HOTEL_DE_VILLE.clone(), author=UserFactory(display_name="Inès Autrice"))
    proposal.author.delete()
    props = api_client.get(f"{URL}{proposal.pk}/").json()["properties"]
    assert props == _detail(proposal, author="compte supprimé")


def test_the_detail_of_a_hidden_proposal_keeps_its_words_for_the_team(api_client, team_member):
    proposal = ProposalFactory(geometry=HOTEL_DE_VILLE.clone(), author=UserFactory(display_name="Inès Autrice"))
    services.set_hidden(team_member, proposal, True, "Hors charte")
    hidden = {"is_hidden": True, "hidden_reason": "Hors charte"}
    props = api_client.get(f"{URL}{proposal.pk}/").json()["properties"]
    assert props == _detail(proposal, title="", description="", **hidden)
    team = client_for(team_member).get(f"{URL}{proposal.pk}/").json()["properties"]
    assert team == _detail(proposal, my_vote=None, **hidden)


# --- figures per quartier -------------------------------------------------------------------------------------------


def test_the_figures_per_quartier_name_the_arrondissement_of_each_quartier(api_client):
    ProposalFactory(geometry=HOTEL_DE_VILLE.clone(), votes_for=3, votes_against=1)
    results = api_client.get("/api/v1/map/territory/", {"level": "quartier"}).json()["results"]
    assert len(results) == Quartier.objects.count() == 80
    # Paris numbers its quartiers four by four: 1 to 4 in the 1st arrondissement, …, 77 to 80 in the 20th.
    assert [(r["number"], r["district"]) for r in results] == [(n, (n - 1) // 4 + 1) for n in range(1, 81)]
    saint_merri = next(r for r in results if r["number"] == 13)
    assert saint_merri == {
        "number": 13,
        "name": "Saint-Merri",
        "district": 4,
        "count": 1,
        "votes": 4,
        "votes_for": 3,
        "votes_against": 1,
        "share_for": 0.75,
        "polarisation": 0.5,
        "contested_votes": 1,
    }


def test_the_share_for_and_the_polarisation_are_rounded_to_three_decimals(api_client):
    ProposalFactory(district=district(4), votes_for=2, votes_against=1)
    rows = {r["number"]: r for r in api_client.get("/api/v1/map/territory/").json()["results"]}
    assert {k: rows[4][k] for k in ("district", "votes", "share_for", "polarisation", "contested_votes")} == {
        "district": 4,
        "votes": 3,
        "share_for": 0.667,
        "polarisation": 0.667,
        "contested_votes": 1,
    }


# --- the comments of a hidden proposal ------------------------------------------------------------------------------


def test_the_team_still_reads_the_comments_of_a_hidden_proposal(team_member, resident, proposal):
    top = CommentFactory(proposal=proposal, body="Le trottoir est trop étroit ici.")
    reply = CommentFactory(proposal=proposal, parent=top, body="Et les livraisons bloquent la rue.")
    services.set_hidden(team_member, proposal, True, "Hors charte")

    [thread] = selectors.comment_threads(proposal, team_member)
    assert (thread, thread.thread_replies) == (top, [reply])
    assert selectors.comment_threads(proposal, resident) == []
    assert selectors.comment_threads(proposal) == []

    html = logged(team_member).get(proposal.get_absolute_url()).content.decode()
    comments = html.split('<section id="commentaires"', 1)[1].split("</section>", 1)[0]
    assert "Le trottoir est trop étroit ici." in comments
    replies = comments.split('<ol class="comments replies"', 1)[1]
    assert "Et les livraisons bloquent la rue." in replies
    assert "Aucun commentaire pour le moment." not in comments


# --- votes refused --------------------------------------------------------------------------------------------------


def _state(state, team_member):
    proposal = ProposalFactory()
    if state == "hidden":
        services.set_hidden(team_member, proposal, True, "Hors charte")
    elif state == "merged":
        services.merge_proposals(team_member, proposal, ProposalFactory(geometry=MONTMARTRE.clone()))
    elif state == "withdrawn":
        services.withdraw_proposal(proposal.author, proposal, "Déjà prévu par la mairie.")
    elif state == "missing":
        pk = proposal.pk
        proposal.delete()
        proposal.pk = pk
    return proposal


@pytest.mark.parametrize("state", ["missing", "hidden", "merged", "withdrawn"])
def test_a_vote_on_a_proposal_closed_to_votes_is_refused_on_proposal_in_french(resident, team_member, state):
    proposal, sentence = _state(state, team_member), REFUSALS[state]
    with pytest.raises(ValidationError) as cast:
        services.cast_vote(resident, proposal.pk, "for")
    assert cast.value.message_dict == {"proposal": [sentence]}
    with pytest.raises(ValidationError) as withdrawn:
        services.withdraw_vote(resident, proposal.pk)
    assert withdrawn.value.message_dict == {"proposal": [sentence]}


@pytest.mark.parametrize("state", ["hidden", "merged", "withdrawn"])
def test_the_api_refuses_a_vote_on_a_closed_proposal_with_a_400_on_proposal(resident, team_member, state):
    proposal, sentence = _state(state, team_member), REFUSALS[state]
    client = client_for(resident)
    for response in (
        client.put(f"{URL}{proposal.pk}/vote/", {"value": "for"}, format="json"),
        client.delete(f"{URL}{proposal.pk}/vote/"),
    ):
        assert response.status_code == 400
        assert response.json()["errors"] == {"proposal": [sentence]}


# --- a change of status ---------------------------------------------------------------------------------------------


def test_a_change_of_status_tells_each_one_once_in_french(team_member, django_capture_on_commit_callbacks):
    author = UserFactory(display_name="Inès Autrice", preferred_language="fr")
    proposal = ProposalFactory(title="Des bancs place Baudoyer", author=author)
    follower = UserFactory(preferred_language="fr")
    voter = UserFactory(preferred_language="fr")
    VoteFactory(user=voter, proposal=proposal)
    for user in (author, follower, voter):
        follows.follow(user, proposal)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(team_member, proposal, "under_study", "Étude technique en cours.")
    url = f"/carte/propositions/{proposal.pk}/"
    title = f"«{NB}Des bancs place Baudoyer{NB}»"
    notes = {(n.recipient, n.kind, n.title, n.body, n.url) for n in Notification.objects.all()}
    assert notes == {
        (author, "mapvotes.status", f"{title} est désormais{NB}: À l'étude", "Étude technique en cours.", url),
        (
            follower,
            "follow.status",
            f"{title}, que vous suivez, est maintenant{NB}: À l'étude",
            "Étude technique en cours.",
            url,
        ),
        (
            voter,
            "mapvotes.status",
            f"{title}, pour laquelle vous avez voté, est désormais{NB}: À l'étude",
            "Étude technique en cours.",
            url,
        ),
    }


def test_a_change_of_status_is_saved_in_the_history_and_the_audit_log(team_member):
    proposal = ProposalFactory(title="Des bancs place Baudoyer")
    services.change_status(team_member, proposal, "retained", "Inscrit au budget 2027.")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_reason) == ("retained", "Inscrit au budget 2027.")
    event = proposal.timeline.get(kind=TimelineEvent.Kind.STATUS)
    assert (event.status, event.reason, event.actor, event.actor_label) == (
        "retained",
        "Inscrit au budget 2027.",
        team_member,
        "Mission ville intelligente",
    )
    entry = AuditLog.objects.get(action="mapvotes.status")
    assert (entry.actor, entry.object_id, entry.target_repr, entry.reason, entry.data) == (
        team_member,
        str(proposal.pk),
        "Des bancs place Baudoyer",
        "Inscrit au budget 2027.",
        {"status": "retained"},
    )


def test_the_same_status_and_reason_again_changes_nothing_and_tells_nobody(
    team_member, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(team_member, proposal, "retained", "Inscrit au budget 2027.")
        services.change_status(team_member, proposal, "retained", "Inscrit au budget 2027.")
    assert proposal.timeline.filter(kind=TimelineEvent.Kind.STATUS).count() == 1
    assert AuditLog.objects.filter(action="mapvotes.status").count() == 1
    assert Notification.objects.filter(recipient=proposal.author).count() == 1


def test_only_the_team_changes_a_status_and_is_told_why_in_french(resident):
    proposal = ProposalFactory(author=resident)
    with pytest.raises(PermissionDenied) as refused:
        services.change_status(resident, proposal, "retained", "Je le décide.")
    assert str(refused.value) == "Seule l'équipe Participe peut changer le statut d'une proposition."
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED
    assert not AuditLog.objects.exists() and not Notification.objects.exists()


def test_a_withdrawal_is_in_the_history_with_its_reason_and_author(resident):
    proposal = ProposalFactory(author=resident)
    services.withdraw_proposal(resident, proposal, "  Déjà prévu par la mairie.  ")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_reason) == ("withdrawn", "Déjà prévu par la mairie.")
    event = proposal.timeline.get(kind=TimelineEvent.Kind.WITHDRAWN)
    assert (event.status, event.reason, event.actor, event.actor_label) == (
        "withdrawn",
        "Déjà prévu par la mairie.",
        resident,
        "Camille Habitante",
    )


def test_a_status_reason_is_required_for_not_retained_only_and_holds_2000_characters(team_member):
    proposal = ProposalFactory()
    with pytest.raises(ValidationError) as missing:
        services.change_status(team_member, proposal, "not_retained", "  ")
    assert missing.value.message_dict == {"reason": ["Ce champ est obligatoire."]}
    with pytest.raises(ValidationError) as too_long:
        services.change_status(team_member, proposal, "retained", "x" * 2001)
    assert too_long.value.message_dict == {
        "reason": ["Ce champ doit comporter au plus 2000 caractères (il en a 2001)."]
    }
    services.change_status(team_member, proposal, "under_study")
    services.change_status(team_member, proposal, "not_retained", "x" * 2000)
    proposal.refresh_from_db()
    assert (proposal.status, len(proposal.status_reason)) == ("not_retained", 2000)


def test_a_withdrawal_reason_holds_2000_characters(resident):
    proposal = ProposalFactory(author=resident)
    with pytest.raises(ValidationError) as too_long:
        services.withdraw_proposal(resident, proposal, "x" * 2001)
    assert too_long.value.message_dict == {
        "reason": ["Ce champ doit comporter au plus 2000 caractères (il en a 2001)."]
    }
    services.withdraw_proposal(resident, proposal, "x" * 2000)
    proposal.refresh_from_db()
    assert (proposal.status, len(proposal.status_reason)) == ("withdrawn", 2000)
