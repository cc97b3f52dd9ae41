"""The map's filters as a client sends them (each value at its boundary, each refusal in French on its field, the
orders), the duplicate warning's rows, comments and replies refused on their field, what a merge moves and records,
and the operator's log when the voters cannot be told (survivors of the fourth mutation sample of mapvotes)."""

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.utils import timezone

from core import follows
from core.models import AuditLog, Notification
from mapvotes import selectors, services
from mapvotes.models import Comment, Proposal, TimelineEvent, Vote
from tests.conftest import client_for
from tests.factories import HOTEL_DE_VILLE, MONTMARTRE, UserFactory, district

from .factories import CommentFactory, ProposalFactory, VoteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/map/proposals/"
PARIS = "2.22,48.81,2.47,48.91"
NB = "\u00a0"
ARRONDISSEMENT = "L'arrondissement est un nombre de 1 à 20."
MISSING_PARENT = "Ce commentaire n'existe pas sur cette proposition."


def _ids(api_client, **params):
    """The ids of the street-level features of Paris, in the order the API gives them."""
    response = api_client.get(URL, {"bbox": PARIS, "zoom": 18, **params})
    assert response.status_code == 200, response.content
    return [f["id"] for f in response.json()["features"]]


def _searchable(**fields):
    proposal = ProposalFactory(**fields)
    services.refresh_search(proposal.pk)
    return proposal


# --- the filters: what is refused, in French, on which field --------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"district": "quatre"}, {"district": [ARRONDISSEMENT]}),
        ({"district": "4.5"}, {"district": [ARRONDISSEMENT]}),
        ({"district": "0"}, {"district": [ARRONDISSEMENT]}),
        ({"district": "21"}, {"district": [ARRONDISSEMENT]}),
        ({"status": "abandonnee"}, {"status": [f"Statut inconnu «{NB}abandonnee{NB}»."]}),
        ({"period": "14d"}, {"period": ["La période vaut 7d, 30d, 90d ou 365d."]}),
        ({"sort": "random"}, {"sort": ["Triez par votes, recent ou debated."]}),
    ],
    ids=["district-words", "district-decimal", "district-0", "district-21", "status", "period", "sort"],
)
def test_a_bad_filter_is_refused_on_its_own_field_in_french(api_client, params, errors):
    for url in (URL, "/api/v1/map/territory/"):
        response = api_client.get(url, {"bbox": PARIS, "zoom": 18, **params})
        assert response.status_code == 400
        assert response.json() == {"detail": "Certaines données sont invalides.", "errors": errors}


def test_the_list_page_explains_a_bad_filter_and_shows_everything():
    from django.test import Client

    ProposalFactory(title="Des bancs place Baudoyer")
    html = Client().get("/carte/liste/", {"district": "vingt"}).content.decode()
    assert ARRONDISSEMENT.replace("'", "&#x27;") in html
    assert "Des bancs place Baudoyer" in html


def test_the_filters_are_read_as_sent_and_blank_ones_are_ignored():
    query = QueryDict("theme=mobilite,,energie&district=20&status=retained&period=365d&q=%20%20velo%20%20&sort=debated")
    assert selectors.parse_filters(query) == selectors.Filters(
        theme=["mobilite", "energie"], district=20, status="retained", period="365d", q="velo", sort="debated"
    )
    assert selectors.parse_filters(QueryDict("theme=&theme=energie&theme=mobilite&district=1")) == selectors.Filters(
        theme=["energie", "mobilite"], district=1, status=None, period=None, q="", sort="votes"
    )
    blank = QueryDict("theme=&district=&status=&period=&q=%20&sort=")
    assert selectors.parse_filters(blank) == selectors.Filters(
        theme=[], district=None, status=None, period=None, q="", sort="votes"
    )
    assert selectors.parse_filters(QueryDict("sort=relevance&period=7d")) == selectors.Filters(
        theme=[], district=None, status=None, period="7d", q="", sort="relevance"
    )
    assert selectors.parse_filters(QueryDict("q=" + "é" * 250)).q == "é" * 200


# --- the filters: what they keep ------------------------------------------------------------------------------------


def test_the_arrondissements_1_and_20_are_filters_like_any_other(api_client):
    first = ProposalFactory(district=district(1))
    last = ProposalFactory(district=district(20))
    ProposalFactory(district=district(4))
    assert _ids(api_client, district="1") == [first.pk]
    assert _ids(api_client, district="20") == [last.pk]


