"""An organisation's figures: one kind of offers at a time, for those who manage that kind, and nobody else."""

import datetime

import pytest
import rules
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UserFactory
from tests.volunteering.factories import ApplicationFactory, DirectionFactory, InternshipFactory, MissionFactory
from volunteering.models import Application, Mission

pytestmark = pytest.mark.django_db


def url(organization, kind=None):
    return f"/api/v1/volunteering/organizations/{organization.pk}/statistics/" + (f"?kind={kind}" if kind else "")


@pytest.fixture
def roles(direction, correspondent, plain_member, office):
    """Every kind of account, around the direction (and an association, whose members are nothing to it)."""
    association = OrganizationFactory(name="Les Jardins Partagés du 11e")
    other_direction = DirectionFactory(name="Direction des Affaires Culturelles")
    return {
        "anonymous": None,
        "resident": UserFactory(email="habitante@example.org"),
        "association member": MembershipFactory(
            organization=association, user=UserFactory(email="asso@example.org")
        ).user,
        "plain member": plain_member,
        "administrator": MembershipFactory(
            organization=direction, user=UserFactory(email="admin@paris.fr"), role="admin"
        ).user,
        "correspondent": correspondent,
        "other direction's correspondent": MembershipFactory(
            organization=other_direction, user=UserFactory(email="dac@paris.fr"), role="correspondent"
        ).user,
        "internship office": office,
        "team": TeamUserFactory(email="equipe@paris.fr"),
    }


# fmt: off
# Each role → (the direction's volunteering figures, the direction's internship figures).
EXPECTED = {
    "anonymous":                       (401, 401),
    "resident":                        (404, 404),
    "association member":              (404, 404),
    # A direction's plain members answer its volunteers, never its interns: no internship figure for them.
    "plain member":                    (200, 404),
    "administrator":                   (200, 200),
    "correspondent":                   (200, 200),
    "other direction's correspondent": (404, 404),
    # The internship office sees every direction's internships, and nothing of their volunteering.
    "internship office":               (404, 200),
    "team":                            (404, 404),
}
# fmt: on


@pytest.mark.parametrize("role", list(EXPECTED))
def test_who_sees_a_directions_figures_of_each_kind(roles, role, direction):
    user = roles[role]
    client = client_for(user) if user else APIClient()
    volunteering, internship = EXPECTED[role]
    assert client.get(url(direction)).status_code == volunteering  # the default kind: volunteering
    assert client.get(url(direction, "volunteering")).status_code == volunteering
    assert client.get(url(direction, "internship")).status_code == internship
    expected_rules = (volunteering == 200, internship == 200)
    if user is not None:
        assert (
            rules.has_perm("volunteering.view_statistics", user, direction),
            rules.has_perm("volunteering.view_internship_statistics", user, direction),
        ) == expected_rules


def test_an_association_has_no_internship_figures_even_for_its_administrator(office):
    association = OrganizationFactory(name="Les Jardins Partagés du 11e")
    admin = MembershipFactory(organization=association, user=UserFactory(email="asso@example.org")).user
    assert client_for(admin).get(url(association)).status_code == 200
    assert client_for(admin).get(url(association, "internship")).status_code == 404
    assert client_for(office).get(url(association, "internship")).status_code == 404


def test_an_unknown_kind_is_refused_in_french(correspondent, direction):
    response = client_for(correspondent).get(url(direction, "both"))
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]
    assert "choix valide" in response.json()["errors"]["kind"][0]


def _answered(application, hours):
    created = timezone.now() - datetime.timedelta(hours=hours + 1)
    Application.objects.filter(pk=application.pk).update(
        created_at=created, first_response_at=created + datetime.timedelta(hours=hours)
    )


