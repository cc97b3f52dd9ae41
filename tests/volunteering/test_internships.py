"""Internships at the City on the volunteering engine: offers, the 8-week rule, search, roles, applications, figures."""

import datetime

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import REPUBLIQUE, MembershipFactory, UserFactory
from tests.volunteering.factories import (
    MINIMAL_PDF,
    ApplicationFactory,
    DirectionFactory,
    InternshipFactory,
    MissionFactory,
    in_days,
    internship_payload,
)
from volunteering import selectors, services
from volunteering.models import Application, Mission

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteering/"


# An interview a fortnight ahead, in Paris time (a meeting more than two years away is refused as a slip of the year).
MEETING_AT = (
    (timezone.localtime() + datetime.timedelta(days=14)).replace(hour=10, minute=0, second=0, microsecond=0).isoformat()
)


def pdf():
    return SimpleUploadedFile("cv.pdf", MINIMAL_PDF, content_type="application/pdf")


class TestPaidBeyondEightWeeks:
    def test_eight_weeks_unpaid_is_accepted(self, correspondent):
        response = client_for(correspondent).post(
            BASE + "missions/", internship_payload(duration_weeks=8), format="json"
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["kind"], body["level"], body["paid"], body["duration_weeks"]) == (
            "internship",
            "cap_bac",
            False,
            8,
        )

    def test_nine_weeks_unpaid_is_400_on_paid_in_french(self, correspondent):
        response = client_for(correspondent).post(
            BASE + "missions/", internship_payload(duration_weeks=9), format="json"
        )
        assert response.status_code == 400
        assert "8 semaines" in response.json()["errors"]["paid"][0]

    def test_nine_weeks_unpaid_is_400_in_english_on_request(self, correspondent):
        client = client_for(correspondent)
        response = client.post(
            BASE + "missions/", internship_payload(duration_weeks=9), format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "must be paid" in response.json()["errors"]["paid"][0]

    @pytest.mark.parametrize("weeks", [1, 9, 26, 52])
    def test_paid_any_length_is_accepted(self, correspondent, weeks):
        response = client_for(correspondent).post(
            BASE + "missions/", internship_payload(paid=True, duration_weeks=weeks), format="json"
        )
        assert response.status_code == 201, response.content

    def test_duration_from_the_dates_when_not_given(self, correspondent, direction):
        data = {k: v for k, v in internship_payload().items() if k not in ("location", "duration_weeks")}
        data.update(location=REPUBLIQUE, start_date=in_days(10), end_date=in_days(10 + 7 * 12 - 1), themes=[])
        with pytest.raises(ValidationError) as error:
            services.create_mission(correspondent, data, organization=direction)
        assert "paid" in error.value.message_dict

    def test_the_database_refuses_it_too(self, direction):
        with pytest.raises(IntegrityError), transaction.atomic():
            InternshipFactory(organization=direction, paid=False, duration_weeks=9)

    def test_the_form_says_so_and_refuses_it(self, client, correspondent):
        client.force_login(correspondent)
        page = client.get("/benevolat/stages/nouveau/")
        assert page.status_code == 200
        assert "plus de 8 semaines" in page.content.decode()
        data = internship_payload(duration_weeks=10, start_date=in_days(10), end_date=in_days(80))
        data.pop("location")
        data.update(address="Parc Monceau", longitude=REPUBLIQUE.x, latitude=REPUBLIQUE.y, action="publish")
        response = client.post("/benevolat/stages/nouveau/", data)
        assert response.status_code == 200
        assert "doit être rémunéré" in response.content.decode()
        assert not Mission.objects.filter(kind="internship").exists()

    def test_an_association_cannot_offer_internships(self, org_admin):
        response = client_for(org_admin).post(BASE + "missions/", internship_payload(), format="json")
        assert response.status_code == 403


class TestSearch:
    def test_each_search_shows_its_own_kind(self, direction, organization, api_client):
        stage = InternshipFactory(organization=direction)
        mission = MissionFactory(organization=organization)
        default = [m["id"] for m in api_client.get(BASE + "missions/").json()["results"]]
        internships = [m["id"] for m in api_client.get(BASE + "missions/", {"kind": "internship"}).json()["results"]]
        assert default == [mission.pk]
        assert internships == [stage.pk]

    def test_filters_by_level_paid_trade_and_duration(self, direction, api_client):
        wanted = InternshipFactory(organization=direction, level="bac_3", paid=True, duration_weeks=20)
        InternshipFactory(organization=direction, level="bac_3", paid=False, duration_weeks=6)
        InternshipFactory(organization=direction, level="cap_bac", paid=True, duration_weeks=20)
        InternshipFactory(organization=direction, level="bac_3", paid=True, duration_weeks=20, trade="Comptable")
        params = {"kind": "internship", "level": "bac_3", "paid": "true", "trade": "jardinier", "duration_min": 10}
        results = api_client.get(BASE + "missions/", params).json()["results"]
        assert [m["id"] for m in results] == [wanted.pk]

    def test_outside_its_publication_dates_an_offer_is_not_listed(self, direction, api_client):
        InternshipFactory(organization=direction, publication_start=in_days(3))
        InternshipFactory(organization=direction, publication_end=in_days(-1))
        assert api_client.get(BASE + "missions/", {"kind": "internship"}).json()["count"] == 0

    @pytest.mark.parametrize(
        "params",
        [{"kind": "stage"}, {"level": "master"}, {"duration_max": 0}, {"paid": "peut-être"}],
    )
    def test_bad_filters_are_400(self, api_client, params):
        response = api_client.get(BASE + "missions/", params)
        assert response.status_code == 400
        assert response.json()["errors"]

    def test_the_tutor_is_never_public(self, direction, api_client, client):
        stage = InternshipFactory(organization=direction, tutor_name="Camille Tuteur")
        assert "tutor_name" not in api_client.get(f"{BASE}missions/{stage.pk}/").json()
        listed = api_client.get(BASE + "missions/", {"kind": "internship"}).json()["results"][0]
        assert "tutor_name" not in listed
        assert "Camille Tuteur" not in client.get(stage.get_absolute_url()).content.decode()

    def test_the_direction_sees_the_tutor(self, direction, correspondent):
        stage = InternshipFactory(organization=direction, tutor_name="Camille Tuteur")
        assert client_for(correspondent).get(f"{BASE}missions/{stage.pk}/").json()["tutor_name"] == "Camille Tuteur"

    def test_the_internship_page_lists_internships_only(self, client, direction, organization):
        InternshipFactory(organization=direction, title="Stage jardinier au parc", level="bac_2")
        MissionFactory(organization=organization, title="Collecte solidaire")
        page = client.get("/benevolat/stages/", {"level": "bac_2", "paid": "true"}).content.decode()
        assert "Stage jardinier au parc" in page and "Collecte solidaire" not in page
        assert "Bac +2" in page or "bac +2" in page.lower()
        volunteering = client.get("/benevolat/").content.decode()
        assert "Collecte solidaire" in volunteering and "Stage jardinier au parc" not in volunteering

    def test_the_internship_page_reports_a_bad_filter(self, client):
        response = client.get("/benevolat/stages/", {"level": "master", "duration_max": "zéro"})
        assert response.status_code == 200
        assert "Niveau d’études" in response.content.decode() or "Niveau d'études" in response.content.decode()

    def test_list_query_count_does_not_grow(self, direction, api_client, client, django_assert_max_num_queries):
        for _ in range(15):
            InternshipFactory(organization=direction)
        with django_assert_max_num_queries(6):
            response = api_client.get(BASE + "missions/", {"kind": "internship", "paid": "true"})
        assert response.json()["count"] == 15
        with django_assert_max_num_queries(20):
            assert client.get("/benevolat/stages/", {"level": "cap_bac"}).status_code == 200


class TestRoles:
    """Who may do what with a direction's internships, as a table."""

    MATRIX = [
        # (who, manage offers, view an application, change an application, office page)
        ("anonymous", False, False, False, False),
        ("applicant", False, True, False, False),
        ("plain_member", False, False, False, False),
        ("correspondent", True, True, True, False),
        ("admin", True, True, True, False),
        ("other_direction", False, False, False, False),
        ("office", False, True, False, True),
    ]

    @pytest.mark.parametrize("who,manage,view,change,office_page", MATRIX)
    def test_matrix(self, who, manage, view, change, office_page, direction, correspondent, plain_member, office):
        stage = InternshipFactory(organization=direction)
        applicant = UserFactory(email="etudiante@example.org")
        application = ApplicationFactory(mission=stage, volunteer=applicant)
        users = {
            "anonymous": AnonymousUser(),
            "applicant": applicant,
            "plain_member": plain_member,
            "correspondent": correspondent,
            "admin": MembershipFactory(organization=direction, user=UserFactory(email="dir@paris.fr")).user,
            "other_direction": MembershipFactory(
                organization=DirectionFactory(name="Direction de la Voirie"), role="correspondent"
            ).user,
            "office": office,
        }
        user = users[who]
        assert rules.has_perm("volunteering.change_mission", user, stage) is manage
        assert user.has_perm("volunteering.view_application", application) is view
        assert user.has_perm("volunteering.change_application", application) is change
        assert user.has_perm("volunteering.view_internship_office") is office_page
        visible = selectors.applications_visible_to(user).filter(pk=application.pk).exists()
        assert visible is view

    def test_a_plain_member_cannot_publish_or_unpublish(self, direction, plain_member):
        stage = InternshipFactory(organization=direction)
        with pytest.raises(PermissionDenied):
            services.unpublish_mission(plain_member, stage)

    def test_the_correspondent_unpublishes_and_publishes(self, direction, correspondent):
        stage = InternshipFactory(organization=direction)
        client = client_for(correspondent)
        assert client.post(f"{BASE}missions/{stage.pk}/unpublish/").json()["status"] == "unpublished"
        assert client.post(f"{BASE}missions/{stage.pk}/publish/").json()["status"] == "published"

    def test_another_direction_cannot_decide_in_bulk(self, direction):
        stage = InternshipFactory(organization=direction)
        application = ApplicationFactory(mission=stage)
        intruder = MembershipFactory(organization=DirectionFactory(name="Direction de la Voirie")).user
        with pytest.raises(ValidationError):
            services.bulk_change_status(intruder, [application.pk], "declined", "Non")


class TestApplications:
    def test_apply_needs_a_cover_letter_and_a_cv(self, direction):
        stage = InternshipFactory(organization=direction)
        student = UserFactory(email="etudiant@example.org")
        with pytest.raises(ValidationError) as error:
            services.apply(student, stage, "")
        assert set(error.value.message_dict) == {"message", "cv"}

    def test_apply_to_several_offers_then_invite_one_and_decline_the_others(self, direction, correspondent):
        student = UserFactory(email="etudiant@example.org")
        offers = [InternshipFactory(organization=direction) for _ in range(3)]
        client = client_for(student)
        ids = []
        for offer in offers:
            response = client.post(
                f"{BASE}missions/{offer.pk}/applications/",
                {"message": "Lettre de motivation", "cv": pdf()},
                format="multipart",
            )
            assert response.status_code == 201, response.content
            assert response.json()["kind"] == "internship"
            ids.append(response.json()["id"])
        manager = client_for(correspondent)
        invited = manager.patch(
            f"{BASE}applications/{ids[0]}/",
            {"status": "invited", "convocation_at": MEETING_AT, "convocation_place": "Parc Monceau"},
            format="json",
        )
        assert invited.status_code == 200, invited.content
        declined = manager.post(
            f"{BASE}applications/bulk/",
            {"ids": ids[1:], "status": "declined", "message": "Merci {name}"},
            format="json",
        )
        assert declined.status_code == 200, declined.content
        statuses = dict(Application.objects.filter(pk__in=ids).values_list("pk", "status"))
        assert statuses == {ids[0]: "invited", ids[1]: "declined", ids[2]: "declined"}
        assert manager.get(f"{BASE}applications/{ids[1]}/cv/").status_code == 200

    def test_spontaneous_application_to_a_direction(self, client, direction, correspondent):
        student = UserFactory(email="spontane@example.org")
        client.force_login(student)
        response = client.post(
            "/benevolat/stages/candidature-spontanee/",
            {
                "organization": direction.pk,
                "wished_trade": "Horticulture",
                "wished_level": "bac_2",
                "available_from": in_days(30).isoformat(),
                "available_weeks": 6,
                "message": "Je souhaite faire mon stage dans vos serres.",
                "cv": pdf(),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        application = Application.objects.get(volunteer=student)
        assert (application.kind, application.wished_level, application.mission_id) == ("internship", "bac_2", None)
        assert correspondent.has_perm("volunteering.change_application", application)
        stage = InternshipFactory(organization=direction)
        services.attach_to_mission(correspondent, application, stage)
        volunteering = MissionFactory(organization=direction)
        application.mission = None
        with pytest.raises(ValidationError):
            services.attach_to_mission(correspondent, application, volunteering)

    def test_spontaneous_internship_only_to_a_direction(self, organization):
        student = UserFactory(email="spontane@example.org")
        with pytest.raises(ValidationError):
            services.apply_spontaneously(student, organization, "Bonjour", internship={"wished_level": "bac_2"})


class TestFigures:
    def test_per_direction_and_per_level(self, direction, correspondent, office, client, django_assert_max_num_queries):
        stage = InternshipFactory(organization=direction, level="bac_3")
        first = ApplicationFactory(mission=stage)
        ApplicationFactory(mission=stage)
        services.change_status(correspondent, first, "accepted")
        figures = selectors.internship_figures()
        row = figures["directions"][0]
        assert (row["offers"], row["applications"], row["placed"], row["answered_share"]) == (1, 2, 1, 50)
        assert row["median_answer_hours"] is not None
        bac_3 = next(level for level in figures["levels"] if level["name"] == Mission.Level.BAC_3.label)
        assert (bac_3["offers"], bac_3["applications"], bac_3["placed"]) == (1, 2, 1)
        client.force_login(office)
        with django_assert_max_num_queries(19):  # a fixed number of grouped queries
            page = client.get("/benevolat/stages/bureau-des-stages/")
        assert page.status_code == 200
        assert "Délai médian" in page.content.decode() or "médian" in page.content.decode()

    def test_a_direction_sees_its_own_figures_only(self, client, direction, correspondent, plain_member):
        client.force_login(correspondent)
        assert client.get("/benevolat/stages/bureau-des-stages/", {"direction": direction.slug}).status_code == 200
        assert client.get("/benevolat/stages/bureau-des-stages/").status_code == 404
        client.force_login(plain_member)
        assert client.get("/benevolat/stages/bureau-des-stages/", {"direction": direction.slug}).status_code == 404


class TestPages:
    def test_the_correspondent_edits_and_unpublishes_the_offer(self, client, direction, correspondent):
        stage = InternshipFactory(organization=direction, paid=True, duration_weeks=12)
        client.force_login(correspondent)
        page = client.get(f"/benevolat/missions/{stage.pk}/modifier/")
        assert page.status_code == 200
        assert (
            "Modifier l’offre de stage" in page.content.decode() or "Modifier l'offre de stage" in page.content.decode()
        )
        form = page.context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None and k not in ("address", "themes", "skills")}
        data.update(
            address="Place de la République",
            longitude=REPUBLIQUE.x,
            latitude=REPUBLIQUE.y,
            paid="on",
            skills="",
            action="unpublish",
        )
        response = client.post(f"/benevolat/missions/{stage.pk}/modifier/", data)
        assert response.status_code == 302, response.context["form"].errors
        stage.refresh_from_db()
        assert stage.status == "unpublished"

    def test_a_plain_member_sees_no_internship_on_the_dashboard(self, client, direction, plain_member):
        stage = InternshipFactory(organization=direction, title="Stage secret de la direction")
        ApplicationFactory(mission=stage)
        client.force_login(plain_member)
        page = client.get(f"/benevolat/organisations/{direction.slug}/tableau-de-bord/")
        assert page.status_code == 200
        assert "Stage secret de la direction" not in page.content.decode()
        assert client.get(f"/benevolat/missions/{stage.pk}/modifier/").status_code == 404


class TestSavedSearch:
    def test_saved_search_sends_the_new_matching_offers_weekly(self, client, direction):
        student = UserFactory(email="alerte@example.org")
        client.force_login(student)
        response = client.post(
            "/benevolat/recherches/enregistrer/",
            {"kind": "internship", "query": "level=bac_3&paid=true&page=2", "weekly_email": "on"},
        )
        assert response.status_code == 302
        saved = student.saved_searches.get()
        assert (saved.query, saved.weekly_email) == ("level=bac_3&paid=true", True)
        InternshipFactory(organization=direction, level="bac_3", paid=True, title="Stage paysagiste bac +3")
        InternshipFactory(organization=direction, level="cap_bac", paid=True, title="Stage CAP")
        assert services.send_saved_search_alerts() == 1
        assert services.send_saved_search_alerts() == 0  # weekly
        from core.models import Notification

        notification = Notification.objects.get(recipient=student, kind="volunteering.saved_search")
        body = notification.body
        assert notification.title == "Une nouvelle offre pour votre recherche enregistrée"
        assert "Stage paysagiste bac +3" in body and "Stage CAP" not in body

    def test_an_invalid_search_is_not_saved(self, client):
        client.force_login(UserFactory(email="alerte@example.org"))
        response = client.post("/benevolat/recherches/enregistrer/", {"kind": "internship", "query": "level=master"})
        assert response.status_code == 302
        assert not Mission.objects.exists()
        from volunteering.models import SavedSearch

        assert not SavedSearch.objects.exists()
