"""The inbox is truthful about the real sources: created through their services and API, re-themed, supported."""

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command

from core import contributions as registry
from core.models import Theme
from ideas import services as ideas_services
from mapvotes import services as map_services
from strategy import services
from strategy.models import Contribution
from strategy.tasks import sync_contributions
from tests.conftest import client_for
from tests.factories import REPUBLIQUE, TeamUserFactory, UserFactory, theme
from tests.ideas.factories import make_idea
from tests.mapvotes.factories import ProposalFactory
from tests.polling import received
from tests.volunteering.factories import MissionFactory, in_days, mission_data
from volunteering import services as volunteering_services


@pytest.fixture
def referents(db):
    """A referent for each theme the sources use, so assignment can be checked."""
    people = {}
    for slug in ("energie", "environnement", "solidarite", "mobilite"):
        user = TeamUserFactory(email=f"referent-{slug}@paris.fr")
        Theme.objects.filter(slug=slug).update(referent=user)
        people[slug] = user
    return people


def row(source, source_id):
    return Contribution.objects.select_related("theme", "district", "assigned_to").get(
        source=source, source_id=source_id
    )


# --- Themes and districts set after the first save (m2m) ----------------------------------------------------------


def test_idea_created_by_its_service_enters_the_inbox_with_theme_district_and_referent(referents, resident):
    idea = make_idea(resident, themes=("energie",), districts=(11,))
    c = row("idea", idea.pk)
    assert (c.theme.slug, c.district.number, c.assigned_to) == ("energie", 11, referents["energie"])


