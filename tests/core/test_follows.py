"""Follow a proposal, an idea, a mission or a strategy section; followers are told of status changes, answers and
new versions, within their notification settings."""

import pytest
from django.test import Client

from core import follows
from core.models import Follow, Notification, NotificationSetting
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.mapvotes.factories import ProposalFactory
from tests.volunteering.factories import MissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def follower():
    return UserFactory(email="curieuse@example.org", display_name="Nina Curieuse", preferred_language="fr")


def test_follow_and_unfollow_through_the_api(follower):
    proposal = ProposalFactory()
    api = client_for(follower)
    url = f"/api/v1/follows/proposal/{proposal.pk}/"
    assert api.get(url).json() == {"following": False}
    assert api.put(url).json() == {"following": True}
    assert api.put(url).json() == {"following": True}  # twice is once
    assert Follow.objects.filter(user=follower).count() == 1
    assert api.delete(url).json() == {"following": False}
    assert not Follow.objects.exists()


def test_follow_api_refuses_anonymous_unknown_and_hidden_targets(follower):
    proposal = ProposalFactory(is_hidden=True)
    anonymous = Client().put(f"/api/v1/follows/proposal/{proposal.pk}/")
    assert anonymous.status_code in (401, 403) and "detail" in anonymous.json()
    api = client_for(follower)
    for url in (f"/api/v1/follows/proposal/{proposal.pk}/", "/api/v1/follows/account/1/", "/api/v1/follows/idea/0/"):
        response = api.put(url)
        assert response.status_code == 404 and response.json()["detail"]
    assert not Follow.objects.exists()


def test_follow_button_on_the_page_works_without_javascript(follower):
    proposal = ProposalFactory()
    browser = Client()
    browser.force_login(follower)
    page = browser.get(f"/carte/propositions/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200 and "Suivre" in page.content.decode()
    response = browser.post(f"/suivre/proposal/{proposal.pk}/", {"action": "follow"})
    assert response.status_code == 302 and follows.is_following(follower, proposal)
    assert "Ne plus suivre" in browser.get(f"/carte/propositions/{proposal.pk}/").content.decode()
    browser.post(f"/suivre/proposal/{proposal.pk}/", {"action": "unfollow"})
    assert not follows.is_following(follower, proposal)


def test_proposal_followers_hear_of_status_changes_and_comments(follower, team_member, resident):
    from mapvotes import services

    proposal = ProposalFactory(title="Des bancs place Léon-Blum")
    follows.follow(follower, proposal)
    services.change_status(team_member, proposal, "retained", "Budget voté.")
    notification = Notification.objects.get(recipient=follower, kind="follow.status")
    assert (
        notification.title == "«\u00a0Des bancs place Léon-Blum\u00a0», que vous suivez, est maintenant\u00a0: Retenue"
    )
    services.add_comment(resident, proposal.pk, "Et des arbres ?")
    assert Notification.objects.filter(recipient=follower, kind="follow.comment").exists()
    assert not Notification.objects.filter(recipient=resident, kind="follow.comment").exists()


def test_a_failing_followers_query_never_fails_the_comment_or_the_status_change(
    follower, team_member, resident, monkeypatch, caplog
):
    """The followers' query runs inside the action's transaction: a database error there is rolled back to its own
    savepoint and logged; the comment and the status change are saved, and nobody is told twice."""
    from django.db import DatabaseError

    from mapvotes import services
    from mapvotes.models import Comment

    proposal = ProposalFactory(title="Des bancs place Léon-Blum")
    follows.follow(follower, proposal)

    def broken(obj):
        raise DatabaseError("the followers' query fails")

    monkeypatch.setattr(follows, "followers", broken)
    comment = services.add_comment(resident, proposal.pk, "Et des arbres ?")
    services.change_status(team_member, proposal, "retained", "Budget voté.")
    assert Comment.objects.filter(pk=comment.pk, body="Et des arbres ?").exists()
    proposal.refresh_from_db()
    assert proposal.status == "retained"
    assert not Notification.objects.filter(recipient=follower, kind__startswith="follow.").exists()
    assert "Side effect failed: telling the followers of mapvotes.Proposal" in caplog.text


def test_mission_followers_hear_of_status_changes_within_their_settings(follower):
    from volunteering import services

    org = OrganizationFactory()
    member = MembershipFactory(organization=org, user=UserFactory()).user
    mission = MissionFactory(organization=org, title="Collecte solidaire")
    follows.follow(follower, mission)
    NotificationSetting.objects.create(user=follower, category="followed", channel="none")
    services.unpublish_mission(member, mission)
    assert not Notification.objects.filter(recipient=follower).exists()
    NotificationSetting.objects.filter(user=follower).update(channel="in_app")
    mission.refresh_from_db()
    services.publish_mission(member, mission)
    assert "Collecte solidaire" in Notification.objects.get(recipient=follower, kind="follow.status").title


def test_idea_followers_hear_of_comments_and_news(follower, resident):
    from ideas import services
    from tests.ideas.factories import make_idea

    holder = UserFactory()
    idea = make_idea(holder, title="Toits solaires")
    follows.follow(follower, idea)
    services.add_comment(resident, idea, "Bravo !")
    services.post_news(holder, idea, "Premier toit posé", "Le premier toit est équipé.")
    kinds = set(Notification.objects.filter(recipient=follower).values_list("kind", flat=True))
    assert kinds == {"follow.comment", "follow.news"}


def test_section_followers_hear_of_a_new_version_that_changes_it(follower, team_member):
    from strategy import services
    from tests.strategy.factories import ChapterFactory, SectionFactory

    chapter = ChapterFactory(title="Mobilité")
    changed = SectionFactory(chapter=chapter, slug="velo", title="Vélo")
    same = SectionFactory(chapter=chapter, slug="bus", title="Bus")
    services.publish_version(team_member, "Première version.")
    for section in (changed, same):
        follows.follow(follower, section)
    services.edit_section(changed, team_member, "Un réseau express vélo.", changed.revision)
    services.publish_version(team_member, "Le réseau express vélo.")
    titles = list(
        Notification.objects.filter(recipient=follower, kind="follow.version").values_list("title", flat=True)
    )
    assert titles == ["«\u00a0Vélo\u00a0» change dans la version 2 de la stratégie"]
