"""What the map's notifications say, word for word: the author and the voters of a proposal whose status changes,
the author of a commented or merged proposal (issue 19: survivors of the second mutation sample of mapvotes)."""

import pytest
from django.core.exceptions import ValidationError

from core.models import Notification
from mapvotes import services
from tests.factories import UserFactory

from .factories import ProposalFactory, VoteFactory

pytestmark = pytest.mark.django_db
NB = "\u00a0"


def test_a_status_change_tells_the_author_and_the_voters_with_the_status_and_the_reason(
    team_member, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory(title="Des bancs place Léon-Blum")
    voter = UserFactory(preferred_language="fr")
    VoteFactory(user=voter, proposal=proposal)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(team_member, proposal, "retained", "Budget voté en conseil.")
    author_note = Notification.objects.get(recipient=proposal.author, kind="mapvotes.status")
    assert author_note.title == f"«{NB}Des bancs place Léon-Blum{NB}» est désormais{NB}: Retenue"
    assert author_note.body == "Budget voté en conseil."
    voter_note = Notification.objects.get(recipient=voter, kind="mapvotes.status")
    assert voter_note.title == (
        f"«{NB}Des bancs place Léon-Blum{NB}», pour laquelle vous avez voté, est désormais{NB}: Retenue"
    )
    assert voter_note.body == "Budget voté en conseil."


def test_a_comment_tells_the_followers_on_which_proposal(resident):
    from core import follows

    proposal = ProposalFactory(title="Des arbres rue de Rivoli")
    follower = UserFactory(preferred_language="fr")
    follows.follow(follower, proposal)
    services.add_comment(resident, proposal.pk, "Bonne idée, et des bancs ?")
    note = Notification.objects.get(recipient=follower, kind="follow.comment")
    assert note.title == f"Nouveau commentaire sur «{NB}Des arbres rue de Rivoli{NB}»"
    assert note.body == "Bonne idée, et des bancs ?"


def test_a_merge_tells_the_duplicates_author_both_titles_and_the_reason(team_member):
    kept = ProposalFactory(title="Des arbres rue de Rivoli")
    duplicate = ProposalFactory(title="Planter rue de Rivoli")
    services.merge_proposals(team_member, duplicate, kept, "Même lieu, même idée.")
    note = Notification.objects.get(recipient=duplicate.author, kind="mapvotes.merged")
    assert note.title == (
        f"Votre proposition «{NB}Planter rue de Rivoli{NB}» a été fusionnée dans «{NB}Des arbres rue de Rivoli{NB}»"
    )
    assert note.body == "Même lieu, même idée."


def test_a_proposal_is_not_merged_into_itself(team_member):
    proposal = ProposalFactory()
    with pytest.raises(ValidationError) as refused:
        services.merge_proposals(team_member, proposal, proposal)
    assert refused.value.message_dict == {"into": ["Une proposition ne peut pas être fusionnée dans elle-même."]}


def test_the_history_says_who_proposed(resident):
    from django.contrib.gis.geos import Point

    proposal = services.create_proposal(
        resident, title="Un banc", description="Pour s'asseoir", theme="mobilite", geometry=Point(2.35, 48.86)
    )
    assert proposal.timeline.get(kind="created").actor == resident
