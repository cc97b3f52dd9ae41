import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import HOTEL_DE_VILLE, MONTMARTRE, REPUBLIQUE, MembershipFactory, OrganizationFactory, UserFactory
from tests.volunteering.factories import (
    MINIMAL_PDF,
    ApplicationFactory,
    MissionFactory,
    VolunteerProfileFactory,
    in_days,
)
from volunteering.models import Application, Mission

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteering/"


def point(p):
    return {"type": "Point", "coordinates": [p.x, p.y]}


def create_payload(**extra):
    data = {
        "title": "Collecte de vêtements",
        "description": "Trier les dons et accueillir le public.",
        "themes": ["solidarite"],
        "location": point(REPUBLIQUE),
        "address": "Place de la République",
        "remote": False,
        "start_date": in_days(3).isoformat(),
        "end_date": in_days(40).isoformat(),
        "places": 4,
    }
    data.update(extra)
    return data


class TestMissionsContract:
    def test_create_mission_returns_201_published_with_district(self, org_admin):
        response = client_for(org_admin).post(BASE + "missions/", create_payload(), format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "published"
        assert body["district"] in (3, 10, 11)
        assert body["location"]["coordinates"] == [REPUBLIQUE.x, REPUBLIQUE.y]
        assert body["strategy_status"] == "new"

    def test_member_of_unverified_organisation_gets_403_with_a_reason(self, db):
        user = MembershipFactory(organization=OrganizationFactory(verified=False)).user
        response = client_for(user).post(BASE + "missions/", create_payload(), format="json")
        assert response.status_code == 403
        assert "vérifiée" in response.json()["detail"]
        assert not Mission.objects.exists()

    def test_anonymous_cannot_create(self, api_client):
        assert api_client.post(BASE + "missions/", create_payload(), format="json").status_code == 401

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"start_date": "2020-01-01"}, "start_date"),
            ({"start_date": "demain"}, "start_date"),
            ({"end_date": "2020-01-01"}, "end_date"),
            ({"themes": ["inconnu"]}, "themes"),
            ({"location": {"type": "Point", "coordinates": [2.12, 48.80]}}, "location"),
            ({"location": {"type": "Polygon", "coordinates": []}}, "location"),
            ({"location": None}, "location"),
            ({"places": 0}, "places"),
        ],
    )
    def test_bad_mission_inputs_are_400_in_french(self, org_admin, extra, field):
        response = client_for(org_admin).post(BASE + "missions/", create_payload(**extra), format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()["errors"]
        assert not Mission.objects.exists()

    def test_error_in_french_by_default(self, org_admin):
        response = client_for(org_admin).post(
            BASE + "missions/", create_payload(start_date="2020-01-01"), format="json"
        )
        assert response.json()["errors"]["start_date"] == ["La date de début est passée."]

    def test_error_in_english_on_request(self, org_admin):
        response = client_for(org_admin).post(
            BASE + "missions/", create_payload(start_date="2020-01-01"), format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.json()["errors"]["start_date"] == ["The start date is in the past."]

    def test_list_near_gives_distance_and_sorts_by_distance(self, organization, api_client):
        far = MissionFactory(organization=organization, location=MONTMARTRE.clone())
        near = MissionFactory(organization=organization, location=REPUBLIQUE.clone())
        MissionFactory(organization=organization, status="draft")
        response = api_client.get(
            BASE + "missions/", {"near": f"{HOTEL_DE_VILLE.x},{HOTEL_DE_VILLE.y}", "radius_km": 10}
        )
        assert response.status_code == 200
        results = response.json()["results"]
        assert [r["id"] for r in results] == [near.pk, far.pk]
        assert 1 < results[0]["distance_km"] < results[1]["distance_km"] < 5

    def test_radius_excludes_far_missions(self, organization, api_client):
        MissionFactory(organization=organization, location=MONTMARTRE.clone())
        near = MissionFactory(organization=organization, location=REPUBLIQUE.clone())
        response = api_client.get(
            BASE + "missions/", {"near": f"{HOTEL_DE_VILLE.x},{HOTEL_DE_VILLE.y}", "radius_km": 2}
        )
        assert [r["id"] for r in response.json()["results"]] == [near.pk]

    def test_combined_filters(self, organization, api_client):
        wanted = MissionFactory(
            organization=organization,
            title="Atelier vélo solidaire",
            themes=["mobilite"],
            start_date=in_days(10),
            end_date=in_days(20),
        )
        MissionFactory(organization=organization, title="Atelier vélo", themes=["culture"])
        MissionFactory(
            organization=organization,
            title="Atelier vélo",
            themes=["mobilite"],
            start_date=in_days(50),
            end_date=in_days(60),
        )
        MissionFactory(organization=organization, title="Cours de cuisine", themes=["mobilite"])
        params = {
            "q": "velo",
            "theme": "mobilite",
            "near": f"{HOTEL_DE_VILLE.x},{HOTEL_DE_VILLE.y}",
            "radius_km": 3,
            "date_from": in_days(5).isoformat(),
            "date_to": in_days(25).isoformat(),
            "remote": "false",
        }
        response = api_client.get(BASE + "missions/", params)
        assert [r["id"] for r in response.json()["results"]] == [wanted.pk]

    @pytest.mark.parametrize(
        "params",
        [
            {"near": "2.35,48.85", "radius_km": "0"},
            {"near": "2.35,48.85", "radius_km": "-1"},
            {"near": "2.35,48.85", "radius_km": "5000"},
            {"near": "abc"},
            {"near": "500,48"},
            {"radius_km": "2"},
            {"date_from": "2026-05-01", "date_to": "2026-04-01"},
            {"date_from": "hier"},
            {"theme": "nope"},
            {"district": "21"},
            {"weekday": "9"},
            {"page": "x"},
        ],
    )
    def test_bad_search_inputs_are_400(self, api_client, params):
        response = api_client.get(BASE + "missions/", params)
        assert response.status_code == 400
        assert response.json()["errors"]

    def test_list_query_count_does_not_grow(self, organization, api_client, django_assert_max_num_queries):
        for _ in range(15):
            MissionFactory(organization=organization)
        with django_assert_max_num_queries(6):
            response = api_client.get(BASE + "missions/", {"near": "2.35,48.85", "radius_km": 5})
        assert response.json()["count"] == 15

    def test_draft_mission_is_404_for_the_public(self, organization, api_client):
        mission = MissionFactory(organization=organization, status="draft")
        assert api_client.get(f"{BASE}missions/{mission.pk}/").status_code == 404

    def test_publish_and_close_actions(self, org_admin, organization):
        mission = MissionFactory(organization=organization, status="draft")
        client = client_for(org_admin)
        assert client.post(f"{BASE}missions/{mission.pk}/publish/").json()["status"] == "published"
        assert client.post(f"{BASE}missions/{mission.pk}/close/").json()["status"] == "closed"
        assert client.post(f"{BASE}missions/{mission.pk}/unpublish/").status_code == 409


class TestApplicationsContract:
    def test_apply_with_a_pdf_cv_returns_201(self, mission, volunteer):
        cv = SimpleUploadedFile("mon-cv.pdf", MINIMAL_PDF, content_type="application/pdf")
        response = client_for(volunteer).post(
            f"{BASE}missions/{mission.pk}/applications/", {"message": "Bonjour", "cv": cv}, format="multipart"
        )
        assert response.status_code == 201, response.content
        assert response.json()["has_cv"] is True
        assert response.json()["status"] == "submitted"

    def test_second_application_is_409_with_a_message(self, mission, volunteer):
        client = client_for(volunteer)
        client.post(f"{BASE}missions/{mission.pk}/applications/", {"message": "1"}, format="json")
        response = client.post(f"{BASE}missions/{mission.pk}/applications/", {"message": "2"}, format="json")
        assert response.status_code == 409
        assert "déjà" in response.json()["detail"]

    @pytest.mark.parametrize("status", ["full", "closed"])
    def test_application_to_full_or_closed_mission_is_409(self, mission, volunteer, status):
        Mission.objects.filter(pk=mission.pk).update(status=status)
        response = client_for(volunteer).post(
            f"{BASE}missions/{mission.pk}/applications/", {"message": "x"}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["detail"]

    def test_unpublished_mission_is_404_to_apply(self, mission, volunteer):
        Mission.objects.filter(pk=mission.pk).update(status="unpublished")
        response = client_for(volunteer).post(
            f"{BASE}missions/{mission.pk}/applications/", {"message": "x"}, format="json"
        )
        assert response.status_code == 404

    def test_cv_that_is_not_a_pdf_is_400(self, mission, volunteer):
        fake = SimpleUploadedFile("cv.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
        response = client_for(volunteer).post(
            f"{BASE}missions/{mission.pk}/applications/", {"cv": fake}, format="multipart"
        )
        assert response.status_code == 400
        assert "cv" in response.json()["errors"]
        assert not Application.objects.exists()

    def test_unverified_account_gets_403_saying_why(self, mission, unverified):
        response = client_for(unverified).post(f"{BASE}missions/{mission.pk}/applications/", {}, format="json")
        assert response.status_code == 403
        assert "adresse" in response.json()["detail"]

    def test_org_member_lists_the_mission_applications(self, org_admin, mission, django_assert_max_num_queries):
        for _ in range(5):
            ApplicationFactory(mission=mission)
        client = client_for(org_admin)
        with django_assert_max_num_queries(8):
            response = client.get(BASE + "applications/", {"mission": mission.pk})
        assert response.json()["count"] == 5

    def test_applicant_sees_only_their_own(self, mission, volunteer):
        ApplicationFactory(mission=mission)
        mine = ApplicationFactory(mission=mission, volunteer=volunteer)
        response = client_for(volunteer).get(BASE + "applications/", {"mission": mission.pk})
        assert [a["id"] for a in response.json()["results"]] == [mine.pk]
        assert [a["id"] for a in client_for(volunteer).get(BASE + "applications/").json()["results"]] == [mine.pk]

    def test_member_of_another_organisation_gets_404(self, other_org_member, mission):
        application = ApplicationFactory(mission=mission)
        client = client_for(other_org_member)
        assert client.get(BASE + "applications/", {"mission": mission.pk}).status_code == 404
        assert client.get(f"{BASE}applications/{application.pk}/").status_code == 404
        assert (
            client.patch(f"{BASE}applications/{application.pk}/", {"status": "declined"}, format="json").status_code
            == 404
        )
        assert client.get(f"{BASE}applications/{application.pk}/cv/").status_code == 404
        assert client.get(f"{BASE}missions/{mission.pk}/applications.csv").status_code == 404

    def test_patch_status_and_convocation(self, org_admin, mission, django_capture_on_commit_callbacks):
        application = ApplicationFactory(mission=mission)
        client = client_for(org_admin)
        assert (
            client.patch(f"{BASE}applications/{application.pk}/", {"status": "shortlisted"}, format="json").json()[
                "status"
            ]
            == "shortlisted"
        )
        when = (timezone.now() + datetime.timedelta(days=3)).isoformat()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.patch(
                f"{BASE}applications/{application.pk}/",
                {
                    "status": "invited",
                    "message": "Venez nous voir",
                    "convocation_at": when,
                    "convocation_place": "Maison des asso",
                },
                format="json",
            )
        assert response.status_code == 200
        assert response.json()["convocation_place"] == "Maison des asso"
        assert mail.outbox[0].to == [application.volunteer.email]
        assert "Maison des asso" in mail.outbox[0].body

    def test_patch_bad_status_is_400(self, org_admin, mission):
        application = ApplicationFactory(mission=mission)
        response = client_for(org_admin).patch(
            f"{BASE}applications/{application.pk}/", {"status": "hired"}, format="json"
        )
        assert response.status_code == 400

    def test_applicant_cannot_change_their_status(self, mission, volunteer):
        application = ApplicationFactory(mission=mission, volunteer=volunteer)
        response = client_for(volunteer).patch(
            f"{BASE}applications/{application.pk}/", {"status": "accepted"}, format="json"
        )
        assert response.status_code == 403

    def test_bulk(self, org_admin, mission):
        ids = [ApplicationFactory(mission=mission).pk for _ in range(3)]
        response = client_for(org_admin).post(
            BASE + "applications/bulk/", {"ids": ids, "status": "declined", "message": "Merci {name}"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["count"] == 3
        assert set(Application.objects.values_list("status", flat=True)) == {"declined"}

    @pytest.mark.parametrize(
        "payload",
        [{"ids": [], "status": "declined"}, {"ids": [1], "status": "nope"}, {"ids": "abc", "status": "declined"}],
    )
    def test_bulk_bad_inputs_are_400(self, org_admin, payload):
        assert client_for(org_admin).post(BASE + "applications/bulk/", payload, format="json").status_code == 400

    def test_bulk_with_a_foreign_application_changes_nothing(self, org_admin, mission):
        mine, foreign = ApplicationFactory(mission=mission), ApplicationFactory()
        response = client_for(org_admin).post(
            BASE + "applications/bulk/", {"ids": [mine.pk, foreign.pk], "status": "declined"}, format="json"
        )
        assert response.status_code == 400
        mine.refresh_from_db()
        assert mine.status == "submitted"

    def test_withdraw(self, mission, volunteer):
        application = ApplicationFactory(mission=mission, volunteer=volunteer)
        response = client_for(volunteer).post(f"{BASE}applications/{application.pk}/withdraw/")
        assert response.json()["status"] == "withdrawn"

    def test_spontaneous_application_then_attached(self, org_admin, organization, mission, volunteer):
        response = client_for(volunteer).post(
            f"{BASE}organizations/{organization.pk}/applications/", {"message": "Je veux aider"}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["mission"] is None
        patch = client_for(org_admin).patch(
            f"{BASE}applications/{response.json()['id']}/", {"mission": mission.pk}, format="json"
        )
        assert patch.json()["mission"] == mission.pk


class TestCv:
    def _application_with_cv(self, mission, volunteer):
        cv = SimpleUploadedFile("cv.pdf", MINIMAL_PDF, content_type="application/pdf")
        client_for(volunteer).post(f"{BASE}missions/{mission.pk}/applications/", {"cv": cv}, format="multipart")
        return Application.objects.get(volunteer=volunteer)

    def test_cv_readable_by_applicant_and_organisation_only(
        self, mission, volunteer, org_admin, other_org_member, resident, api_client
    ):
        application = self._application_with_cv(mission, volunteer)
        url = f"{BASE}applications/{application.pk}/cv/"
        for user in (volunteer, org_admin):
            response = client_for(user).get(url)
            assert response.status_code == 200
            assert b"".join(response.streaming_content) == MINIMAL_PDF
            assert response["Content-Type"] == "application/pdf"
            assert "no-store" in response["Cache-Control"]
        assert client_for(other_org_member).get(url).status_code == 404
        assert client_for(resident).get(url).status_code == 404
        assert api_client.get(url).status_code == 401

    def test_cv_is_never_served_from_a_public_url(self, client, mission, volunteer):
        application = self._application_with_cv(mission, volunteer)
        for prefix in ("/media/", "/media/public/", "/media/private/", "/static/"):
            assert client.get(prefix + application.cv.name).status_code == 404

    def test_csv_export_for_members(self, org_admin, mission):
        ApplicationFactory(mission=mission, volunteer=UserFactory(display_name="=HYPERLINK(1)"))
        response = client_for(org_admin).get(f"{BASE}missions/{mission.pk}/applications.csv")
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        assert "'=HYPERLINK(1)" in text


class TestRecommendationsAndStats:
    def test_recommendations_have_score_and_reasons(self, mission, django_assert_max_num_queries):
        profile = VolunteerProfileFactory(themes=["solidarite"])
        # Ten queries whatever the number of missions (one is GeoDjango's first spatial_ref_sys lookup).
        with django_assert_max_num_queries(10):
            response = client_for(profile.user).get(BASE + "recommendations/")
        result = response.json()["results"][0]
        assert result["id"] == mission.pk
        assert result["score"] > 0
        assert "1 thème en commun" in result["reasons"]

    def test_recommendations_query_count_does_not_grow_with_missions(
        self, mission, organization, django_assert_max_num_queries
    ):
        profile = VolunteerProfileFactory(themes=["solidarite"])
        client = client_for(profile.user)
        client.get(BASE + "recommendations/")
        for _ in range(6):
            MissionFactory(organization=organization, themes=["solidarite"])
        with django_assert_max_num_queries(10):
            response = client.get(BASE + "recommendations/")
        assert len(response.json()["results"]) == 7

    def test_recommendations_need_login(self, api_client):
        assert api_client.get(BASE + "recommendations/").status_code == 401

    def test_profile_put_and_bad_radius(self, resident):
        client = client_for(resident)
        response = client.put(
            BASE + "profile/",
            {
                "themes": ["culture"],
                "radius_km": 2,
                "home_location": point(HOTEL_DE_VILLE),
                "availability": ["5-morning"],
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        assert client.put(BASE + "profile/", {"radius_km": 0}, format="json").status_code == 400
        assert client.put(BASE + "profile/", {"radius_km": 9999}, format="json").status_code == 400
        assert client.put(BASE + "profile/", {"availability": ["lundi"]}, format="json").status_code == 400

    def test_statistics_for_members_and_public_response_time(
        self, org_admin, organization, mission, other_org_member, api_client
    ):
        a, b = ApplicationFactory(mission=mission), ApplicationFactory(mission=mission)
        Application.objects.filter(pk__in=[a.pk, b.pk]).update(created_at=timezone.now() - datetime.timedelta(hours=10))
        client = client_for(org_admin)
        client.patch(f"{BASE}applications/{a.pk}/", {"status": "accepted"}, format="json")
        client.patch(f"{BASE}applications/{b.pk}/", {"status": "declined"}, format="json")
        stats = client.get(f"{BASE}organizations/{organization.pk}/statistics/").json()
        assert stats["applications"] == 2
        assert stats["acceptance_rate"] == 0.5
        assert 9.9 < stats["response_time_hours"] < 10.1
        assert client_for(other_org_member).get(f"{BASE}organizations/{organization.pk}/statistics/").status_code == 404
        public = api_client.get(f"{BASE}organizations/{organization.pk}/").json()
        assert 9.9 < public["average_response_time_hours"] < 10.1
