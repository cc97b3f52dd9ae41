"""Each contribution's own public page (map proposal, idea, mission) says "intégré dans vN" with the links."""

from django.urls import reverse

from mapvotes import services as map_services
from strategy import services
from strategy.models import Contribution
from tests.factories import HOTEL_DE_VILLE, UserFactory
from tests.ideas.factories import make_idea
from tests.mapvotes.factories import ProposalFactory
from tests.volunteering.factories import MissionFactory


def _integrate_in_v2(team_member, sections, source, source_id):
    c = Contribution.objects.get(source=source, source_id=source_id)
    services.triage(c, team_member, sections=["mobilite-velo"])
    services.edit_section(sections[0], team_member, "Un réseau continu, nourri par les contributions.", 1)
    services.publish_version(team_member, "Intègre les contributions des habitants.")


def _assert_integrated(page):
    assert page.status_code == 200
    html = page.content.decode()
    assert "intégré dans la version 2" in html
    assert f'href="{reverse("strategy:version", args=[2])}"' in html
    assert f'href="{reverse("strategy:version", args=[2])}#mobilite-velo"' in html
    assert "«\u00a0Une ville 100 % cyclable\u00a0»" in html


def test_map_proposal_page_shows_its_integration(v1, sections, team_member, resident, client):
    proposal = map_services.create_proposal(
        resident,
        title="Arceaux vélo devant l'école",
        description="Il manque du stationnement vélo.",
        theme="mobilite",
        geometry=HOTEL_DE_VILLE.clone(),
    )
    before = client.get(proposal.get_absolute_url()).content.decode()
    assert "intégré dans" not in before
    _integrate_in_v2(team_member, sections, "map", proposal.pk)
    _assert_integrated(client.get(proposal.get_absolute_url()))


def test_map_proposal_from_the_factory_shows_its_integration_in_the_api(v1, sections, team_member, client):
    proposal = ProposalFactory()
    _integrate_in_v2(team_member, sections, "map", proposal.pk)
    props = client.get(f"/api/v1/map/proposals/{proposal.pk}/").json()["properties"]
    assert (props["strategy_status"], props["strategy_version"], props["strategy_sections"]) == (
        "integrated",
        2,
        ["mobilite-velo"],
    )


def test_idea_page_shows_its_integration(v1, sections, team_member, client):
    idea = make_idea(UserFactory(), themes=("mobilite",))
    _integrate_in_v2(team_member, sections, "idea", idea.pk)
    _assert_integrated(client.get(idea.get_absolute_url()))
    assert client.get(f"/api/v1/ideas/{idea.pk}/").json()["strategy_version"] == 2


def test_mission_page_shows_its_integration(v1, sections, team_member, client):
    mission = MissionFactory(themes=["mobilite"])
    _integrate_in_v2(team_member, sections, "mission", mission.pk)
    _assert_integrated(client.get(mission.get_absolute_url()))
