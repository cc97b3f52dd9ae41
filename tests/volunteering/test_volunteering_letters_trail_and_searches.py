"""What an applicant reads when a letter or a meeting date is missing, who the trail names, which week's missions the
weekly e-mail carries, whose saved searches a page lists, and what posting a mission costs the database."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.models import Notification
from tests.conftest import client_for
from tests.factories import MONTMARTRE, REPUBLIQUE, UserFactory
from tests.volunteering.factories import (
    ApplicationFactory,
    InternshipFactory,
    MissionFactory,
    VolunteerProfileFactory,
    mission_data,
)
from volunteering import services
from volunteering.models import ApplicationEvent, Mission, SavedSearch

pytestmark = pytest.mark.django_db

BASE = "/api/v1/volunteering/"
POST_QUERIES, CHANGE_QUERIES = 34, 18  # posting a mission (with its inbox copy) and changing its title


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


def test_an_invitation_to_a_past_meeting_says_so_in_french(org_admin, organization, volunteer):
    application = ApplicationFactory(mission=MissionFactory(organization=organization), volunteer=volunteer)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    response = client_for(org_admin).patch(
        f"{BASE}applications/{application.pk}/", {"status": "invited", "convocation_at": yesterday}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["convocation_at"] == ["La date du rendez-vous est passée."]
    application.refresh_from_db()
    assert (application.status, application.convocation_at) == ("submitted", None)


def test_applying_twice_says_so_in_french(mission, volunteer):
    services.apply(volunteer, mission, "Bonjour")
    response = client_for(volunteer).post(f"{BASE}missions/{mission.pk}/applications/", {"message": "Encore"})
    assert response.status_code == 409
    assert response.json()["detail"] == "Vous avez déjà candidaté à cette mission."
    assert mission.applications.count() == 1


def test_posting_for_an_organisation_one_is_not_a_member_of_says_so(org_admin, other_org_member):
    theirs = other_org_member.organizations.get()
    with pytest.raises(PermissionDenied) as refused:
        services.create_mission(org_admin, mission_data(), organization=theirs)
    assert str(refused.value) == "Vous n'êtes pas membre de cette organisation."
    assert not theirs.missions.exists()


def test_a_mission_untouched_for_three_months_asks_its_members_if_it_is_current(org_admin, organization):
    mission = MissionFactory(organization=organization, title="Potager du square")
    Mission.objects.filter(pk=mission.pk).update(updated_at=timezone.now() - datetime.timedelta(days=95))

    assert services.remind_untouched() == 1

    notification = Notification.objects.get(recipient=org_admin, kind="volunteering.untouched")
    assert (
        notification.title
        == "«\xa0Potager du square\xa0» n'a pas changé depuis 3 mois\xa0: est-elle toujours d'actualité\xa0?"
    )
    assert notification.url == f"/benevolat/missions/{mission.pk}/modifier/"


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


def test_the_internships_page_lists_only_ones_own_saved_internship_searches(client):
    student = UserFactory(email="etudiant@example.org")
    services.save_search(UserFactory(email="autre-etudiant@example.org"), "internship", "level=bac_3")
    services.save_search(student, "internship", "level=bac_5")
    services.save_search(student, "volunteering", "q=maraude")
    assert [s.query for s in services.saved_searches_of(student, "internship")] == ["level=bac_5"]
    assert [s.query for s in services.saved_searches_of(student, "volunteering")] == ["q=maraude"]
    assert services.saved_searches_of(AnonymousUser(), "internship") == []

    client.force_login(student)
    page = client.get("/benevolat/stages/").content.decode()
    assert "level=bac_5" in page and "maraude" not in page and "level=bac_3" not in page


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


def test_a_search_around_a_place_is_saved_and_its_alert_keeps_to_the_radius(client, direction):
    # The page sends the place as typed with its point (near, near_lon, near_lat, near_for): the search is saved as
    # such, and its weekly e-mail searches around the point, as the page does.
    student = UserFactory(email="etudiant@example.org")
    client.force_login(student)
    query = (
        "near=Place+de+la+R%C3%A9publique&near_lon=2.3631&near_lat=48.8675"
        "&near_for=Place+de+la+R%C3%A9publique&radius_km=1"
    )
    response = client.post(
        "/benevolat/recherches/enregistrer/", {"kind": "internship", "query": query, "weekly_email": "on"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Votre recherche a été enregistrée."]
    saved = student.saved_searches.get()
    assert saved.weekly_email and "radius_km=1" in saved.query
    InternshipFactory(organization=direction, title="Stage place de la République", location=REPUBLIQUE)
    InternshipFactory(organization=direction, title="Stage à Montmartre", location=MONTMARTRE)  # 2.4 km away

    assert services.send_saved_search_alerts() == 1

    notification = Notification.objects.get(recipient=student, kind="volunteering.saved_search")
    assert notification.title == "Une nouvelle offre pour votre recherche enregistrée"
    assert "Stage place de la République" in notification.body and "Montmartre" not in notification.body


def test_the_alert_of_several_offers_counts_them(direction):
    student = UserFactory(email="etudiant@example.org")
    services.save_search(student, "internship", "level=bac_5", weekly_email=True)
    for n in range(2):
        InternshipFactory(organization=direction, level="bac_5", title=f"Stage d'ingénieur n°{n}")

    assert services.send_saved_search_alerts() == 1

    notification = Notification.objects.get(recipient=student, kind="volunteering.saved_search")
    assert notification.title == "2 nouvelles offres pour votre recherche enregistrée"
    assert notification.body.count("• Stage d'ingénieur") == 2


def test_a_search_around_a_place_nobody_can_find_is_not_saved(client):
    student = UserFactory(email="etudiant@example.org")
    client.force_login(student)
    response = client.post(
        "/benevolat/recherches/enregistrer/",
        {"kind": "internship", "query": "near=Zzyzx+qwxv&radius_km=1"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Cette recherche contient des filtres invalides\xa0: corrigez-les avant de l'enregistrer."
    ]
    assert not student.saved_searches.exists()


def test_a_search_saved_without_asking_for_e_mails_sends_none():
    student = UserFactory(email="etudiant@example.org")
    assert services.save_search(student, "internship", "level=bac_5").weekly_email is False


# --- posting or changing a mission: a fixed number of queries ---------------------------------------------------


def test_posting_and_changing_a_mission_cost_a_fixed_number_of_queries(org_admin, django_assert_max_num_queries):
    # The service validates the fields it was given, not the organisation, author and arrondissement it set itself:
    # each of those would be one more query per mission posted.
    services.create_mission(org_admin, mission_data())  # warms the caches (themes, districts, permissions)
    with django_assert_max_num_queries(POST_QUERIES):
        mission = services.create_mission(org_admin, mission_data(title="Collecte de vêtements"))
    with django_assert_max_num_queries(CHANGE_QUERIES):
        services.update_mission(org_admin, mission, {"title": "Collecte de vêtements chauds"})