@pytest.mark.parametrize(("period", "days"), [("7d", 7), ("30d", 30), ("90d", 90), ("365d", 365)])
def test_a_period_keeps_what_was_proposed_within_its_days(api_client, period, days):
    inside, outside = ProposalFactory(), ProposalFactory()
    now = timezone.now()
    Proposal.objects.filter(pk=inside.pk).update(created_at=now - dt.timedelta(days=days, hours=-1))
    Proposal.objects.filter(pk=outside.pk).update(created_at=now - dt.timedelta(days=days, hours=1))
    assert _ids(api_client, period=period) == [inside.pk]


def test_the_map_sorts_by_votes_recent_debated_or_relevance(api_client):
    """Street level lists the proposals in the order asked for; relevance puts the title's words first."""
    now = timezone.now()
    in_title = _searchable(title="Une fontaine à boire", description="Place Baudoyer.", votes_for=1, comments_count=5)
    in_text = _searchable(title="Des bancs", description="Près de la fontaine.", votes_for=9, comments_count=0)
    other = _searchable(title="Des arbres", description="Rue de Rivoli.", votes_for=4, comments_count=5)
    for age, proposal in enumerate((other, in_text, in_title)):  # the most recent first: other, in_text, in_title
        Proposal.objects.filter(pk=proposal.pk).update(created_at=now - dt.timedelta(days=age + 1))

    assert _ids(api_client) == [in_text.pk, other.pk, in_title.pk]
    assert _ids(api_client, sort="votes") == [in_text.pk, other.pk, in_title.pk]
    assert _ids(api_client, sort="recent") == [other.pk, in_text.pk, in_title.pk]
    assert _ids(api_client, sort="debated") == [other.pk, in_title.pk, in_text.pk]  # 5 comments each: newest first
    assert _ids(api_client, sort="relevance", q="fontaine") == [in_title.pk, in_text.pk]
    assert _ids(api_client, sort="votes", q="fontaine") == [in_text.pk, in_title.pk]
    assert _ids(api_client, sort="relevance") == [in_text.pk, other.pk, in_title.pk]  # without words: by votes


# --- the duplicate warning ------------------------------------------------------------------------------------------


def test_the_duplicate_warning_lists_the_closest_titles_first_five_at_most(team_member):
    here = HOTEL_DE_VILLE.clone()
    same = ProposalFactory(title="Piste cyclable rue de Rivoli", votes_for=3, votes_against=1)
    close = ProposalFactory(title="Piste cyclable rue de Rivoli et quai", votes_for=2)
    for n in range(4):
        ProposalFactory(title=f"Piste cyclable rue de Rivoli et quai de Gesvres {n}")
    ProposalFactory(title="Des bancs place Baudoyer")  # not alike
    far = ProposalFactory(title="Piste cyclable rue de Rivoli", geometry=MONTMARTRE.clone())
    services.set_hidden(team_member, ProposalFactory(title="Piste cyclable rue de Rivoli"), True, "Hors charte")
    services.merge_proposals(team_member, ProposalFactory(title="Piste cyclable rue de Rivoli"), far)

    rows = selectors.similar_nearby("  Piste cyclable rue de Rivoli  ", here)
    assert len(rows) == 5
    assert [r["id"] for r in rows[:2]] == [same.pk, close.pk]
    assert rows[0] == {
        "id": same.pk,
        "title": "Piste cyclable rue de Rivoli",
        "votes_for": 3,
        "votes_against": 1,
        "similarity": 1.0,
    }
    assert [r["similarity"] for r in rows] == sorted((r["similarity"] for r in rows), reverse=True)
    assert [r["id"] for r in selectors.similar_nearby("Piste cyclable rue de Rivoli", here, exclude=same.pk)][0] == (
        close.pk
    )
    assert selectors.similar_nearby("  ", here) == []
    assert selectors.similar_nearby("Piste cyclable rue de Rivoli", None) == []


# --- comments and replies refused -----------------------------------------------------------------------------------


def test_a_comment_on_a_proposal_that_is_gone_hidden_or_merged_is_refused_on_proposal(resident, team_member):
    gone = ProposalFactory()
    gone_pk = gone.pk
    gone.delete()
    hidden, merged = ProposalFactory(), ProposalFactory()
    services.set_hidden(team_member, hidden, True, "Hors charte")
    services.merge_proposals(team_member, merged, ProposalFactory(geometry=MONTMARTRE.clone()))
    for pk, sentence in (
        (gone_pk, "Cette proposition n'existe pas."),
        (hidden.pk, f"Cette proposition a été masquée par l'équipe{NB}: on ne peut plus voter ni la commenter."),
        (merged.pk, f"Cette proposition a été fusionnée dans une autre{NB}: votez plutôt pour celle-ci."),
    ):
        with pytest.raises(ValidationError) as refused:
            services.add_comment(resident, pk, "Bonne idée.")
        assert refused.value.message_dict == {"proposal": [sentence]}
    assert not Comment.objects.filter(author=resident).exists()
    assert Proposal.objects.filter(pk__in=[hidden.pk, merged.pk], comments_count__gt=0).count() == 0


