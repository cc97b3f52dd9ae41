"""Pass 9's survivors: fewer places than accepted volunteers, what the weekly e-mail says and records, and the
strategy inbox after a withdrawal."""

import pytest
from django.core.exceptions import ValidationError

from core.models import Notification
from strategy.models import Contribution
from tests.factories import UserFactory
from tests.volunteering.factories import MissionFactory, VolunteerProfileFactory
from volunteering import services
from volunteering.models import Mission, Solicitation

TOO_FEW_PLACES = "Il y a déjà plus de bénévoles acceptés que ce nombre de places."


def _with_two_accepted(organization) -> Mission:
    mission = MissionFactory(organization=organization, places=3)
    Mission.objects.filter(pk=mission.pk).update(accepted_count=2)
    mission.refresh_from_db()
    return mission


def test_fewer_places_than_accepted_volunteers_is_refused_on_the_places_field(org_admin, organization):
    mission = _with_two_accepted(organization)
    with pytest.raises(ValidationError) as refused:
        services.update_mission(org_admin, mission, {"places": 1})
    assert refused.value.message_dict == {"places": [TOO_FEW_PLACES]}
    assert Mission.objects.get(pk=mission.pk).places == 3

    # exactly as many places as accepted volunteers is fine: the mission is then full
    assert services.update_mission(org_admin, mission, {"places": 2}).places == 2


def test_the_api_names_the_places_field_when_they_fall_below_the_accepted(org_admin, organization, api_client):
    mission = _with_two_accepted(organization)
    api_client.force_authenticate(org_admin)
    response = api_client.patch(f"/api/v1/volunteering/missions/{mission.pk}/", {"places": 1}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"places": [TOO_FEW_PLACES]}


def test_the_weekly_mail_says_why_each_mission_matches_and_is_recorded_as_weekly_matches(organization):
    mission = MissionFactory(organization=organization)
    profile = VolunteerProfileFactory(themes=["solidarite"], weekly_email=True)

    assert services.send_weekly_matches() == 1

    body = Notification.objects.get(recipient=profile.user, kind="volunteering.matches").body
    title, reasons = body.split(" — ", 1)
    assert title == f"• {mission.title}"
    assert reasons.startswith("1 thème en commun")
    solicitation = Solicitation.objects.get(volunteer=profile.user)
    assert (solicitation.kind, solicitation.mission_ids) == ("weekly_matches", [mission.pk])


def test_a_withdrawal_lowers_the_missions_support_in_the_strategy_inbox(
    mission, volunteer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.apply(volunteer, mission, "Bonjour")
        services.apply(UserFactory(), mission, "Bonjour aussi")
    assert Contribution.objects.get(source="mission", source_id=mission.pk).support == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(volunteer, application)

    assert Contribution.objects.get(source="mission", source_id=mission.pk).support == 1
