"""What an applicant reads when a letter or a meeting date is missing, who the trail names, which week's missions the
weekly e-mail carries, whose saved searches a page lists, and what posting a mission costs the database."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.volunteering.factories import (
    ApplicationFactory,
    InternshipFactory,
    MissionFactory,
    VolunteerProfileFactory,
    mission_data,
)
from volunteering import services
from volunteering.models import ApplicationEvent, SavedSearch

pytestmark = pytest.mark.django_db

BASE = "/api/v1/volunteering/"


# --- what the applicant and the organisation read ---------------------------------------------------------------


def test_an_internship_application_without_a_letter_asks_for_one_in_french(direction):
    stage = InternshipFactory(organization=direction)
    response = client_for(UserFactory(email="etudiant@example.org")).post(
        f"{BASE}missions/{stage.pk}/applications/", {"message": "  "}, format="multipart"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["message"] == ["Écrivez une lettre de motivation\xa0: dites pourquoi ce stage vous intéresse."]
    assert errors["cv"] == ["Une candidature à un stage demande votre CV (PDF)."]
    assert not stage.applications.exists()


def test_an_invitation_without_a_date_asks_for_one_and_changes_nothing(org_admin, organization, volunteer):
    application = ApplicationFactory(mission=MissionFactory(organization=organization), volunteer=volunteer)
    response = client_for(org_admin).patch(
        f"{BASE}applications/{application.pk}/", {"status": "invited", "message": "Venez nous voir"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["convocation_at"] == ["Indiquez la date et l'heure du rendez-vous."]
    application.refresh_from_db()
    assert application.status == "submitted"
    assert not Notification.objects.filter(recipient=volunteer).exists()


def test_a_stranger_is_told_who_may_write_about_an_application(organization, volunteer):
    application = ApplicationFactory(mission=MissionFactory(organization=organization), volunteer=volunteer)
    stranger = UserFactory(email="curieux@example.org")
    with pytest.raises(PermissionDenied) as refused:
        services.post_application_message(stranger, application, "Bonjour")
    assert str(refused.value) == "Seuls la personne bénévole et les membres de l’organisation peuvent écrire ici."
    assert not application.messages.exists()


def test_the_trail_names_the_volunteer_who_withdrew(organization, volunteer):
    application = ApplicationFactory(mission=MissionFactory(organization=organization), volunteer=volunteer)
    services.withdraw(volunteer, application)
    withdrawal = ApplicationEvent.objects.get(application=application, to_status="withdrawn")
    assert (withdrawal.actor, withdrawal.from_status) == (volunteer, "submitted")


# --- the weekly matches e-mail: the last seven days only -------------------------------------------------------


def test_the_weekly_matches_carry_the_missions_of_the_last_seven_days_only(organization):
    now = timezone.now()
    this_week = MissionFactory(organization=organization, title="Maraude de cette semaine")
    this_week.published_at = now - datetime.timedelta(days=6, hours=23)
    this_week.save(update_fields=["published_at"])
    last_week = MissionFactory(organization=organization, title="Maraude de la semaine dernière")
    last_week.published_at = now - datetime.timedelta(days=7, hours=1)
    last_week.save(update_fields=["published_at"])
    profile = VolunteerProfileFactory(themes=["solidarite"], weekly_email=True)

    assert services.send_weekly_matches(now=now) == 1

    body = Notification.objects.get(recipient=profile.user, kind="volunteering.matches").body
    assert "Maraude de cette semaine" in body
    assert "Maraude de la semaine dernière" not in body


def test_no_weekly_matches_when_every_match_is_older_than_a_week(organization):
    now = timezone.now()
    old = MissionFactory(organization=organization)
    old.published_at = now - datetime.timedelta(days=8)
    old.save(update_fields=["published_at"])
    profile = VolunteerProfileFactory(themes=["solidarite"], weekly_email=True)

    assert services.send_weekly_matches(now=now) == 0
    assert not Notification.objects.filter(recipient=profile.user, kind="volunteering.matches").exists()


# --- saved searches: one's own, of one kind ---------------------------------------------------------------------


def test_the_internships_page_lists_only_the_saved_internship_searches(client):
    student = UserFactory(email="etudiant@example.org")
    services.save_search(student, "internship", "level=bac_5")
    services.save_search(student, "volunteering", "q=maraude")
    assert [s.query for s in services.saved_searches_of(student, "internship")] == ["level=bac_5"]
    assert [s.query for s in services.saved_searches_of(student, "volunteering")] == ["q=maraude"]
    assert services.saved_searches_of(AnonymousUser(), "internship") == []

    client.force_login(student)
    page = client.get("/benevolat/stages/").content.decode()
    assert "level=bac_5" in page and "maraude" not in page


def test_deleting_a_saved_search_takes_ones_own_only_and_nothing_for_a_visitor():
    student = UserFactory(email="etudiant@example.org")
    other = UserFactory(email="autre@example.org")
    mine = services.save_search(student, "internship", "level=bac_5")
    theirs = services.save_search(other, "internship", "paid=true")

    assert services.delete_saved_search(AnonymousUser(), mine.pk) is None
    assert services.delete_saved_search(student, theirs.pk) is None
    assert SavedSearch.objects.count() == 2
    assert services.delete_saved_search(student, mine.pk).query == "level=bac_5"
    assert list(SavedSearch.objects.values_list("user__email", flat=True)) == ["autre@example.org"]


# --- posting or changing a mission: a fixed number of queries ---------------------------------------------------


def test_posting_and_changing_a_mission_cost_a_fixed_number_of_queries(org_admin, django_assert_max_num_queries):
    # The service validates the fields it was given, not the organisation, author and arrondissement it set itself:
    # each of those would be one more query per mission posted.
    services.create_mission(org_admin, mission_data())  # warms the caches (themes, districts, permissions)
    with django_assert_max_num_queries(POST_QUERIES):
        mission = services.create_mission(org_admin, mission_data(title="Collecte de vêtements"))
    with django_assert_max_num_queries(CHANGE_QUERIES):
        services.update_mission(org_admin, mission, {"title": "Collecte de vêtements chauds"})


POST_QUERIES = 34
CHANGE_QUERIES = 18