def test_a_withdrawn_proposal_still_takes_comments(resident):
    proposal = ProposalFactory()
    services.withdraw_proposal(proposal.author, proposal, "Déjà prévu par la mairie.")
    comment = services.add_comment(resident, proposal.pk, "Dommage.")
    proposal.refresh_from_db()
    assert (comment.body, proposal.comments_count) == ("Dommage.", 1)


def test_a_reply_to_a_comment_that_cannot_be_answered_is_refused_on_parent_in_french(resident, team_member):
    proposal = ProposalFactory()
    elsewhere = CommentFactory()
    deleted = services.add_comment(resident, proposal.pk, "Bientôt supprimé.")
    services.delete_comment(resident, deleted)
    hidden = services.add_comment(resident, proposal.pk, "Bientôt masqué.")
    services.set_hidden(team_member, hidden, True, "Hors sujet")
    gone = f"Ce commentaire a été masqué ou supprimé{NB}: on ne peut plus y répondre."
    for parent, sentence in (
        (elsewhere.pk, MISSING_PARENT),
        (999_999_999, MISSING_PARENT),
        ("abc", "Indiquez le numéro du commentaire auquel vous répondez."),
        (deleted.pk, gone),
        (hidden.pk, gone),
    ):
        with pytest.raises(ValidationError) as refused:
            services.add_comment(resident, proposal.pk, "Je réponds.", parent=parent)
        assert refused.value.message_dict == {"parent": [sentence]}, parent
    assert Comment.objects.filter(body="Je réponds.").count() == 0


