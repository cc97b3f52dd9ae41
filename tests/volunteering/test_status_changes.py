"""Every status change of an application, allowed or refused, written out as a table (not read from the code)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import Notification
from serving.rest import Conflict
from tests.conftest import client_for
from tests.volunteering.factories import ApplicationFactory, MissionFactory
from volunteering import services
from volunteering.models import Application, ApplicationEvent

pytestmark = pytest.mark.django_db

ANSWERS = ("shortlisted", "invited", "accepted", "declined")  # what an organisation may answer
ALLOWED = {
    "submitted": {"shortlisted", "invited", "accepted", "declined"},
    "waitlisted": {"shortlisted", "invited", "accepted", "declined"},
    "shortlisted": {"invited", "accepted", "declined"},
    "invited": {"accepted", "declined"},
    "accepted": {"declined"},
    "declined": set(),
    "withdrawn": set(),
}
REFUSED = [(current, new) for current in ALLOWED for new in ANSWERS if new not in ALLOWED[current]]
PERMITTED = [(current, new) for current in ALLOWED for new in sorted(ALLOWED[current])]
MEETING = {"convocation_at": timezone.now() + datetime.timedelta(days=3), "convocation_place": "Mairie du 11e"}


def test_the_table_names_every_status_and_every_refused_change():
    assert set(ALLOWED) == set(Application.Status.values)
    assert len(REFUSED) == 14 and len(PERMITTED) == 14


@pytest.fixture
def application_in(org_admin):
    """An application in the given status, with the mission's count of accepted volunteers to match."""

    def make(status):
        mission = MissionFactory(organization=org_admin.organizations.get(), places=3)
        application = ApplicationFactory(mission=mission, status=status)
        if status == "accepted":
            mission.accepted_count = 1
            mission.save(update_fields=["accepted_count"])
        return application

    return make


@pytest.mark.parametrize(("current", "new"), REFUSED)
def test_a_refused_change_says_why_and_changes_nothing(org_admin, application_in, current, new):
    application = application_in(current)
    with pytest.raises(ValidationError) as refused:
        services.change_status(org_admin, application, new, "Bonjour", MEETING)
    assert "status" in refused.value.message_dict
    application.refresh_from_db()
    assert application.status == current
    assert application.first_response_at is None
    assert not ApplicationEvent.objects.filter(application=application).exists()
    assert not Notification.objects.filter(recipient=application.volunteer).exists()


@pytest.mark.parametrize(("current", "new"), PERMITTED)
def test_a_permitted_change_is_made_recorded_and_told(org_admin, application_in, current, new):
    application = application_in(current)
    services.change_status(org_admin, application, new, "Bonjour", MEETING)
    application.refresh_from_db()
    assert application.status == new
    assert ApplicationEvent.objects.get(application=application).to_status == new
    assert Notification.objects.filter(recipient=application.volunteer, kind=f"volunteering.{new}").exists()


@pytest.mark.parametrize("new", ["submitted", "waitlisted", "withdrawn", "accepté", ""])
def test_an_organisation_cannot_set_a_status_that_is_not_an_answer(org_admin, application_in, new):
    application = application_in("submitted")
    with pytest.raises(ValidationError) as refused:
        services.change_status(org_admin, application, new)
    assert "status" in refused.value.message_dict
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.parametrize(("current", "new"), REFUSED)
def test_a_bulk_answer_with_one_refused_change_changes_none(org_admin, application_in, current, new):
    fine = application_in("submitted")
    stuck = application_in(current)
    with pytest.raises(ValidationError):
        services.bulk_change_status(org_admin, [fine.pk, stuck.pk], new, "", MEETING)
    assert [a.status for a in Application.objects.filter(pk__in=[fine.pk, stuck.pk]).order_by("pk")] == [
        "submitted",
        current,
    ]


def test_the_api_refuses_a_change_in_french_with_a_400(org_admin, application_in):
    application = application_in("declined")
    answer = client_for(org_admin).patch(
        f"/api/v1/volunteering/applications/{application.pk}/", {"status": "accepted"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["errors"]["status"] == [
        "Une candidature «\xa0déclinée\xa0» ne peut pas devenir «\xa0acceptée\xa0»."
    ]


WITHDRAWABLE = {"submitted", "waitlisted", "shortlisted", "invited", "accepted"}


@pytest.mark.parametrize("current", sorted(ALLOWED))
def test_the_volunteer_withdraws_only_an_open_application(application_in, current):
    application = application_in(current)
    if current in WITHDRAWABLE:
        assert services.withdraw(application.volunteer, application).status == "withdrawn"
    else:
        with pytest.raises(Conflict):
            services.withdraw(application.volunteer, application)
        application.refresh_from_db()
        assert application.status == current