def test_each_kind_counts_its_own_offers_and_applications_only(direction, correspondent):
    mission = MissionFactory(organization=direction, title="Aide aux devoirs")
    Mission.objects.filter(pk=mission.pk).update(views_count=5)
    stage = InternshipFactory(organization=direction, title="Stage jardinier")
    other_stage = InternshipFactory(organization=direction, title="Stage élagueur", status="draft")
    Mission.objects.filter(pk__in=[stage.pk, other_stage.pk]).update(views_count=7)
    accepted = ApplicationFactory(mission=mission, status="accepted")
    _answered(accepted, 10)
    ApplicationFactory(mission=mission, status="declined")
    ApplicationFactory(mission=None, organization=direction, kind="volunteering")
    for status in ("accepted", "declined", "declined"):
        _answered(ApplicationFactory(mission=stage, status=status), 30)
    ApplicationFactory(mission=stage)
    ApplicationFactory(mission=None, organization=direction, kind="internship", wished_level="bac_3")
    ApplicationFactory(mission=None, organization=direction, kind="internship", wished_level="bac_5")
    # Another direction's figures never leak in.
    ApplicationFactory(mission=InternshipFactory(title="Stage ailleurs"))

    client = client_for(correspondent)
    volunteering = client.get(url(direction, "volunteering")).json()
    assert volunteering["kind"] == "volunteering"
    assert (volunteering["missions"], volunteering["views"]) == (1, 5)
    assert (volunteering["applications"], volunteering["spontaneous"], volunteering["answered"]) == (3, 1, 1)
    assert volunteering["by_status"]["accepted"] == 1 and volunteering["by_status"]["declined"] == 1
    assert volunteering["by_status"]["submitted"] == 1 and volunteering["by_status"]["invited"] == 0
    assert volunteering["acceptance_rate"] == 0.5
    assert volunteering["response_time_hours"] == 10.0

    internship = client.get(url(direction, "internship")).json()
    assert internship["kind"] == "internship"
    assert (internship["missions"], internship["views"]) == (2, 14)
    assert (internship["applications"], internship["spontaneous"], internship["answered"]) == (6, 2, 3)
    assert internship["by_status"]["declined"] == 2 and internship["by_status"]["submitted"] == 3
    assert internship["acceptance_rate"] == round(1 / 3, 3)
    assert internship["response_time_hours"] == 30.0


def test_an_organisation_without_applications_has_empty_figures(organization, org_admin):
    statistics = client_for(org_admin).get(url(organization)).json()
    assert (statistics["missions"], statistics["applications"]) == (0, 0)
    assert statistics["response_time_hours"] is None and statistics["acceptance_rate"] is None


class TestDashboardFigures:
    def dashboard(self, client, user, direction, **params):
        client.force_login(user)
        return client.get(f"/benevolat/organisations/{direction.slug}/tableau-de-bord/", params)

    def test_a_plain_member_sees_the_volunteering_figures_only(self, client, direction, plain_member):
        ApplicationFactory(mission=MissionFactory(organization=direction))
        for _ in range(3):
            ApplicationFactory(mission=InternshipFactory(organization=direction))
        response = self.dashboard(client, plain_member, direction)
        [block] = response.context["statistics"]
        assert (block["kind"], block["missions"], block["applications"]) == ("volunteering", 1, 1)
        html = response.content.decode()
        assert "Missions de bénévolat" in html and "Offres de stage" not in html

    def test_a_correspondent_sees_each_kind_apart(self, client, direction, correspondent):
        ApplicationFactory(mission=MissionFactory(organization=direction))
        for _ in range(3):
            ApplicationFactory(mission=InternshipFactory(organization=direction))
        response = self.dashboard(client, correspondent, direction)
        volunteering, internship = response.context["statistics"]
        assert (volunteering["kind"], volunteering["applications"]) == ("volunteering", 1)
        assert (internship["kind"], internship["missions"], internship["applications"]) == ("internship", 3, 3)
        html = response.content.decode()
        assert "Missions de bénévolat" in html and "Offres de stage" in html

    def test_one_offer_shows_its_own_figures(self, client, direction, correspondent):
        stage = InternshipFactory(organization=direction, title="Stage jardinier")
        _answered(ApplicationFactory(mission=stage, status="accepted"), 5)
        ApplicationFactory(mission=stage)
        ApplicationFactory(mission=InternshipFactory(organization=direction, title="Stage élagueur"))
        response = self.dashboard(client, correspondent, direction, mission=stage.pk)
        [block] = response.context["statistics"]
        assert (block["kind"], block["mission"], block["applications"]) == ("internship", stage.pk, 2)
        assert block["response_time"] == "5 heures"
        html = response.content.decode()
        assert "Chiffres de «\u00a0Stage jardinier\u00a0»" in html
        assert "Stage élagueur" not in html  # neither its row nor its applications
