import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditLog, Notification
from mapvotes import services
from mapvotes.models import Comment, Proposal, TimelineEvent, Vote
from tests.factories import UserFactory

from .factories import CommentFactory, ProposalFactory, VoteFactory

pytestmark = pytest.mark.django_db


def test_status_change_is_on_timeline_and_notifies_author_and_voters(
    team_member, proposal, django_capture_on_commit_callbacks
):
    voter = UserFactory(preferred_language="en")
    VoteFactory(user=voter, proposal=proposal)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(team_member, proposal, "not_retained", "Trop coûteux pour 2026")
    proposal.refresh_from_db()
    assert proposal.status == "not_retained" and proposal.status_reason == "Trop coûteux pour 2026"
    event = proposal.timeline.get(kind=TimelineEvent.Kind.STATUS)
    assert event.status == "not_retained" and event.actor_label == team_member.public_name
    assert Notification.objects.filter(recipient=proposal.author, kind="mapvotes.status").exists()
    voter_note = Notification.objects.get(recipient=voter)
    assert "Not retained" in voter_note.title  # rendered in the voter's language
    assert {m.to[0] for m in mail.outbox} == {proposal.author.email, voter.email}
    assert AuditLog.objects.filter(action="mapvotes.status").exists()


def test_not_retained_needs_a_public_reason(team_member, proposal):
    with pytest.raises(ValidationError):
        services.change_status(team_member, proposal, "not_retained", "")
    proposal.refresh_from_db()
    assert proposal.status == "published"


def test_only_team_changes_status(resident, proposal):
    with pytest.raises(PermissionDenied):
        services.change_status(resident, proposal, "retained")


def test_merge_moves_votes_without_counting_anyone_twice(team_member):
    kept, duplicate = ProposalFactory(), ProposalFactory()
    both = UserFactory()
    VoteFactory(user=both, proposal=kept, value="for")
    VoteFactory(user=both, proposal=duplicate, value="against")
    only_dup = VoteFactory(proposal=duplicate, value="for").user
    VoteFactory(proposal=kept, value="against")
    CommentFactory(proposal=duplicate)
    for p in (kept, duplicate):
        services.recount(p.pk)

    services.merge_proposals(team_member, duplicate, kept, "Même demande")

    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert Vote.objects.filter(proposal=kept).count() == 3
    assert Vote.objects.get(proposal=kept, user=both).value == "for"  # their vote on the kept one wins
    assert Vote.objects.filter(proposal=kept, user=only_dup).exists()
    assert (kept.votes_for, kept.votes_against, kept.comments_count) == (2, 1, 1)
    assert (duplicate.votes_for, duplicate.votes_against, duplicate.comments_count) == (0, 0, 0)
    assert duplicate.merged_into == kept
    assert duplicate.timeline.filter(kind="merged_into", other=kept).exists()
    assert kept.timeline.filter(kind="merged_from", other=duplicate).exists()
    assert Notification.objects.filter(recipient=duplicate.author, kind="mapvotes.merged").exists()


def test_merge_refuses_itself_and_twice(team_member):
    a, b, c = ProposalFactory(), ProposalFactory(), ProposalFactory()
    with pytest.raises(ValidationError):
        services.merge_proposals(team_member, a, a)
    services.merge_proposals(team_member, a, b)
    with pytest.raises(ValidationError):
        services.merge_proposals(team_member, a, c)
    with pytest.raises(ValidationError):
        services.merge_proposals(team_member, c, a)


def test_cannot_vote_on_merged_proposal(team_member, resident):
    a, b = ProposalFactory(), ProposalFactory()
    services.merge_proposals(team_member, a, b)
    with pytest.raises(ValidationError):
        services.cast_vote(resident, a.pk, "for")


def test_hide_and_restore_proposal_audited_on_timeline_and_author_told(team_member, proposal):
    services.set_hidden(team_member, proposal, True, "Propos injurieux")
    proposal.refresh_from_db()
    assert proposal.is_hidden and proposal.hidden_reason == "Propos injurieux"
    services.set_hidden(team_member, proposal, False, "Erreur de modération")
    proposal.refresh_from_db()
    assert not proposal.is_hidden
    assert list(proposal.timeline.values_list("kind", flat=True)) == ["hidden", "restored"]
    assert list(AuditLog.objects.order_by("pk").values_list("action", "reason")) == [
        ("hide", "Propos injurieux"),
        ("restore", "Erreur de modération"),
    ]
    assert Notification.objects.filter(recipient=proposal.author, kind="mapvotes.moderation").count() == 2


def test_hiding_needs_reason_and_team(team_member, resident, proposal):
    with pytest.raises(ValidationError):
        services.set_hidden(team_member, proposal, True, "")
    with pytest.raises(PermissionDenied):
        services.set_hidden(resident, proposal, True, "x")
    proposal.refresh_from_db()
    assert not proposal.is_hidden


def test_hidden_comment_leaves_the_count(team_member, proposal, resident):
    comment = services.add_comment(resident, proposal.pk, "Hors sujet")
    services.set_hidden(team_member, comment, True, "Hors sujet")
    proposal.refresh_from_db()
    assert proposal.comments_count == 0
    services.set_hidden(team_member, Comment.objects.get(), False, "")
    proposal.refresh_from_db()
    assert proposal.comments_count == 1


def test_account_erasure_removes_votes_and_fixes_counts_keeps_proposals(resident, proposal):
    from core import gdpr

    mine = ProposalFactory(author=resident)
    services.cast_vote(resident, proposal.pk, "for")
    data = gdpr.export(resident)["map"]
    assert data["votes"][0]["value"] == "for" and data["proposals"][0]["id"] == mine.pk
    gdpr.erase(resident)
    resident.delete()
    proposal.refresh_from_db()
    assert proposal.votes_for == 0
    mine.refresh_from_db()
    assert mine.author is None


def test_contribution_registered_for_strategy(proposal):
    from core.contributions import get_source

    source = get_source("map")
    data = source.describe(proposal)
    assert data.source == "map" and data.district == 4 and data.theme == "mobilite" and data.public


def test_proposal_created_is_broadcast_on_commit(resident, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("mapvotes.broadcast.publish", lambda group, message: sent.append((group, message)))
    from django.contrib.gis.geos import Point

    with django_capture_on_commit_callbacks(execute=True):
        p = services.create_proposal(
            resident, title="Banc", description="Un banc", theme="mobilite", geometry=Point(2.35, 48.86)
        )
    assert sent[0][0] == "map"
    assert sent[0][1]["type"] == "proposal.created" and sent[0][1]["feature"]["id"] == p.pk
    assert Proposal.objects.get().district_id


def test_a_vote_is_one_round_trip_to_the_database(resident, proposal, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert services.cast_vote(resident, proposal.pk, "for") == {
            "votes_for": 1,
            "votes_against": 0,
            "my_vote": "for",
        }
    with django_assert_num_queries(1):
        assert services.cast_vote(resident, proposal.pk, "against")["votes_against"] == 1
    with django_assert_num_queries(1):
        assert services.withdraw_vote(resident, proposal.pk) == {"votes_for": 0, "votes_against": 0, "my_vote": None}


def test_vote_on_a_proposal_that_does_not_exist_is_refused_and_nothing_saved(resident):
    with pytest.raises(ValidationError):
        services.cast_vote(resident, 999_999, "for")
    assert not Vote.objects.exists()
