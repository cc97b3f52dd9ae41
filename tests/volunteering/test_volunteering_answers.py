"""What the marketplace answers, as its readers see it: the search's filters and orders, the recommendations, the home
page's nearest missions, the internship office's figures, the French refusals, the notifications' titles, bodies and
links, and the saved searches."""

import datetime
import re

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats, timezone, translation

from core.models import Notification
from tests.conftest import client_for
from tests.factories import HOTEL_DE_VILLE, MONTMARTRE, REPUBLIQUE, VERSAILLES, UserFactory
from tests.volunteering.factories import (
    MINIMAL_PDF,
    ApplicationFactory,
    DirectionFactory,
    InternshipFactory,
    MissionFactory,
    VolunteerProfileFactory,
    in_days,
    internship_payload,
    mission_data,
)
from volunteering import selectors, services
from volunteering.models import Application, Mission, SavedSearch

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteering/"
NEAR_HOTEL_DE_VILLE = f"{HOTEL_DE_VILLE.x},{HOTEL_DE_VILLE.y}"
OFFICE_PAGE = "/benevolat/stages/bureau-des-stages/"


def found(api_client, **params) -> list[int]:
    response = api_client.get(BASE + "missions/", params)
    assert response.status_code == 200
    return [r["id"] for r in response.json()["results"]]


# --- the search: hours per week, default orders ---------------------------------------------------------------------


def test_a_maximum_of_hours_per_week_leaves_out_the_missions_asking_more(organization, api_client):
    """4 hours a week at most: the 3- and 4-hour missions (the limit included), not the 6-hour one, nor a mission
    counted in hours in total."""
    three, four, six, total = (
        MissionFactory(organization=organization, commitment=commitment, commitment_hours=hours)
        for commitment, hours in (
            ("hours_per_week", 3),
            ("hours_per_week", 4),
            ("hours_per_week", 6),
            ("total_hours", 2),
        )
    )
    assert set(found(api_client, commitment_max=4)) == {three.pk, four.pk}
    assert set(found(api_client)) == {three.pk, four.pk, six.pk, total.pk}


@pytest.fixture
def three_places(organization):
    """République starts in 20 days (created first), Montmartre in 5 days, the Hôtel de Ville in 30 days (last)."""
    return {
        "republique": MissionFactory(organization=organization, location=REPUBLIQUE.clone(), start_date=in_days(20)),
        "montmartre": MissionFactory(organization=organization, location=MONTMARTRE.clone(), start_date=in_days(5)),
        "hotel": MissionFactory(organization=organization, location=HOTEL_DE_VILLE.clone(), start_date=in_days(30)),
    }


def test_without_a_point_nor_words_the_search_lists_by_start_date(api_client, three_places):
    assert found(api_client) == [three_places[k].pk for k in ("montmartre", "republique", "hotel")]


def test_with_a_point_the_search_lists_the_nearest_first(api_client, three_places):
    ids = found(api_client, near=NEAR_HOTEL_DE_VILLE, radius_km=10)
    assert ids == [three_places[k].pk for k in ("hotel", "republique", "montmartre")]


def test_with_words_and_no_point_the_search_lists_the_most_relevant_first(organization, api_client):
    once = MissionFactory(organization=organization, title="Jardin partagé", start_date=in_days(5))
    often = MissionFactory(organization=organization, title="Jardin, jardin, jardin partagé", start_date=in_days(30))
    assert found(api_client, q="jardin") == [often.pk, once.pk]


# --- recommendations --------------------------------------------------------------------------------------------------


def test_a_mission_wanting_the_volunteers_skills_is_recommended_first_with_its_distance(organization, volunteer):
    """Two missions at République (same day, same place): the one wanting the volunteer's skill comes first, though
    created before the other; each says how far it is, in km with two decimals."""
    VolunteerProfileFactory(user=volunteer, home_location=HOTEL_DE_VILLE.clone(), radius_km=3, skills=["Cuisine"])
    cooking = MissionFactory(organization=organization, location=REPUBLIQUE.clone(), skills=["cuisine"])
    plain = MissionFactory(organization=organization, location=REPUBLIQUE.clone(), skills=[])

    results = client_for(volunteer).get(BASE + "recommendations/").json()["results"]

    assert [r["id"] for r in results] == [cooking.pk, plain.pk]
    assert results[0]["score"] == results[1]["score"] + 5
    assert [r["distance_km"] for r in results] == [1.45, 1.45]