def test_the_api_refuses_a_reply_to_a_comment_of_another_proposal(resident):
    proposal, elsewhere = ProposalFactory(), CommentFactory()
    response = client_for(resident).post(
        f"{URL}{proposal.pk}/comments/", {"body": "Je réponds.", "parent": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"parent": [MISSING_PARENT]}
    top = client_for(resident).post(f"{URL}{proposal.pk}/comments/", {"body": "Ici.", "parent": ""}, format="json")
    assert (top.status_code, top.json()["parent"]) == (201, None)


# --- a merge --------------------------------------------------------------------------------------------------------


def test_a_merge_moves_votes_and_threads_and_records_why_everywhere(team_member):
    kept = ProposalFactory(title="Des arbres rue de Rivoli")
    duplicate = ProposalFactory(title="Planter rue de Rivoli", geometry=MONTMARTRE.clone())
    both, only_duplicate = UserFactory(), UserFactory()
    VoteFactory(user=both, proposal=kept, value="against")
    VoteFactory(user=both, proposal=duplicate, value="for")
    VoteFactory(user=only_duplicate, proposal=duplicate, value="against")
    top = services.add_comment(both, duplicate.pk, "Oui, et des bancs.")
    reply = services.add_comment(only_duplicate, duplicate.pk, "Et de l'ombre.", parent=top.pk)
    gone = services.add_comment(only_duplicate, duplicate.pk, "Hors sujet.")
    services.set_hidden(team_member, gone, True, "Hors sujet")

    result = services.merge_proposals(team_member, duplicate, kept, "  Même lieu, même idée.  ")

    assert (result.pk, result.votes_for, result.votes_against, result.comments_count) == (kept.pk, 0, 2, 2)
    assert set(Vote.objects.values_list("proposal_id", "user_id", "value")) == {
        (kept.pk, both.pk, "against"),
        (kept.pk, only_duplicate.pk, "against"),
    }
    assert set(Comment.objects.values_list("pk", "proposal_id", "parent_id")) == {
        (top.pk, kept.pk, None),
        (reply.pk, kept.pk, top.pk),
        (gone.pk, kept.pk, None),
    }
    duplicate.refresh_from_db()
    assert (duplicate.merged_into_id, duplicate.votes_for, duplicate.votes_against, duplicate.comments_count) == (
        kept.pk,
        0,
        0,
        0,
    )
    events = TimelineEvent.objects.filter(kind__in=["merged_into", "merged_from"]).order_by("pk")
    assert [(e.proposal_id, e.kind, e.other_id, e.reason, e.actor, e.actor_label) for e in events] == [
        (duplicate.pk, "merged_into", kept.pk, "Même lieu, même idée.", team_member, "Mission ville intelligente"),
        (kept.pk, "merged_from", duplicate.pk, "Même lieu, même idée.", team_member, "Mission ville intelligente"),
    ]
    entry = AuditLog.objects.get(action="mapvotes.merge")
    assert (entry.actor, entry.object_id, entry.target_repr, entry.reason, entry.data) == (
        team_member,
        str(duplicate.pk),
        "Planter rue de Rivoli",
        "Même lieu, même idée.",
        {"into": kept.pk},
    )
    note = Notification.objects.get(kind="mapvotes.merged")
    assert (note.recipient, note.body, note.url) == (
        duplicate.author,
        "Même lieu, même idée.",
        f"/carte/propositions/{kept.pk}/",
    )


def test_a_merge_refused_says_why_in_french_and_moves_nothing(team_member, resident):
    kept, duplicate, third = ProposalFactory(), ProposalFactory(), ProposalFactory()
    VoteFactory(proposal=duplicate)
    with pytest.raises(PermissionDenied) as not_team:
        services.merge_proposals(resident, duplicate, kept, "Doublon")
    assert str(not_team.value) == "Seule l'équipe Participe peut fusionner des propositions."
    with pytest.raises(ValidationError) as too_long:
        services.merge_proposals(team_member, duplicate, kept, "x" * 2001)
    assert too_long.value.message_dict == {
        "reason": ["Ce champ doit comporter au plus 2000 caractères (il en a 2001)."]
    }
    assert Vote.objects.get().proposal_id == duplicate.pk
    assert not AuditLog.objects.filter(action="mapvotes.merge").exists()

    services.merge_proposals(team_member, duplicate, kept)
    with pytest.raises(ValidationError) as again:
        services.merge_proposals(team_member, duplicate, third)
    assert again.value.message_dict == {"proposal": ["Cette proposition a déjà été fusionnée."]}
    with pytest.raises(ValidationError) as into_merged:
        services.merge_proposals(team_member, third, duplicate)
    assert into_merged.value.message_dict == {
        "into": ["La proposition conservée a elle-même été fusionnée dans une autre."]
    }
    assert Proposal.objects.get(pk=third.pk).merged_into_id is None


def test_a_merge_without_reason_of_a_proposal_whose_author_left_tells_nobody(team_member):
    kept, duplicate = ProposalFactory(), ProposalFactory()
    duplicate.author.delete()
    services.merge_proposals(team_member, Proposal.objects.get(pk=duplicate.pk), kept)
    assert not Notification.objects.filter(kind="mapvotes.merged").exists()
    entry = AuditLog.objects.get(action="mapvotes.merge")
    assert (entry.reason, entry.data) == ("", {"into": kept.pk})
    assert Proposal.objects.get(pk=duplicate.pk).merged_into_id == kept.pk


# --- a change of status the voters cannot hear of -------------------------------------------------------------------


def test_when_the_voters_cannot_be_told_the_status_still_changes_and_the_log_says_which_proposal(
    team_member, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory(title="Des bancs place Baudoyer")
    follower, voter = UserFactory(preferred_language="fr"), UserFactory(preferred_language="fr")
    follows.follow(follower, proposal)
    VoteFactory(user=voter, proposal=proposal)

    def queue_down(*args, **kwargs):
        raise ConnectionError("the task queue is down")

    monkeypatch.setattr(services, "notify_voters", SimpleNamespace(enqueue=queue_down))
    with caplog.at_level(logging.ERROR, logger="core.side_effects"), django_capture_on_commit_callbacks(execute=True):
        services.change_status(team_member, proposal, "retained", "Inscrit au budget 2027.")
    proposal.refresh_from_db()
    assert proposal.status == "retained"
    assert set(Notification.objects.values_list("recipient", "kind")) == {
        (proposal.author_id, "mapvotes.status"),
        (follower.pk, "follow.status"),
    }
    assert [r.getMessage() for r in caplog.records if r.name == "core.side_effects"] == [
        f"Side effect failed after commit: telling the voters of proposal {proposal.pk}"
    ]


def test_a_status_change_of_a_proposal_whose_author_left_still_tells_the_voters(
    team_member, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory(title="Des bancs place Baudoyer")
    proposal.author.delete()
    proposal = Proposal.objects.get(pk=proposal.pk)
    voter = UserFactory(preferred_language="fr")
    VoteFactory(user=voter, proposal=proposal)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(team_member, proposal, "under_study", "Étude en cours.")
    assert list(Notification.objects.values_list("recipient", "kind", "body")) == [
        (voter.pk, "mapvotes.status", "Étude en cours.")
    ]
