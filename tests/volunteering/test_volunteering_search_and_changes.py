"""What the marketplace answers, fourth round: every filter of the mission search at its limit (places left, themes,
arrondissements, dates, time of day, remote, accessible, organisation), the facets' counts, the recommendations'
reasons in French and in English, the refusals of a mission's publication and of an internship offer, what an
invitation keeps and tells, the reminder of the day before and the length of a saved search."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone, translation

from core import follows
from core.models import Notification
from serving.rest import Conflict
from tests.conftest import client_for
from tests.factories import (
    HOTEL_DE_VILLE,
    MONTMARTRE,
    REPUBLIQUE,
    VERSAILLES,
    OrganizationFactory,
    UserFactory,
    district,
)
from tests.volunteering.factories import (
    ApplicationFactory,
    InternshipFactory,
    MissionFactory,
    VolunteerProfileFactory,
    in_days,
)
from tests.volunteering.test_volunteering_answers import found
from tests.volunteering.test_volunteering_notices import notice
from volunteering import selectors, services
from volunteering.models import Mission, SavedSearch
from volunteering.selectors import MissionFilters

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteering/"


# --- the search: one filter at a time, at its limit -----------------------------------------------------------------


def test_places_left_keeps_the_published_missions_with_at_least_one_free_place(organization, api_client):
    """Two of three places taken: listed; the last place taken, or the mission marked full: not listed."""
    one_free = MissionFactory(organization=organization, places=3, accepted_count=2)
    no_free = MissionFactory(organization=organization, places=3, accepted_count=3)
    full = MissionFactory(organization=organization, places=3, accepted_count=1, status="full")

    assert found(api_client, places_left="true") == [one_free.pk]
    assert set(found(api_client)) == {one_free.pk, no_free.pk, full.pk}


def test_searching_themes_finds_the_missions_having_any_of_them_once_each(organization, api_client):
    both = MissionFactory(organization=organization, themes=["education", "culture"], start_date=in_days(5))
    culture = MissionFactory(organization=organization, themes=["culture"], start_date=in_days(6))
    MissionFactory(organization=organization, themes=["solidarite"], start_date=in_days(7))

    assert found(api_client, theme="education,culture") == [both.pk, culture.pk]
    assert found(api_client, theme="education") == [both.pk]


def test_searching_arrondissements_finds_the_missions_in_any_of_them(organization, api_client):
    fourth = MissionFactory(organization=organization, district=district(4), start_date=in_days(5))
    eleventh = MissionFactory(organization=organization, district=district(11), start_date=in_days(6))
    MissionFactory(organization=organization, district=district(18), start_date=in_days(7))

    assert found(api_client, district=["4", "11"]) == [fourth.pk, eleventh.pk]
    assert found(api_client, district="11") == [eleventh.pk]


def test_the_facets_count_each_filter_without_its_own(organization):
    """Arrondissement 4 and theme culture chosen: the arrondissements are counted within the theme, the themes within
    the arrondissement, and remote or not within both."""
    MissionFactory(organization=organization, district=district(4), themes=["culture"])
    MissionFactory(organization=organization, district=district(4), themes=["solidarite", "culture"], remote=True)
    MissionFactory(organization=organization, district=district(11), themes=["culture"])
    MissionFactory(organization=organization, district=district(11), themes=["solidarite"])

    facets = selectors.facets(MissionFilters(districts=[4], themes=["culture"]))

    assert set(facets) == {"themes", "districts", "remote"}
    themes = {t["slug"]: t for t in facets["themes"]}
    assert themes["culture"] == {"slug": "culture", "name": themes["culture"]["name"], "count": 2, "selected": True}
    assert themes["solidarite"]["count"] == 1 and themes["solidarite"]["selected"] is False
    assert themes["mobilite"]["count"] == 0
    districts = {d["number"]: d for d in facets["districts"]}
    assert districts[4] == {"number": 4, "name": district(4).name, "count": 2, "selected": True}
    assert (districts[11]["count"], districts[11]["selected"], districts[18]["count"]) == (1, False, 0)
    assert facets["remote"] == {"true": 1, "false": 1}


def test_the_dates_of_a_search_include_the_missions_touching_their_limits(organization, api_client):
    """From day 10 to day 20: a mission ending on day 10, one starting on day 20 and an open-ended one are listed;
    one ending on day 9 and one starting on day 21 are not."""
    ends_on_first = MissionFactory(organization=organization, start_date=in_days(2), end_date=in_days(10))
    starts_on_last = MissionFactory(organization=organization, start_date=in_days(20), end_date=in_days(40))
    open_ended = MissionFactory(organization=organization, start_date=in_days(3), end_date=None)
    MissionFactory(organization=organization, start_date=in_days(2), end_date=in_days(9))
    MissionFactory(organization=organization, start_date=in_days(21), end_date=in_days(40))

    ids = found(api_client, date_from=in_days(10).isoformat(), date_to=in_days(20).isoformat())

    assert ids == [ends_on_first.pk, open_ended.pk, starts_on_last.pk]


def test_time_of_day_remote_accessible_and_organisation_each_narrow_the_search(organization, api_client):
    evening = MissionFactory(organization=organization, time_slots=["evening"], start_date=in_days(5))
    any_time = MissionFactory(organization=organization, time_slots=[], start_date=in_days(6))
    morning = MissionFactory(organization=organization, time_slots=["morning"], start_date=in_days(7))
    remote = MissionFactory(
        organization=organization, time_slots=["morning"], remote=True, accessible=True, start_date=in_days(8)
    )
    other = MissionFactory(organization=OrganizationFactory(name="Autre association"), start_date=in_days(9))

    assert found(api_client, time_slot="evening") == [evening.pk, any_time.pk, other.pk]
    assert found(api_client, remote="true") == [remote.pk]
    assert found(api_client, remote="false") == [evening.pk, any_time.pk, morning.pk, other.pk]
    assert found(api_client, accessible="true") == [remote.pk]
    assert found(api_client, organization=other.organization_id) == [other.pk]


def test_without_a_radius_a_search_around_a_point_reaches_5_km(organization, api_client):
    """Montmartre is about 3.6 km from the Hôtel de Ville, Versailles about 17 km."""
    montmartre = MissionFactory(organization=organization, location=MONTMARTRE.clone())
    MissionFactory(organization=organization, location=VERSAILLES.clone())

    assert found(api_client, near=f"{HOTEL_DE_VILLE.x},{HOTEL_DE_VILLE.y}") == [montmartre.pk]


# --- recommendations: every reason, in French and in English -------------------------------------------------------


@pytest.fixture
def recommended(organization, volunteer):
    """Léa lives at the Hôtel de Ville (3 km around), likes solidarity and education, is free on Saturday mornings
    and cooks and gardens. Near: at République, both themes, on Saturday mornings, wanting cooks, gardeners and
    handymen. Remote: no place, one theme, any day."""
    VolunteerProfileFactory(
        user=volunteer,
        home_location=HOTEL_DE_VILLE.clone(),
        radius_km=3,
        themes=["solidarite", "education"],
        availability=["5-morning"],
        skills=["Cuisine", "Jardinage", "Bricolage"],
    )
    near = MissionFactory(
        organization=organization,
        location=REPUBLIQUE.clone(),
        themes=["solidarite", "education"],
        schedule="recurring",
        weekdays=[5],
        time_slots=["morning"],
        skills=["cuisine", "jardinage", "bricolage"],
    )
    remote = MissionFactory(organization=organization, location=None, district=None, remote=True, themes=["education"])
    return near, remote


@pytest.mark.parametrize(
    ("language", "near_reasons", "remote_reasons"),
    [
        (
            "fr",
            ["2 thèmes en commun", "à 1,5 km", "le samedi matin", "vos compétences\xa0: cuisine, jardinage"],
            ["1 thème en commun", "à distance", "le samedi matin"],
        ),
        (
            "en",
            ["2 themes in common", "1,5 km away", "on saturday morning", "your skills: cuisine, jardinage"],
            ["1 theme in common", "remote", "on saturday morning"],
        ),
    ],
)
def test_recommendations_give_every_reason_in_the_readers_language(
    volunteer, recommended, language, near_reasons, remote_reasons
):
    near, remote = recommended

    results = client_for(volunteer).get(BASE + "recommendations/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]

    assert [(r["id"], r["reasons"]) for r in results] == [(near.pk, near_reasons), (remote.pk, remote_reasons)]
    assert [r["score"] for r in results] == [70.6, 45.0]
    assert results[0]["distance_km"] == 1.45 and "distance_km" not in results[1]


# --- publishing, unpublishing, closing a mission ----------------------------------------------------------------------


def test_publishing_an_ended_mission_asks_to_change_its_dates_first(org_admin, organization):
    mission = MissionFactory(
        organization=organization, status="unpublished", start_date=in_days(-20), end_date=in_days(-1)
    )

    response = client_for(org_admin).post(f"{BASE}missions/{mission.pk}/publish/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 400
    assert response.json()["errors"] == {"end_date": ["Cette mission est terminée\xa0: changez d'abord ses dates."]}
    mission.refresh_from_db()
    assert mission.status == "unpublished"


def test_publishing_a_mission_whose_places_are_all_taken_makes_it_full_and_keeps_its_first_publication(
    org_admin, organization
):
    first_published = timezone.now() - datetime.timedelta(days=30)
    mission = MissionFactory(
        organization=organization, status="unpublished", places=2, accepted_count=2, published_at=first_published
    )
    follower = UserFactory(email="suiveur@example.org")
    follows.follow(follower, mission)

    published = services.publish_mission(org_admin, mission)

    mission.refresh_from_db()
    assert (published.status, mission.status, mission.published_at) == ("full", "full", first_published)
    assert notice(follower, "follow.status").title == (
        f"«\xa0{mission.title}\xa0», que vous suivez, est maintenant\xa0: {Mission.Status.FULL.label}"
    )


def test_publishing_a_draft_dates_its_publication_and_publishing_it_again_changes_nothing(org_admin, organization):
    mission = MissionFactory(organization=organization, status="draft", published_at=None, places=2)
    follower = UserFactory(email="suiveur@example.org")
    follows.follow(follower, mission)
    before = timezone.now()

    services.publish_mission(org_admin, mission)
    mission.refresh_from_db()
    assert mission.status == "published" and mission.published_at >= before
    published_at = mission.published_at

    assert services.publish_mission(org_admin, mission).status == "published"
    mission.refresh_from_db()
    assert mission.published_at == published_at
    assert Notification.objects.filter(recipient=follower, kind="follow.status").count() == 1


def test_a_mission_status_change_is_refused_in_french(org_admin, organization, other_org_member):
    closed = MissionFactory(organization=organization, status="closed")
    with pytest.raises(Conflict) as refused:
        services.publish_mission(org_admin, closed)
    assert str(refused.value.detail) == "Une mission au statut «\xa0clôturée\xa0» ne peut pas être modifiée ainsi."

    mission = MissionFactory(organization=organization)
    with pytest.raises(PermissionDenied) as refused:
        services.unpublish_mission(other_org_member, mission)
    assert str(refused.value) == "Seuls les membres de l'organisation peuvent modifier cette mission."

    organization.verified = False
    organization.save()
    with pytest.raises(PermissionDenied) as refused:
        services.close_mission(org_admin, mission)
    assert str(refused.value) == (
        "Votre organisation n'a pas encore été vérifiée par l'équipe de la mission\xa0: elle ne peut pas publier de "
        "missions."
    )
    assert {m.status for m in Mission.objects.filter(pk__in=[closed.pk, mission.pk])} == {"closed", "published"}


# --- an internship offer's own fields -----------------------------------------------------------------------------


def test_an_internship_offer_without_trade_level_nor_duration_is_refused_with_each_reason(direction):
    offer = InternshipFactory.build(
        organization=direction,
        trade="   ",
        level="",
        duration_weeks=None,
        end_date=None,
        paid=False,
        publication_start=in_days(5),
        publication_end=in_days(4),
    )

    assert services.check_internship(offer) == {
        "trade": ["Indiquez le métier ou le domaine du stage."],
        "level": ["Choisissez le niveau d'études du stage."],
        "duration_weeks": ["Indiquez la durée du stage en semaines, ou sa date de fin."],
        "publication_end": ["La fin de la publication est avant son début."],
    }


def test_an_unpaid_internship_is_refused_beyond_8_weeks_counted_from_its_dates(direction):
    """From day 7 to day 62: 56 days, 8 weeks, accepted unpaid; to day 63, a 9th week begun: it must be paid."""
    eight = InternshipFactory.build(
        organization=direction, paid=False, duration_weeks=None, start_date=in_days(7), end_date=in_days(62)
    )
    nine = InternshipFactory.build(
        organization=direction, paid=False, duration_weeks=None, start_date=in_days(7), end_date=in_days(63)
    )

    assert (services.check_internship(eight), eight.duration_weeks) == ({}, 8)
    assert (services.check_internship(nine), nine.duration_weeks) == (
        {
            "paid": [
                "Un stage de plus de 8 semaines (deux mois) doit être rémunéré\xa0: cochez «\xa0Stage gratifié\xa0», ou "
                "ramenez-le à 8 semaines."
            ]
        },
        9,
    )
    mission = MissionFactory.build(organization=direction, trade="", level="")
    assert services.check_internship(mission) == {}


# --- an invitation: what it keeps, what it tells -------------------------------------------------------------------


def test_an_invitation_keeps_its_own_message_place_and_date_and_tells_them(org_admin, mission, volunteer):
    application = services.apply(volunteer, mission, "")
    when = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=2)

    services.change_status(
        org_admin,
        application,
        "invited",
        "Bonjour {name}",
        {
            "convocation_at": when,
            "convocation_place": "Mairie du 11e",
            "convocation_message": "Apportez une pièce d'identité.",
        },
    )

    answer = client_for(volunteer).get(f"{BASE}applications/{application.pk}/").json()
    assert (answer["status"], answer["convocation_place"], answer["convocation_message"]) == (
        "invited",
        "Mairie du 11e",
        "Apportez une pièce d'identité.",
    )
    assert datetime.datetime.fromisoformat(answer["convocation_at"]) == when
    with translation.override("fr"):
        written = formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")
    assert notice(volunteer, "volunteering.invited").body == (
        f"Bonjour Léa Bénévole\nRendez-vous le {written} — Mairie du 11e"
    )


def test_an_invitation_without_its_own_message_keeps_the_message_sent(org_admin, mission, volunteer):
    application = services.apply(volunteer, mission, "")
    when = timezone.now() + datetime.timedelta(days=2)

    services.change_status(org_admin, application, "invited", "À samedi !", {"convocation_at": when})

    application.refresh_from_db()
    assert (application.convocation_place, application.convocation_message) == ("", "À samedi !")


# --- the reminder of the day before ----------------------------------------------------------------------------------


def test_the_day_before_accepted_and_invited_volunteers_are_reminded_of_the_address(
    organization, django_capture_on_commit_callbacks
):
    tomorrow = MissionFactory(organization=organization, start_date=in_days(1), address="12 rue de la Roquette")
    later = MissionFactory(organization=organization, start_date=in_days(2))
    accepted, invited, submitted, accepted_later = (UserFactory() for _ in range(4))
    ApplicationFactory(mission=tomorrow, volunteer=accepted, status="accepted")
    ApplicationFactory(mission=tomorrow, volunteer=invited, status="invited")
    ApplicationFactory(mission=tomorrow, volunteer=submitted, status="submitted")
    ApplicationFactory(mission=later, volunteer=accepted_later, status="accepted")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_upcoming() == 2

    reminders = Notification.objects.filter(kind="volunteering.upcoming").order_by("recipient_id")
    assert [(n.recipient, n.title, n.body, n.url) for n in reminders] == [
        (
            volunteer,
            f"Rappel\xa0: «\xa0{tomorrow.title}\xa0» commence demain",
            "12 rue de la Roquette",
            tomorrow.get_absolute_url(),
        )
        for volunteer in sorted((accepted, invited), key=lambda u: u.pk)
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([accepted.email, invited.email])
    assert all("12 rue de la Roquette" in m.body for m in mail.outbox)


# --- saved searches ----------------------------------------------------------------------------------------------------


def test_a_saved_search_keeps_the_first_2000_characters_of_its_query(volunteer):
    query = "q=jardin&source=" + "x" * 2100

    saved = services.save_search(volunteer, "volunteering", query)

    assert SavedSearch.objects.get(pk=saved.pk).query == query[:2000]


def test_the_meeting_message_taken_from_the_message_sent_is_filled_in_for_the_volunteer(
    client, org_admin, mission, volunteer
):
    application = services.apply(volunteer, mission, "")
    services.change_status(
        org_admin, application, "invited", "Bonjour {name}", {"convocation_at": timezone.now() + datetime.timedelta(2)}
    )

    client.force_login(volunteer)
    page = client.get("/benevolat/mes-candidatures/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Bonjour Léa Bénévole" in page
    assert "{name}" not in page