# --- the home page: the missions nearest to a typed place -----------------------------------------------------------


def test_the_home_page_shows_the_four_missions_nearest_to_a_typed_place_nearest_first(client, organization):
    places = {
        "Mission Montmartre": MONTMARTRE,
        "Mission République": REPUBLIQUE,
        "Mission Hôtel de Ville": HOTEL_DE_VILLE,
        "Mission Montparnasse": Point(2.3212, 48.8422, srid=4326),
        "Mission Versailles": VERSAILLES,
    }
    for title, place in places.items():
        MissionFactory(organization=organization, title=title, location=place.clone())

    html = client.get("/", {"near": "48.8867, 2.3431"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    missions = re.search(r'<section class="card home-block" id="home-missions".*?</section>', html, re.S).group(0)

    shown = sorted((t for t in places if t in missions), key=missions.index)
    assert shown == ["Mission Montmartre", "Mission République", "Mission Hôtel de Ville", "Mission Montparnasse"]


# --- the internship office's figures ----------------------------------------------------------------------------------


def test_the_office_page_says_when_its_figures_were_computed(client, office, direction):
    InternshipFactory(organization=direction)
    client.force_login(office)
    page = client.get(OFFICE_PAGE).content.decode()
    with translation.override("fr"):
        today = formats.date_format(timezone.localdate(), "j N Y")  # the day of "j N Y à H:i"
    assert re.search(rf"Chiffres au {re.escape(today)} à \d\d:\d\d\.", page)


def test_figures_count_an_application_to_an_offer_without_level_under_the_wished_level(direction):
    offer = InternshipFactory(organization=direction, level="")
    ApplicationFactory(mission=offer, wished_level="bac_2")

    levels = {row["name"]: row for row in selectors.internship_figures()["levels"]}

    assert levels[Mission.Level.BAC_2.label]["applications"] == 1


def test_a_direction_trade_and_level_with_offers_and_no_application_say_zero(direction):
    roads = DirectionFactory(name="Direction de la voirie et des déplacements")
    InternshipFactory(organization=roads, trade="Comptabilité publique", level="bac_5", places=3, paid=True)

    figures = selectors.internship_figures()

    assert figures["directions"] == [
        {
            "name": "Direction de la voirie et des déplacements",
            "offers": 1,
            "open": 1,
            "places": 3,
            "paid": 1,
            "applications": 0,
            "spontaneous": 0,
            "placed": 0,
            "answered_share": None,
            "median_answer_hours": None,
        }
    ]
    assert figures["trades"] == [
        {
            "name": "Comptabilité publique",
            "offers": 1,
            "places": 3,
            "applications": 0,
            "spontaneous": 0,
            "demand_exceeds": False,
        }
    ]
    bac_5 = next(row for row in figures["levels"] if row["name"] == Mission.Level.BAC_5.label)
    assert bac_5 == {
        "name": Mission.Level.BAC_5.label,
        "offers": 1,
        "places": 3,
        "applications": 0,
        "placed": 0,
        "spontaneous": 0,
        "demand_exceeds": False,
    }


# --- refusals, in French ----------------------------------------------------------------------------------------------


def test_a_recurring_mission_without_a_day_is_refused(org_admin):
    with pytest.raises(ValidationError) as refused:
        services.create_mission(org_admin, mission_data(schedule="recurring", weekdays=[]))
    assert refused.value.message_dict["weekdays"] == ["Choisissez au moins un jour pour une mission récurrente."]


def test_a_spontaneous_application_without_a_message_is_refused(organization, volunteer):
    with pytest.raises(ValidationError) as refused:
        services.apply_spontaneously(volunteer, organization, "   ")
    assert refused.value.message_dict == {"message": ["Dites à l'organisation pourquoi vous lui écrivez."]}


def test_an_internship_offer_of_an_association_is_refused_with_its_reason(organization, org_admin):
    """The API answers an association 403 before any check of the offer (create: manage_internships; change:
    change_mission), so the offer's own check is the last guard: it names who may offer internships."""
    response = client_for(org_admin).post(BASE + "missions/", internship_payload(), format="json")
    assert response.status_code == 403
    offer = InternshipFactory.build(organization=organization)
    assert services.check_internship(offer)["kind"] == [
        "Seule une direction de la Ville ou un organisme partenaire (service de la ville) peut proposer des stages."
    ]


ACTIVE_PDF = MINIMAL_PDF.replace(
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
)


def test_a_cv_running_a_script_is_refused(mission, volunteer):
    cv = SimpleUploadedFile("cv.pdf", ACTIVE_PDF, content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.apply(volunteer, mission, "", cv)
    assert refused.value.message_dict["cv"] == [
        "Le CV ne doit contenir ni script, ni action automatique, ni fichier joint\xa0: enregistrez-le de nouveau en "
        "PDF simple (par exemple avec «\xa0Imprimer en PDF\xa0»)."
    ]


# --- notifications ----------------------------------------------------------------------------------------------------


def test_an_invitation_without_a_place_says_the_meeting_date_and_who_invites(org_admin, mission, volunteer):
    application = services.apply(volunteer, mission, "")
    when = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=2)

    services.change_status(org_admin, application, "invited", "", {"convocation_at": when})

    notification = Notification.objects.get(recipient=volunteer, kind="volunteering.invited")
    with translation.override("fr"):
        written = formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")
    assert notification.title == f"Vous êtes convoqué·e par {mission.organization.name} pour «\xa0{mission.title}\xa0»"
    assert notification.body == f"Rendez-vous le {written}"


def test_the_organisation_is_reminded_of_applications_waiting_for_more_than_7_days(org_admin, mission):
    waiting = [ApplicationFactory(mission=mission) for _ in range(2)]
    Application.objects.filter(pk__in=[a.pk for a in waiting]).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )

    assert services.remind_unanswered() == 2

    notification = Notification.objects.get(recipient=org_admin, kind="volunteering.unanswered")
    assert notification.title == "2 candidatures attendent une réponse depuis plus de 7 jours"


# --- saved searches ---------------------------------------------------------------------------------------------------


def test_saving_a_search_again_keeps_one_and_another_search_is_another(volunteer):
    services.save_search(volunteer, "internship", "q=jardin")
    services.save_search(volunteer, "internship", "q=jardin&page=2", weekly_email=True)  # the same, on page 2
    assert list(SavedSearch.objects.filter(user=volunteer).values_list("query", "weekly_email")) == [("q=jardin", True)]
    services.save_search(volunteer, "internship", "q=cuisine")
    assert sorted(SavedSearch.objects.filter(user=volunteer).values_list("query", flat=True)) == [
        "q=cuisine",
        "q=jardin",
    ]


def test_ten_saved_searches_at_most_but_one_of_them_can_be_saved_again(volunteer):
    for n in range(10):
        services.save_search(volunteer, "internship", f"q=metier{n}")
    services.save_search(volunteer, "internship", "q=metier3", weekly_email=True)
    with pytest.raises(ValidationError) as refused:
        services.save_search(volunteer, "internship", "q=cuisine")
    assert refused.value.message_dict["query"] == [
        "Vous pouvez garder au plus 10 recherches\xa0: supprimez-en une d'abord."
    ]
    assert SavedSearch.objects.filter(user=volunteer).count() == 10


def test_the_saved_search_alert_links_to_the_search_page_with_its_filters(
    direction, django_capture_on_commit_callbacks
):
    volunteer = UserFactory(email="stagiaire@example.org")
    services.save_search(volunteer, "internship", "q=jardinier&paid=true", weekly_email=True)
    InternshipFactory(organization=direction, title="Stage jardinier au parc Monceau")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_saved_search_alerts() == 1

    notification = Notification.objects.get(recipient=volunteer, kind="volunteering.saved_search")
    assert notification.url == "/benevolat/stages/?q=jardinier&paid=true"
    assert "/benevolat/stages/?q=jardinier&paid=true" in mail.outbox[0].body