def test_idea_created_through_the_api_shows_under_its_theme_filter(referents, resident, team_member):
    response = client_for(resident).post(
        "/api/v1/ideas/",
        {
            "title": "Composteur partagé rue Oberkampf",
            "pitch": "Un composteur collectif au pied des immeubles.",
            "themes": ["environnement"],
            "districts": [11],
            "stage": "idea",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    idea_id = response.json()["id"]
    c = row("idea", idea_id)
    assert (c.theme.slug, c.district.number, c.assigned_to) == ("environnement", 11, referents["environnement"])
    listed = client_for(team_member).get("/api/v1/strategy/contributions/", {"theme": "environnement"}).json()
    assert [(i["source"], i["source_id"], i["theme"], i["district"]) for i in listed["results"]] == [
        ("idea", idea_id, "environnement", 11)
    ]


def test_city_wide_idea_has_no_district_and_several_districts_are_city_wide_too(referents, resident):
    assert row("idea", make_idea(resident, districts=()).pk).district is None
    assert row("idea", make_idea(resident, districts=(3, 4)).pk).district is None


def test_mission_created_by_its_service_enters_the_inbox_with_theme_district_and_referent(referents, org_admin):
    mission = volunteering_services.create_mission(org_admin, mission_data())
    c = row("mission", mission.pk)
    assert c.theme.slug == "solidarite"
    assert c.district is not None and c.district == mission.district
    assert c.assigned_to == referents["solidarite"]


def test_mission_created_through_the_api_is_in_the_inbox_with_its_theme(referents, org_admin):
    payload = {
        "title": "Collecte de vêtements",
        "description": "Trier les dons et accueillir le public.",
        "themes": ["solidarite"],
        "location": {"type": "Point", "coordinates": [REPUBLIQUE.x, REPUBLIQUE.y]},
        "address": "Place de la République",
        "remote": False,
        "start_date": in_days(3).isoformat(),
        "end_date": in_days(40).isoformat(),
        "places": 4,
    }
    response = client_for(org_admin).post("/api/v1/volunteering/missions/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    c = row("mission", body["id"])
    assert (c.theme.slug, c.district.number, c.assigned_to) == ("solidarite", body["district"], referents["solidarite"])


def test_changing_the_themes_of_a_new_idea_moves_it_to_the_new_referent(referents, resident):
    idea = make_idea(resident, themes=("energie",))
    ideas_services.update_idea(
        resident, idea, title=idea.title, pitch=idea.pitch, themes=["environnement"], districts=[12], stage="idea"
    )
    c = row("idea", idea.pk)
    assert (c.theme.slug, c.district.number, c.assigned_to) == ("environnement", 12, referents["environnement"])


def test_a_triaged_contribution_keeps_its_assignee_when_the_source_changes_theme(referents, resident, team_member):
    idea = make_idea(resident, themes=("energie",))
    services.triage(row("idea", idea.pk), team_member, status="reviewing")
    ideas_services.update_idea(
        resident, idea, title=idea.title, pitch=idea.pitch, themes=["environnement"], districts=[11], stage="idea"
    )
    c = row("idea", idea.pk)
    assert (c.theme.slug, c.status, c.assigned_to) == ("environnement", "reviewing", referents["energie"])


def test_themes_changed_from_the_theme_side_are_seen_too(referents, resident):
    idea = make_idea(resident, themes=("energie",))
    theme("mobilite").ideas.add(idea)  # reverse side of the many-to-many
    theme("energie").ideas.clear()
    assert row("idea", idea.pk).theme.slug == "mobilite"


def test_sync_assigns_rows_that_never_had_an_assignee(referents, resident):
    idea = make_idea(resident, themes=("energie",))
    Contribution.objects.filter(source="idea", source_id=idea.pk).update(assigned_to=None)
    services.sync_all()
    assert row("idea", idea.pk).assigned_to == referents["energie"]


def test_a_source_can_ask_for_an_explicit_resync(referents, resident, django_capture_on_commit_callbacks):
    idea = make_idea(resident)
    from ideas.models import Idea

    Idea.objects.filter(pk=idea.pk).update(title="Titre changé sans signal")  # update() fires no post_save
    with django_capture_on_commit_callbacks(execute=True):
        registry.contribution_changed("idea", idea.pk)
    assert row("idea", idea.pk).title == "Titre changé sans signal"


# --- Support figures -----------------------------------------------------------------------------------------------


def test_votes_refresh_the_support_of_the_map_proposal(resident, django_capture_on_commit_callbacks):
    proposal = ProposalFactory()
    other = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        map_services.cast_vote(resident, proposal.pk, "for")
        map_services.cast_vote(other, proposal.pk, "for")
    assert row("map", proposal.pk).support == 2
    with django_capture_on_commit_callbacks(execute=True):
        map_services.cast_vote(other, proposal.pk, "against")
    assert row("map", proposal.pk).support == 1
    with django_capture_on_commit_callbacks(execute=True):
        map_services.withdraw_vote(resident, proposal.pk)
    assert row("map", proposal.pk).support == 0


def test_a_vote_refresh_is_one_cheap_statement_after_commit(
    resident, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    proposal = ProposalFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        map_services.cast_vote(resident, proposal.pk, "for")
    (refresh,) = [c for c in callbacks if c.__qualname__.startswith("_after_commit")]
    # Lock the inbox row, then one UPDATE (inside a savepoint here, as tests run in a transaction).
    with django_assert_max_num_queries(4):
        refresh()
    assert row("map", proposal.pk).support == 1


def test_inbox_filters_and_sorts_by_fresh_support(resident, team_member, django_capture_on_commit_callbacks):
    quiet, popular = ProposalFactory(title="Banc public"), ProposalFactory(title="Piste cyclable")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            map_services.cast_vote(UserFactory(), popular.pk, "for")
        map_services.cast_vote(resident, quiet.pk, "for")
    client = client_for(team_member)
    filtered = client.get("/api/v1/strategy/contributions/", {"source": "map", "min_support": 2}).json()
    assert [i["source_id"] for i in filtered["results"]] == [popular.pk]
    ordered = client.get("/api/v1/strategy/contributions/", {"source": "map", "sort": "support"}).json()
    assert [i["source_id"] for i in ordered["results"]] == [popular.pk, quiet.pk]


def test_supports_refresh_the_support_of_the_idea(resident, django_capture_on_commit_callbacks):
    idea = make_idea(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        ideas_services.support(resident, idea)
    assert row("idea", idea.pk).support == 1
    with django_capture_on_commit_callbacks(execute=True):
        ideas_services.unsupport(resident, idea)
    assert row("idea", idea.pk).support == 0


def test_applications_refresh_the_support_of_the_mission(resident, django_capture_on_commit_callbacks):
    mission = MissionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        application = volunteering_services.apply(resident, mission, "Je suis disponible.")
        volunteering_services.apply(UserFactory(), mission, "Moi aussi.")
    assert row("mission", mission.pk).support == 2
    with django_capture_on_commit_callbacks(execute=True):
        volunteering_services.withdraw(resident, application)
    assert row("mission", mission.pk).support == 1


def test_a_failing_support_refresh_never_fails_the_vote(resident, django_capture_on_commit_callbacks, caplog):
    """A broken source declaration (here: a support figure naming a missing column) is logged, the vote stands."""
    from dataclasses import replace

    from django.db.models import F

    from mapvotes.models import Proposal, Vote

    source = registry.get_source("map")
    registry.register(replace(source, support=lambda: Proposal.objects.annotate(support=F("no_such_column"))))
    try:
        proposal = ProposalFactory()
        with django_capture_on_commit_callbacks(execute=True):
            result = map_services.cast_vote(resident, proposal.pk, "for")
    finally:
        registry.register(source)
    assert result["votes_for"] == 1
    assert Vote.objects.filter(proposal=proposal).count() == 1
    assert "Error calling" in caplog.text


def test_the_periodic_task_repairs_support_left_stale(resident):
    proposal = ProposalFactory()
    map_services.cast_vote(resident, proposal.pk, "for")  # on-commit refresh never runs in this test transaction
    assert row("map", proposal.pk).support == 0
    assert sync_contributions.enqueue().return_value == {
        "map": 1,
        "idea": 0,
        "mission": 0,
        "comment": 0,
        "annotation": 0,
        "budget": 0,
    }
    assert row("map", proposal.pk).support == 1
    Contribution.objects.filter(source="map", source_id=proposal.pk).update(support=42)
    call_command("sync_contributions", "--support", "--source", "map", stdout=open("/dev/null", "w"))
    assert row("map", proposal.pk).support == 1


def test_a_proposal_with_a_line_geometry_is_in_the_inbox_too(resident):
    from django.contrib.gis.geos import LineString

    proposal = map_services.create_proposal(
        resident,
        title="Coronapiste rue de Rivoli",
        description="La rendre définitive.",
        theme="mobilite",
        geometry=LineString(Point(2.35, 48.857), Point(2.36, 48.856), srid=4326),
    )
    c = row("map", proposal.pk)
    assert (c.theme.slug, c.district_id is not None, c.support) == ("mobilite", True, 0)


def test_a_new_idea_is_announced_live_with_its_theme_and_district(
    referents, resident, django_capture_on_commit_callbacks
):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    inbox, figures = async_to_sync(layer.new_channel)(), async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(services.INBOX_GROUP, inbox)
    async_to_sync(layer.group_add)(services.PUBLIC_GROUP, figures)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            idea = make_idea(resident, themes=("energie",), districts=(11,))
        created = received(layer, inbox)["message"]
        assert (created["type"], created["source_id"], created["theme"], created["district"]) == (
            "contribution.created",
            idea.pk,
            "energie",
            11,
        )
        figure = received(layer, figures)["message"]
        assert (figure["change"], figure["district"]) == ("contribution.created", 11)
    finally:
        async_to_sync(layer.group_discard)(services.INBOX_GROUP, inbox)
        async_to_sync(layer.group_discard)(services.PUBLIC_GROUP, figures)


def test_a_draft_idea_enters_the_inbox_when_it_is_published(referents, resident, django_capture_on_commit_callbacks):
    idea = make_idea(resident, publish=False)
    assert not Contribution.objects.filter(source="idea", source_id=idea.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        ideas_services.publish_idea(resident, idea)
    assert row("idea", idea.pk).theme.slug == "energie"
