"""Ended missions, the weekly matches e-mail, a refused place, internships counted in weeks, who may publish."""

import datetime
import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.models import Notification
from tests.factories import REPUBLIQUE
from tests.volunteering.factories import (
    ApplicationFactory,
    MissionFactory,
    VolunteerProfileFactory,
    in_days,
    internship_payload,
    mission_data,
)
from volunteering import services
from volunteering.models import ApplicationEvent, Mission, Solicitation

pytestmark = pytest.mark.django_db


# --- ended missions ---------------------------------------------------------------------------------------------


def test_an_ended_mission_stays_public_once_expired(organization, api_client, client):
    mission = MissionFactory(organization=organization, start_date=in_days(-10), end_date=in_days(-1))
    assert services.expire_missions() == 1

    response = api_client.get(f"/api/v1/volunteering/missions/{mission.pk}/")
    assert response.status_code == 200
    assert response.json()["status"] == "expired"
    assert client.get(f"/benevolat/missions/{mission.pk}/").status_code == 200


def test_one_mission_that_cannot_expire_is_logged_by_name_and_the_others_expire(
    org_admin, organization, monkeypatch, caplog
):
    broken = MissionFactory(organization=organization, start_date=in_days(-10), end_date=in_days(-2))
    other = MissionFactory(organization=organization, start_date=in_days(-10), end_date=in_days(-1))
    tell_followers = services._tell_followers

    def fail_for_broken(mission):
        if mission.pk == broken.pk:
            raise RuntimeError("boom")
        tell_followers(mission)

    monkeypatch.setattr(services, "_tell_followers", fail_for_broken)
    with caplog.at_level(logging.ERROR, logger="core.side_effects"):
        assert services.expire_missions() == 1

    assert [r.getMessage() for r in caplog.records] == [f"Mission expiry failed for {broken.pk}"]
    broken.refresh_from_db()
    other.refresh_from_db()
    assert (broken.status, other.status) == ("published", "expired")
    assert [n.title for n in Notification.objects.filter(recipient=org_admin, kind="volunteering.expired")] == [
        f"«\xa0{other.title}\xa0» est terminée\xa0: mettez ses dates à jour ou clôturez-la"
    ]


# --- the weekly matches e-mail ----------------------------------------------------------------------------------


def test_solicitations_older_than_a_month_do_not_stop_the_weekly_matches(organization):
    mission = MissionFactory(organization=organization)
    profile = VolunteerProfileFactory(themes=["solidarite"], weekly_email=True)
    for _ in range(2):
        Solicitation.objects.create(volunteer=profile.user, kind="weekly_matches", mission_ids=[])
    Solicitation.objects.update(sent_at=timezone.now() - datetime.timedelta(days=31))

    assert services.send_weekly_matches() == 1

    notification = Notification.objects.get(recipient=profile.user, kind="volunteering.matches")
    assert notification.title == "Une nouvelle mission pour vous cette semaine"
    assert notification.body.startswith(f"• {mission.title} — ")
    assert Solicitation.objects.filter(volunteer=profile.user).count() == 3


# --- a status change --------------------------------------------------------------------------------------------


def test_declining_an_accepted_volunteer_frees_the_place_and_keeps_the_message(org_admin, organization, volunteer):
    mission = MissionFactory(organization=organization, places=1, accepted_count=1, status="full")
    accepted = ApplicationFactory(mission=mission, volunteer=volunteer, status="accepted")
    ApplicationFactory(mission=mission, status="waitlisted")

    services.change_status(org_admin, accepted, "declined", "Désolée {name}, la mission est annulée.")

    mission.refresh_from_db()
    assert (mission.accepted_count, mission.status) == (0, "published")
    event = ApplicationEvent.objects.get(application=accepted)
    assert (event.from_status, event.to_status, event.message) == (
        "accepted",
        "declined",
        "Désolée Léa Bénévole, la mission est annulée.",
    )
    assert Notification.objects.get(recipient=org_admin, kind="volunteering.waiting_list").title == (
        f"Une place s'est libérée sur «\xa0{mission.title}\xa0»\xa0: la liste d'attente attend votre réponse"
    )


# --- internships counted in weeks -------------------------------------------------------------------------------


def test_a_one_day_internship_lasts_one_week(correspondent, direction):
    data = {k: v for k, v in internship_payload().items() if k not in ("location", "duration_weeks")}
    data.update(location=REPUBLIQUE, start_date=in_days(10), end_date=in_days(10), themes=[])

    mission = services.create_mission(correspondent, data, organization=direction)

    assert Mission.objects.get(pk=mission.pk).duration_weeks == 1


# --- who may publish --------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_asked_to_log_in_to_publish_a_mission(db):
    with pytest.raises(PermissionDenied) as refused:
        services.create_mission(AnonymousUser(), mission_data())
    assert str(refused.value) == "Vous devez vous connecter pour faire cela."
    assert not Mission.objects.exists()
