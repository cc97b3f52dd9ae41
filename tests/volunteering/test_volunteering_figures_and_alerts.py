"""What the organisations' live dashboard, the mission form, the saved-search alerts, the internship office's periods
and the recommendations' distances tell their readers."""

import asyncio
import datetime

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from core.models import Notification
from tests.conftest import client_for
from tests.factories import HOTEL_DE_VILLE, MembershipFactory, UserFactory
from tests.volunteering.factories import (
    ApplicationFactory,
    InternshipFactory,
    MissionFactory,
    VolunteerProfileFactory,
    mission_data,
)
from tests.volunteering.test_internship_figures import spontaneous
from tests.volunteering.test_volunteering_notices import notice
from volunteering import selectors, services

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteering/"


def _received(channel) -> list:
    layer = get_channel_layer()

    async def drain():
        received = []
        while True:
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), timeout=0.5))
            except TimeoutError:
                return received

    return async_to_sync(drain)()


def test_the_organisations_dashboard_hears_each_status_change_live(
    org_admin, mission, volunteer, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(mission=mission, volunteer=volunteer)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(services.org_group(mission.organization_id), channel)

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(org_admin, application, "shortlisted")

    assert _received(channel) == [
        {"type": "broadcast", "message": {"type": "application.status", "id": application.pk, "status": "shortlisted"}}
    ]


def test_a_member_of_several_organisations_is_asked_in_french_which_one_publishes(org_admin):
    MembershipFactory(user=org_admin)

    with pytest.raises(ValidationError) as refused:
        services.create_mission(org_admin, mission_data())

    assert refused.value.message_dict == {
        "organization": ["Vous êtes membre de plusieurs organisations\xa0: indiquez laquelle publie cette mission."]
    }


def test_the_alert_of_a_search_saved_without_filters_links_to_the_bare_search_page(
    organization, django_capture_on_commit_callbacks
):
    reader = UserFactory(email="curieux@example.org")
    services.save_search(reader, "volunteering", "", weekly_email=True)
    MissionFactory(organization=organization, title="Distribution de repas")

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_saved_search_alerts() == 1

    alert = notice(reader, "volunteering.saved_search")
    assert alert.url == "/benevolat/"
    assert alert.body == f"• Distribution de repas — {organization.name}"
    assert Notification.objects.filter(recipient=reader).count() == 1


def test_the_periods_count_the_offers_and_candidates_starting_on_the_first_of_the_month(direction):
    today = datetime.date(2026, 12, 15)
    InternshipFactory(organization=direction, places=2, start_date=datetime.date(2026, 12, 1))
    spontaneous(direction, "Jardinier paysagiste", "bac_2", datetime.date(2026, 12, 1))
    spontaneous(direction, "Jardinier paysagiste", "bac_2", datetime.date(2027, 1, 1))

    periods = selectors.internship_figures(direction, today=today)["periods"]

    assert periods[0] == {
        "month": datetime.date(2026, 12, 1),
        "places": 2,
        "spontaneous": 1,
        "demand_exceeds": False,
    }
    assert periods[1] == {
        "month": datetime.date(2027, 1, 1),
        "places": 0,
        "spontaneous": 1,
        "demand_exceeds": True,
    }


def test_a_recommended_mission_says_its_distance_rounded_to_the_nearest_hundred_metres(organization, volunteer):
    VolunteerProfileFactory(user=volunteer, home_location=HOTEL_DE_VILLE.clone(), radius_km=3)
    # 1,050.9 m due north of the Hôtel de Ville: 1.05 km, written 1,1 km
    near = MissionFactory(organization=organization, location=Point(HOTEL_DE_VILLE.x, 48.86605, srid=4326))

    results = client_for(volunteer).get(BASE + "recommendations/").json()["results"]

    assert [(r["id"], r["reasons"]) for r in results] == [(near.pk, ["à 1,1 km"])]
