"""Which version integrated a contribution: the first one that did, whatever is published after it."""

import pytest

from core import contributions as registry
from strategy import services
from tests.conftest import client_for
from tests.strategy.factories import ContributionFactory

pytestmark = pytest.mark.django_db


def publish_a_change(section, team_member, text, summary):
    section.refresh_from_db()
    services.edit_section(section, team_member, text, section.revision)
    return services.publish_version(team_member, summary)


def said_everywhere(contribution, team_member, client):
    """The version a resident and the team are told: contract fields, public page, team inbox."""
    outcome = registry.outcome(contribution.source, contribution.source_id)
    page = client.get(f"/strategie/contributions/{contribution.pk}/").content.decode()
    inbox = client_for(team_member).get("/api/v1/strategy/contributions/").json()["results"]
    (row,) = [r for r in inbox if r["id"] == contribution.pk]
    return {
        "contract": registry.outcome_fields(outcome).get("strategy_version"),
        "page": [n for n in (1, 2, 3, 4) if f"intégré dans la version {n}" in page],
        "inbox": row["integrated_in"],
    }


@pytest.fixture
def velo(sections):
    return sections[0]


@pytest.fixture
def rues(sections):
    return sections[1]


@pytest.fixture
def integrated_in_v2(v1, velo, team_member):
    c = ContributionFactory(source="comment", source_id=5001, title="Arceaux devant les écoles")
    services.triage(c, team_member, sections=[velo.slug])
    publish_a_change(velo, team_member, "Des arceaux devant chaque école.", "v2")
    return c


def test_a_later_version_that_changes_the_same_section_keeps_the_first_integrating_version(
    integrated_in_v2, velo, team_member, client
):
    publish_a_change(velo, team_member, "Des arceaux devant chaque école et chaque collège.", "v3")
    publish_a_change(velo, team_member, "Des arceaux partout.", "v4")
    assert said_everywhere(integrated_in_v2, team_member, client) == {"contract": 2, "page": [2], "inbox": 2}


def test_a_later_version_that_integrates_another_linked_section_keeps_the_first_integrating_version(
    integrated_in_v2, velo, rues, team_member, client
):
    services.triage(integrated_in_v2, team_member, sections=[velo.slug, rues.slug])
    publish_a_change(rues, team_member, "Les rues des écoles sont fermées aux voitures et ouvertes aux vélos.", "v3")
    outcome = registry.outcome("comment", 5001)
    assert outcome.sections == ("mobilite-velo", "mobilite-rues-enfants")  # both sections are listed…
    assert said_everywhere(integrated_in_v2, team_member, client) == {"contract": 2, "page": [2], "inbox": 2}


def test_a_version_that_leaves_the_linked_section_alone_does_not_integrate_it(v1, velo, rues, team_member, client):
    c = ContributionFactory(source="comment", source_id=5002)
    services.triage(c, team_member, sections=[velo.slug])
    publish_a_change(rues, team_member, "Autre chose.", "v2")  # the linked section did not change
    assert registry.outcome("comment", 5002).status != "integrated"
    publish_a_change(velo, team_member, "Enfin changée.", "v3")
    assert said_everywhere(c, team_member, client) == {"contract": 3, "page": [3], "inbox": 3}
