"""What the marketplace tells its readers, second round: the notices an association and a volunteer receive (titles,
bodies, links), the French refusals, the search by weekday, the recommendations' reasons and the internship office's
figures per level."""

import pytest
from django.core.exceptions import ValidationError

from core import follows
from core.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.volunteering.factories import (
    ApplicationFactory,
    InternshipFactory,
    MissionFactory,
    in_days,
)
from volunteering import selectors, services
from volunteering.models import Mission

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteering/"


def notice(user, kind):
    return Notification.objects.get(recipient=user, kind=kind)


# --- the search: days of the week -----------------------------------------------------------------------------------


def test_searching_saturdays_finds_the_saturday_missions_and_those_without_set_days(organization, api_client):
    saturday = MissionFactory(organization=organization, schedule="recurring", weekdays=[5])
    any_day = MissionFactory(organization=organization, weekdays=[])
    MissionFactory(organization=organization, schedule="recurring", weekdays=[1])

    response = api_client.get(BASE + "missions/", {"weekday": 5})

    assert response.status_code == 200
    assert {r["id"] for r in response.json()["results"]} == {saturday.pk, any_day.pk}


# --- recommendations --------------------------------------------------------------------------------------------------


def test_a_remote_mission_is_recommended_as_remote_in_french(organization, volunteer):
    """Without a home on their profile, a volunteer is offered remote missions: the reason reads « à distance »."""
    remote = MissionFactory(organization=organization, remote=True)

    results = client_for(volunteer).get(BASE + "recommendations/", HTTP_ACCEPT_LANGUAGE="fr").json()["results"]

    assert [(r["id"], r["reasons"]) for r in results] == [(remote.pk, ["à distance"])]


# --- the internship office's figures ----------------------------------------------------------------------------------


def test_a_level_without_any_offer_counts_no_place_and_its_spontaneous_demand_exceeds_it(direction):
    """Offers at CAP–bac only; one spontaneous application at bac + 3: the bac + 3 row says 0 offers, 0 places, and
    that demand exceeds the places."""
    InternshipFactory(organization=direction, level="cap_bac", places=2)
    ApplicationFactory(mission=None, organization=direction, kind="internship", wished_level="bac_3")

    levels = {row["name"]: row for row in selectors.internship_figures()["levels"]}

    assert levels[Mission.Level.BAC_3.label] == {
        "name": Mission.Level.BAC_3.label,
        "offers": 0,
        "places": 0,
        "applications": 1,
        "placed": 0,
        "spontaneous": 1,
        "demand_exceeds": True,
    }


# --- refusals, in French ----------------------------------------------------------------------------------------------


def test_an_internship_application_without_a_cv_is_refused(direction, volunteer):
    offer = InternshipFactory(organization=direction)
    with pytest.raises(ValidationError) as refused:
        services.apply(volunteer, offer, "Le jardinage me passionne.")
    assert refused.value.message_dict == {"cv": ["Une candidature à un stage demande votre CV (PDF)."]}


def test_a_spontaneous_internship_application_without_a_level_is_refused(direction, volunteer):
    with pytest.raises(ValidationError) as refused:
        services.apply_spontaneously(
            volunteer, direction, "Je cherche un stage.", internship={"wished_trade": "Jardinier"}
        )
    assert refused.value.message_dict == {"wished_level": ["Choisissez votre niveau d'études."]}


def test_an_attestation_for_a_spontaneous_application_asks_to_attach_it_to_a_mission(org_admin, organization):
    application = ApplicationFactory(mission=None, organization=organization, status="accepted")
    with pytest.raises(ValidationError) as refused:
        services.issue_attestation(org_admin, application, signer_name="Marie Présidente")
    assert refused.value.message_dict == {
        "application": [
            "Une attestation est délivrée pour une mission\xa0: rattachez d’abord cette candidature à une mission."
        ]
    }


# --- notifications ----------------------------------------------------------------------------------------------------


def test_a_new_application_notice_links_to_the_organisations_dashboard(org_admin, mission, volunteer):
    services.apply(volunteer, mission, "Disponible le samedi.")

    notification = notice(org_admin, "volunteering.application")
    assert notification.title == f"Nouvelle candidature de {volunteer.public_name} pour «\xa0{mission.title}\xa0»"
    assert notification.url == f"/benevolat/organisations/{mission.organization.slug}/tableau-de-bord/"


def test_a_follower_is_told_when_the_mission_closes(org_admin, mission):
    follower = UserFactory(email="suiveur@example.org")
    follows.follow(follower, mission)

    services.close_mission(org_admin, mission)

    assert (
        notice(follower, "follow.status").title
        == f"«\xa0{mission.title}\xa0», que vous suivez, est maintenant\xa0: clôturée"
    )


@pytest.fixture
def full_mission(organization, org_admin):
    """One place, taken by Léa; Karim waits on the list."""
    mission = MissionFactory(organization=organization, places=1)
    lea = UserFactory(email="lea@example.org", display_name="Léa")
    accepted = services.apply(lea, mission, "")
    services.change_status(org_admin, accepted, "accepted")
    karim = UserFactory(email="karim@example.org", display_name="Karim")
    services.apply(karim, mission, "", waiting_list=True)
    return mission, accepted


def test_when_an_accepted_volunteer_withdraws_the_association_reads_who_left_and_that_a_place_is_free(
    org_admin, full_mission
):
    mission, accepted = full_mission

    services.withdraw(accepted.volunteer, accepted)

    withdrawn = notice(org_admin, "volunteering.withdrawn")
    assert withdrawn.title == f"Léa a retiré sa candidature pour «\xa0{mission.title}\xa0»"
    free = notice(org_admin, "volunteering.waiting_list")
    assert free.title == (
        f"Une place s'est libérée sur «\xa0{mission.title}\xa0»\xa0: la liste d'attente attend votre réponse"
    )
    assert free.url == withdrawn.url == f"/benevolat/organisations/{mission.organization.slug}/tableau-de-bord/"


def test_withdrawing_twice_answers_409_in_french(mission, volunteer):
    application = services.apply(volunteer, mission, "")
    client = client_for(volunteer)
    assert client.post(f"{BASE}applications/{application.pk}/withdraw/").status_code == 200

    response = client.post(f"{BASE}applications/{application.pk}/withdraw/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 409
    assert response.json()["detail"] == "Cette candidature est déjà close."


def test_the_association_is_told_when_its_mission_has_ended(org_admin, organization):
    mission = MissionFactory(organization=organization, start_date=in_days(-10), end_date=in_days(-1))

    assert services.expire_missions() == 1

    notification = notice(org_admin, "volunteering.expired")
    assert notification.title == f"«\xa0{mission.title}\xa0» est terminée\xa0: mettez ses dates à jour ou clôturez-la"


def test_a_long_message_is_cut_at_500_characters_in_the_notice(org_admin, mission, volunteer):
    application = services.apply(volunteer, mission, "")
    body = "Bonjour. " + "x" * 600

    services.post_application_message(volunteer, application, body)

    assert notice(org_admin, "volunteering.message").body == body[:500]


def test_the_volunteer_is_reminded_the_day_before(organization, volunteer):
    mission = MissionFactory(organization=organization, start_date=in_days(1))
    ApplicationFactory(mission=mission, volunteer=volunteer, status="accepted")

    assert services.remind_upcoming() == 1

    assert notice(volunteer, "volunteering.upcoming").title == f"Rappel\xa0: «\xa0{mission.title}\xa0» commence demain"
