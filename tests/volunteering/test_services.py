import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import Notification
from serving.rest import Conflict
from tests.factories import (
    HOTEL_DE_VILLE,
    MONTMARTRE,
    VERSAILLES,
    MembershipFactory,
    OrganizationFactory,
    UnverifiedUserFactory,
    UserFactory,
    theme,
)
from tests.volunteering.factories import (
    MINIMAL_PDF,
    ApplicationFactory,
    MissionFactory,
    VolunteerProfileFactory,
    in_days,
    mission_data,
)
from volunteering import selectors, services
from volunteering.models import Application, ApplicationEvent, Mission, Solicitation

pytestmark = pytest.mark.django_db


def pdf(content=MINIMAL_PDF, name="cv.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class TestMissions:
    def test_create_stores_the_district_and_publishes(self, org_admin):
        mission = services.create_mission(org_admin, mission_data())
        assert mission.status == Mission.Status.PUBLISHED
        assert mission.district.number in (3, 10, 11)
        assert mission.published_at is not None

    def test_one_off_mission_keeps_its_own_weekday_and_end(self, org_admin):
        day = in_days(5)
        mission = services.create_mission(org_admin, mission_data(schedule="one_off", start_date=day, end_date=None))
        assert mission.end_date == day
        assert mission.weekdays == [day.weekday()]

    def test_search_vector_is_generated_with_french_stemming(self, org_admin):
        services.create_mission(org_admin, mission_data(title="Jardinage écologique"))
        assert selectors.search_missions(selectors.MissionFilters(q="ecologiques jardinages")).count() == 1

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"start_date": datetime.date(2020, 1, 1)}, "start_date"),
            ({"end_date": "before"}, "end_date"),
            ({"location": None}, "location"),
            ({"location": VERSAILLES.clone()}, "location"),
            ({"places": 0}, "places"),
        ],
    )
    def test_bad_mission_inputs_are_refused_and_nothing_is_saved(self, org_admin, extra, field):
        if extra.get("end_date") == "before":
            extra["end_date"] = in_days(1)
        with pytest.raises(ValidationError) as error:
            services.create_mission(org_admin, mission_data(**extra))
        assert field in error.value.message_dict
        assert not Mission.objects.exists()

    def test_remote_mission_needs_no_place(self, org_admin):
        mission = services.create_mission(org_admin, mission_data(location=None, remote=True))
        assert mission.district is None

    def test_member_of_unverified_organisation_cannot_publish(self, db):
        user = MembershipFactory(organization=OrganizationFactory(verified=False)).user
        with pytest.raises(PermissionDenied, match="vérifiée"):
            services.create_mission(user, mission_data())

    def test_resident_without_organisation_cannot_publish(self, resident):
        with pytest.raises(PermissionDenied):
            services.create_mission(resident, mission_data())

    def test_member_of_several_organisations_must_choose(self, org_admin):
        MembershipFactory(user=org_admin)
        with pytest.raises(ValidationError) as error:
            services.create_mission(org_admin, mission_data())
        assert "organization" in error.value.message_dict

    def test_publish_unpublish_close(self, org_admin, mission):
        assert services.unpublish_mission(org_admin, mission).status == "unpublished"
        assert services.publish_mission(org_admin, mission).status == "published"
        assert services.close_mission(org_admin, mission).status == "closed"
        with pytest.raises(Conflict):
            services.unpublish_mission(org_admin, mission)

    def test_other_organisation_cannot_change_a_mission(self, other_org_member, mission):
        with pytest.raises(PermissionDenied):
            services.close_mission(other_org_member, mission)

    def test_missions_past_their_end_date_expire_and_the_organisation_is_told(self, org_admin, mission):
        Mission.objects.filter(pk=mission.pk).update(start_date=in_days(-30), end_date=in_days(-1))
        assert services.expire_missions() == 1
        mission.refresh_from_db()
        assert mission.status == "expired"
        assert Notification.objects.filter(recipient=org_admin, kind="volunteering.expired").exists()


