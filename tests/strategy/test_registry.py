"""The contribution registry seen from strategy: real signals, real database, bulk sync, live inbox messages."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.core.management import call_command

from accounts.models import Organization
from core import contributions as registry
from core.models import Notification
from strategy import contributions as strategy_contributions
from strategy import services
from strategy.models import Contribution
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, district
from tests.polling import received


def describe_organization(org):
    """A stand-in source built on a real model (ideas are built in parallel): organisations as "idea"s."""
    return registry.ContributionData(
        source="idea",
        source_id=org.pk,
        title=org.name,
        text=org.description,
        url=f"/organisations/{org.pk}/",
        created_at=org.created_at,
        theme="energie",
        district=org.district.number if org.district_id else None,
        support=org.memberships.count(),
        author_id=org.memberships.values_list("user_id", flat=True).first(),
        public=org.verified,
    )


@pytest.fixture
def idea_source(db):
    previous = registry.get_source("idea")
    source = registry.Source(
        key="idea",
        label="Idées",
        model=Organization,
        describe=describe_organization,
        queryset=lambda: Organization.objects.select_related("district"),
        followers=lambda org: [m.user for m in org.memberships.select_related("user")],
    )
    registry.register(source)
    strategy_contributions.connect_sources()
    yield source
    strategy_contributions.disconnect_source(source)
    if previous is not None:
        registry.register(previous)
        strategy_contributions.connect_sources()
    else:
        registry._sources.pop("idea", None)


def test_saving_a_source_object_creates_then_updates_its_inbox_row(idea_source):
    org = OrganizationFactory(name="Coop'Énergie Est Parisien", description="Solaire citoyen", district=district(20))
    c = Contribution.objects.get(source="idea", source_id=org.pk)
    assert (c.title, c.theme.slug, c.district.number, c.status) == ("Coop'Énergie Est Parisien", "energie", 20, "new")
    c.status = "reviewing"
    c.save()
    org.description = "Panneaux solaires sur les gymnases"
    org.save()
    c.refresh_from_db()
    assert c.text == "Panneaux solaires sur les gymnases"
    assert c.status == "reviewing"  # triage is never overwritten by a sync


def test_public_false_hides_and_delete_removes(idea_source):
    org = OrganizationFactory()
    org.verified = False
    org.save()
    assert not Contribution.objects.get(source="idea", source_id=org.pk).is_public
    pk = org.pk
    org.delete()
    assert not Contribution.objects.filter(source="idea", source_id=pk).exists()


def test_a_non_public_object_never_enters_the_inbox(idea_source):
    org = OrganizationFactory(verified=False)
    assert not Contribution.objects.filter(source="idea", source_id=org.pk).exists()


def test_sync_command_rebuilds_the_inbox_in_bulk_and_keeps_triage(idea_source, django_assert_max_num_queries):
    orgs = [OrganizationFactory() for _ in range(5)]
    Contribution.objects.filter(source="idea", source_id=orgs[0].pk).update(status="retained")
    Contribution.objects.filter(source="idea", source_id=orgs[1].pk).delete()  # missed signal
    Contribution.objects.create(source="idea", source_id=999999, title="Fantôme")  # source object gone
    # The stand-in describe() costs 2 queries per object; the inbox side itself is a constant few bulk queries.
    with django_assert_max_num_queries(10 + 2 * len(orgs)):  # +1: removing a row clears its workshop links
        upserted, removed = services.sync_source(idea_source)
    assert (upserted, removed) == (5, 1)
    assert Contribution.objects.filter(source="idea").count() == 5
    assert Contribution.objects.get(source="idea", source_id=orgs[0].pk).status == "retained"
    call_command("sync_contributions", stdout=open("/dev/null", "w"))
    assert Contribution.objects.filter(source="idea").count() == 5


def test_publishing_notifies_followers_of_the_source_object(
    idea_source, sections, v1, team_member, django_capture_on_commit_callbacks
):
    org = OrganizationFactory(name="Fab'Lab Belleville")
    author = MembershipFactory(organization=org, user=UserFactory(email="autrice@example.org")).user
    follower = MembershipFactory(organization=org, user=UserFactory(email="membre@example.org")).user
    org.save()  # the source's describe() reads memberships: refresh the row
    c = Contribution.objects.get(source="idea", source_id=org.pk)
    assert c.author == author
    services.triage(c, team_member, sections=["mobilite-velo"])
    services.edit_section(sections[0], team_member, "Nouveau texte.", sections[0].revision)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_version(team_member, "v2")
    assert set(Notification.objects.filter(kind="strategy.integrated").values_list("recipient__email", flat=True)) == {
        author.email,
        follower.email,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([author.email, follower.email])
    outcome = registry.outcome("idea", org.pk)
    assert (outcome.status, outcome.version, outcome.sections) == ("integrated", 2, ("mobilite-velo",))


def test_new_contribution_is_assigned_to_the_theme_referent(idea_source, team_member):
    from core.models import Theme

    Theme.objects.filter(slug="energie").update(referent=team_member)
    org = OrganizationFactory()
    assert Contribution.objects.get(source="idea", source_id=org.pk).assigned_to == team_member


def test_new_contribution_is_announced_live_to_the_team_inbox(idea_source, django_capture_on_commit_callbacks):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(services.INBOX_GROUP, channel)
    with django_capture_on_commit_callbacks(execute=True):
        org = OrganizationFactory(name="Paris Vélo Solidaire")
    message = received(layer, channel)["message"]
    assert message["type"] == "contribution.created"
    assert (message["source"], message["source_id"], message["title"]) == ("idea", org.pk, "Paris Vélo Solidaire")
    async_to_sync(layer.group_discard)(services.INBOX_GROUP, channel)
