import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import HOTEL_DE_VILLE
from tests.volunteering.factories import (
    MINIMAL_PDF,
    ApplicationFactory,
    MissionFactory,
    VolunteerProfileFactory,
    in_days,
)
from volunteering.models import Application, Mission

pytestmark = pytest.mark.django_db


def test_search_page_with_filters_facets_and_map(client, organization, django_assert_max_num_queries):
    for _ in range(12):
        MissionFactory(organization=organization, themes=["culture"])
    MissionFactory(organization=organization, title="Maraude du soir", themes=["solidarite"])
    with django_assert_max_num_queries(14):
        response = client.get(
            "/benevolat/", {"theme": "solidarite", "near": f"{HOTEL_DE_VILLE.x},{HOTEL_DE_VILLE.y}", "radius_km": 3}
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Maraude du soir" in html
    assert 'id="missions-points"' in html
    assert 'Culture <span class="meta">(12)</span>' in html


def test_search_page_shows_bad_filters_without_crashing(client):
    response = client.get("/benevolat/", {"radius_km": "-3", "near": "2.35,48.85"})
    assert response.status_code == 200
    assert "rayon" in response.content.decode()


def test_mission_page_counts_views_and_applies_with_a_pdf(client, mission, volunteer):
    client.get(mission.get_absolute_url())
    mission.refresh_from_db()
    assert mission.views_count == 1
    client.force_login(volunteer)
    cv = SimpleUploadedFile("cv.pdf", MINIMAL_PDF, content_type="application/pdf")
    response = client.post(mission.get_absolute_url(), {"message": "Motivée !", "cv": cv})
    assert response.status_code == 302
    assert Application.objects.get().cv


def test_mission_page_refuses_a_fake_pdf(client, mission, volunteer):
    client.force_login(volunteer)
    fake = SimpleUploadedFile("cv.pdf", b"GIF89a", content_type="application/pdf")
    response = client.post(mission.get_absolute_url(), {"message": "x", "cv": fake})
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert not Application.objects.exists()


def test_draft_mission_page_is_404_for_others(client, organization):
    assert client.get(MissionFactory(organization=organization, status="draft").get_absolute_url()).status_code == 404


def test_dashboard_is_404_for_another_organisation(client, organization, other_org_member):
    client.force_login(other_org_member)
    assert client.get(f"/benevolat/organisations/{organization.slug}/tableau-de-bord/").status_code == 404


def test_dashboard_lists_applications_and_bulk_declines(
    client, org_admin, organization, mission, django_assert_max_num_queries
):
    apps = [ApplicationFactory(mission=mission) for _ in range(8)]
    client.force_login(org_admin)
    url = f"/benevolat/organisations/{organization.slug}/tableau-de-bord/"
    with django_assert_max_num_queries(20):
        response = client.get(url, {"mission": mission.pk})
    assert response.status_code == 200
    assert apps[0].volunteer.email in response.content.decode()
    response = client.post(
        f"/benevolat/organisations/{organization.slug}/candidatures/",
        {
            "ids": [a.pk for a in apps[:5]],
            "status": "declined",
            "message": "Merci {name}",
            "back": f"?mission={mission.pk}",
        },
    )
    assert response.status_code == 302
    assert Application.objects.filter(status="declined").count() == 5


def test_cv_page_download_only_for_allowed(client, mission, volunteer, org_admin, other_org_member):
    application = ApplicationFactory(mission=mission, volunteer=volunteer)
    application.cv.save("x.pdf", SimpleUploadedFile("x.pdf", MINIMAL_PDF), save=True)
    url = f"/benevolat/candidatures/{application.pk}/cv/"
    client.force_login(other_org_member)
    assert client.get(url).status_code == 404
    client.force_login(org_admin)
    assert client.get(url).status_code == 200


def test_mission_form_creates_and_unverified_cannot(client, org_admin):
    client.force_login(org_admin)
    response = client.post(
        "/benevolat/missions/nouvelle/",
        {
            "title": "Lecture aux aînés",
            "description": "Lire le journal aux résidents d'un EHPAD.",
            "themes": ["solidarite", "culture"],
            "longitude": "2.3522",
            "latitude": "48.8566",
            "schedule": "recurring",
            "weekdays": ["2"],
            "time_slots": ["afternoon"],
            "start_date": in_days(5).isoformat(),
            "end_date": in_days(90).isoformat(),
            "commitment": "hours_per_week",
            "commitment_hours": "2",
            "places": "3",
            "action": "publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    mission = Mission.objects.get()
    assert (mission.status, mission.district.number, mission.weekdays) == ("published", 4, [2])


def test_mission_form_past_date_shows_the_error(client, org_admin):
    client.force_login(org_admin)
    response = client.post(
        "/benevolat/missions/nouvelle/",
        {
            "title": "x",
            "description": "y",
            "themes": ["culture"],
            "remote": "on",
            "schedule": "one_off",
            "start_date": "2020-01-01",
            "commitment": "total_hours",
            "commitment_hours": "3",
            "places": "1",
        },
    )
    assert response.status_code == 200
    assert "La date de début est passée." in response.content.decode()


def test_resident_cannot_open_the_mission_form(client, resident):
    client.force_login(resident)
    assert client.get("/benevolat/missions/nouvelle/").status_code == 403


def test_for_you_profile_and_my_applications_pages(client, mission, volunteer):
    VolunteerProfileFactory(user=volunteer, themes=["solidarite"])
    ApplicationFactory(mission=mission, volunteer=volunteer)
    other = MissionFactory(organization=mission.organization, title="Soupe solidaire")
    client.force_login(volunteer)
    assert other.title in client.get("/benevolat/pour-vous/").content.decode()
    assert "1 thème en commun" in client.get("/benevolat/pour-vous/").content.decode()
    assert client.get("/benevolat/profil/").status_code == 200
    page = client.get("/benevolat/mes-candidatures/").content.decode()
    assert mission.title in page


def test_profile_form_saves(client, volunteer):
    client.force_login(volunteer)
    response = client.post(
        "/benevolat/profil/",
        {
            "themes": ["culture"],
            "availability": ["5-morning"],
            "home_longitude": "2.35",
            "home_latitude": "48.85",
            "radius_km": "2",
            "skills": "cuisine, anglais",
            "languages": "français",
            "weekly_email": "on",
        },
    )
    assert response.status_code == 302
    assert volunteer.volunteer_profile.skills == ["cuisine", "anglais"]


def test_demo_is_idempotent_and_believable(db):
    from accounts import demo as accounts_demo
    from volunteering import demo

    accounts_demo.load()
    demo.load()
    counts = (Mission.objects.count(), Application.objects.count())
    demo.load()
    assert (Mission.objects.count(), Application.objects.count()) == counts
    assert counts[0] >= 30
    assert Mission.objects.values("district").distinct().count() >= 12