class TestApplications:
    def test_apply_notifies_the_organisation_by_mail_and_in_app(
        self, org_admin, mission, volunteer, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            application = services.apply(volunteer, mission, "Bonjour !", pdf())
        assert application.status == "submitted"
        assert application.cv.name.startswith("volunteering/cv/")
        assert Notification.objects.filter(recipient=org_admin, kind="volunteering.application").exists()
        assert [m.to for m in mail.outbox] == [[org_admin.email]]
        assert ApplicationEvent.objects.filter(application=application, to_status="submitted").exists()

    def test_second_application_is_a_conflict(self, mission, volunteer):
        services.apply(volunteer, mission, "")
        with pytest.raises(Conflict, match="déjà candidaté"):
            services.apply(volunteer, mission, "encore")
        assert Application.objects.count() == 1

    @pytest.mark.parametrize("status", ["closed", "unpublished", "draft", "expired"])
    def test_application_to_a_mission_not_open_is_a_conflict(self, mission, volunteer, status):
        Mission.objects.filter(pk=mission.pk).update(status=status)
        with pytest.raises(Conflict):
            services.apply(volunteer, mission, "")

    def test_unverified_account_cannot_apply(self, mission):
        with pytest.raises(PermissionDenied, match="Confirmez"):
            services.apply(UnverifiedUserFactory(), mission, "")

    @pytest.mark.parametrize(
        "content",
        [b"hello, I am not a PDF", b"%PDF-1.4\ngarbage without objects", b"MZ\x90\x00" + MINIMAL_PDF],
    )
    def test_cv_must_be_a_real_pdf(self, mission, volunteer, content):
        with pytest.raises(ValidationError) as error:
            services.apply(volunteer, mission, "", pdf(content, name="cv.pdf"))
        assert "cv" in error.value.message_dict
        assert not Application.objects.exists()

    def test_cv_over_5_mb_is_refused(self, mission, volunteer):
        big = MINIMAL_PDF[:-6] + b" " * (5 * 1024 * 1024) + b"%%EOF\n"
        with pytest.raises(ValidationError, match="5 Mo"):
            services.apply(volunteer, mission, "", pdf(big))

    def test_accepting_fills_places_and_turns_the_mission_full(self, org_admin, volunteer):
        mission = MissionFactory(organization=org_admin.organizations.first(), places=1)
        application = services.apply(volunteer, mission, "")
        services.change_status(org_admin, application, "accepted", "Bienvenue {name} !")
        mission.refresh_from_db()
        assert (mission.accepted_count, mission.status) == (1, "full")
        assert (
            Notification.objects.get(recipient=volunteer, kind="volunteering.accepted").body
            == "Bienvenue Léa Bénévole !"
        )

    def test_full_mission_keeps_a_waiting_list_and_tells_when_a_place_frees_up(self, org_admin, volunteer):
        mission = MissionFactory(organization=org_admin.organizations.first(), places=1)
        first = services.apply(volunteer, mission, "")
        services.change_status(org_admin, first, "accepted")
        late = UserFactory()
        with pytest.raises(Conflict, match="liste d.attente"):
            services.apply(late, mission, "")
        waiting = services.apply(late, mission, "", waiting_list=True)
        assert waiting.status == "waitlisted"
        services.withdraw(volunteer, first)
        mission.refresh_from_db()
        assert (mission.accepted_count, mission.status) == (0, "published")
        assert Notification.objects.filter(recipient=org_admin, kind="volunteering.waiting_list").exists()

    def test_accepting_beyond_the_places_is_a_conflict(self, org_admin):
        mission = MissionFactory(organization=org_admin.organizations.first(), places=1)
        a, b = ApplicationFactory(mission=mission), ApplicationFactory(mission=mission)
        services.change_status(org_admin, a, "accepted")
        with pytest.raises(Conflict, match="plus de place"):
            services.change_status(org_admin, b, "accepted")

    def test_invitation_needs_a_future_date_and_is_sent(self, org_admin, mission, volunteer):
        application = services.apply(volunteer, mission, "")
        with pytest.raises(ValidationError):
            services.change_status(org_admin, application, "invited", "")
        when = timezone.now() + datetime.timedelta(days=2)
        services.change_status(
            org_admin,
            application,
            "invited",
            "À bientôt",
            {"convocation_at": when, "convocation_place": "12 rue Oberkampf"},
        )
        application.refresh_from_db()
        assert application.convocation_place == "12 rue Oberkampf"
        assert application.first_response_at is not None
        assert "12 rue Oberkampf" in Notification.objects.get(recipient=volunteer, kind="volunteering.invited").body

    def test_impossible_transition_is_refused(self, org_admin, mission, volunteer):
        application = services.apply(volunteer, mission, "")
        services.change_status(org_admin, application, "declined")
        with pytest.raises(ValidationError):
            services.change_status(org_admin, application, "shortlisted")

    def test_bulk_decline_sends_one_templated_message_to_each(
        self, org_admin, mission, django_capture_on_commit_callbacks
    ):
        apps = [ApplicationFactory(mission=mission) for _ in range(3)]
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.bulk_change_status(org_admin, [a.pk for a in apps], "declined", "Merci {name} pour « {mission} »")
        assert set(Application.objects.values_list("status", flat=True)) == {"declined"}
        bodies = sorted(m.body for m in mail.outbox)
        assert len(bodies) == 3
        assert all(f"pour « {mission.title} »" in b for b in bodies)
        assert apps[0].volunteer.public_name in " ".join(bodies)

    def test_bulk_is_all_or_nothing(self, org_admin, mission, other_org_member):
        mine = ApplicationFactory(mission=mission)
        foreign = ApplicationFactory()
        with pytest.raises(ValidationError, match=str(foreign.pk)):
            services.bulk_change_status(org_admin, [mine.pk, foreign.pk], "declined")
        mine.refresh_from_db()
        assert mine.status == "submitted"

    def test_spontaneous_application_can_be_attached_to_a_mission(self, org_admin, organization, mission, volunteer):
        application = services.apply_spontaneously(volunteer, organization, "Je peux aider !")
        assert application.mission is None
        with pytest.raises(Conflict):
            services.apply_spontaneously(volunteer, organization, "Encore moi")
        services.attach_to_mission(org_admin, application, mission)
        application.refresh_from_db()
        assert application.mission == mission


class TestReminders:
    def test_unanswered_applications_remind_the_organisation_once(self, org_admin, mission):
        application = ApplicationFactory(mission=mission)
        Application.objects.filter(pk=application.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
        assert services.remind_unanswered() == 1
        assert services.remind_unanswered() == 0
        assert Notification.objects.filter(recipient=org_admin, kind="volunteering.unanswered").count() == 1

    def test_untouched_missions_ask_to_be_updated(self, org_admin, mission):
        Mission.objects.filter(pk=mission.pk).update(updated_at=timezone.now() - datetime.timedelta(days=95))
        assert services.remind_untouched() == 1
        assert services.remind_untouched() == 0

    def test_volunteers_are_reminded_the_day_before(self, org_admin, volunteer):
        mission = MissionFactory(organization=org_admin.organizations.first(), start_date=in_days(1))
        application = services.apply(volunteer, mission, "")
        services.change_status(org_admin, application, "accepted")
        assert services.remind_upcoming() == 1
        assert Notification.objects.filter(recipient=volunteer, kind="volunteering.upcoming").exists()
        assert services.remind_upcoming() == 0  # a second run the same day reminds nobody twice

    def test_weekly_matches_never_more_than_two_a_month(self, mission, django_capture_on_commit_callbacks):
        profile = VolunteerProfileFactory(themes=["solidarite"], weekly_email=True)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_weekly_matches() == 1
        assert mission.title in mail.outbox[0].body
        assert services.send_weekly_matches(now=timezone.now() + datetime.timedelta(days=3)) == 1
        assert services.send_weekly_matches(now=timezone.now() + datetime.timedelta(days=5)) == 0
        assert Solicitation.objects.filter(volunteer=profile.user).count() == 2

    def test_weekly_matches_only_for_opt_in(self, mission):
        VolunteerProfileFactory(themes=["solidarite"], weekly_email=False)
        assert services.send_weekly_matches() == 0


class TestRecommendations:
    def test_ranked_with_human_reasons(self, organization):
        near = MissionFactory(
            organization=organization, location=HOTEL_DE_VILLE.clone(), weekdays=[5], time_slots=["morning"]
        )
        near.themes.set([theme("solidarite"), theme("education"), theme("culture")])
        far = MissionFactory(organization=organization, location=MONTMARTRE.clone())
        MissionFactory(organization=organization, themes=["mobilite"], location=MONTMARTRE.clone())
        profile = VolunteerProfileFactory(
            themes=["solidarite", "education", "culture"], availability=["5-morning"], radius_km=5
        )
        ranked = selectors.recommendations(profile.user)
        assert [m.pk for m in ranked][:2] == [near.pk, far.pk]
        reasons = [str(r) for r in ranked[0].reasons]
        assert reasons[0] == "3 thèmes en commun"
        assert reasons[1] == "à 0,0 km" or reasons[1].endswith("km")
        assert "samedi matin" in reasons[2]
        assert ranked[0].score > ranked[1].score

    def test_missions_already_applied_to_are_not_recommended(self, mission):
        profile = VolunteerProfileFactory(themes=["solidarite"])
        ApplicationFactory(mission=mission, volunteer=profile.user)
        assert selectors.recommendations(profile.user) == []


class TestPrivacy:
    def test_account_erasure_deletes_the_cv_files(self, mission, volunteer, django_capture_on_commit_callbacks):
        application = services.apply(volunteer, mission, "", pdf())
        storage, name = application.cv.storage, application.cv.name
        assert storage.exists(name)
        from core import gdpr

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            gdpr.erase(volunteer)
        assert storage.exists(name)  # not before the deletion is committed: a rollback keeps rows and files
        for callback in callbacks:
            callback()
        assert not storage.exists(name)
        assert not Application.objects.filter(volunteer=volunteer).exists()

    def test_cvs_are_deleted_six_months_after_the_mission_ends(self, mission, volunteer):
        application = services.apply(volunteer, mission, "", pdf())
        name = application.cv.name
        Mission.objects.filter(pk=mission.pk).update(start_date=in_days(-400), end_date=in_days(-200))
        assert services.delete_old_cvs() == 1
        application.refresh_from_db()
        assert not application.cv
        assert not application.cv.storage.exists(name)

    def test_cvs_are_stored_outside_any_public_path(self, settings, mission, volunteer):
        application = services.apply(volunteer, mission, "", pdf())
        path = application.cv.path
        assert path.startswith(str(settings.MEDIA_ROOT / "private"))
        assert not path.startswith(str(settings.MEDIA_ROOT / "public"))
        assert not path.startswith(str(settings.STATIC_ROOT))

    def test_export_contains_the_applications(self, mission, volunteer):
        services.apply(volunteer, mission, "Mon message")
        from core import gdpr

        data = gdpr.export(volunteer)["volunteering"]
        assert data["applications"][0]["message"] == "Mon message"
