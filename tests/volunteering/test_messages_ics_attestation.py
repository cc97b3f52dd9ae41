"""After the application: the contact person, messages both ways, the mission's .ics and the attestation de bénévolat."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from core.models import Notification
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UnverifiedUserFactory, UserFactory
from tests.volunteering.factories import ApplicationFactory, MissionFactory, in_days
from volunteering import services
from volunteering.documents import attestation_html
from volunteering.ical import escape_text, fold, mission_calendar
from volunteering.models import Application, ApplicationMessage, Mission

pytestmark = pytest.mark.django_db

CONTACT = {"contact_name": "Samia Benali", "contact_email": "samia@jardins.example", "contact_phone": "01 23 45 67 89"}


def page_client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member(organization):
    return MembershipFactory(organization=organization, user=UserFactory(display_name="Marc Asso")).user


@pytest.fixture
def contact_mission(organization):
    return MissionFactory(organization=organization, title="Jardinage, arrosage; et compost", **CONTACT)


@pytest.fixture
def ended_mission(organization):
    return MissionFactory(
        organization=organization,
        title="Nettoyage des berges",
        start_date=in_days(-30),
        end_date=in_days(-1),
        commitment=Mission.Commitment.TOTAL_HOURS,
        commitment_hours=12,
    )


# --- Who sees the contact person, who may write: a matrix -------------------------------------------------------


@pytest.fixture
def people(organization):
    return {
        "anonymous": AnonymousUser(),
        "unverified": UnverifiedUserFactory(),
        "resident": UserFactory(),
        "applicant": UserFactory(display_name="Léa Bénévole"),
        "other_applicant": UserFactory(),
        "other_member": MembershipFactory(organization=OrganizationFactory()).user,
        "owner_member": MembershipFactory(organization=organization).user,
        "team": TeamUserFactory(),
    }


# status of the applicant's application → perm → who is allowed (everyone else is refused)
MATRIX = {
    "submitted": {
        "volunteering.view_contact": {"owner_member"},
        "volunteering.view_mission_contact": {"owner_member"},
        "volunteering.read_messages": {"applicant", "owner_member"},
        "volunteering.message_application": {"applicant", "owner_member"},
        "volunteering.issue_attestation": {"owner_member"},
        "volunteering.view_attestation": {"applicant", "owner_member"},
    },
    "accepted": {
        "volunteering.view_contact": {"applicant", "owner_member"},
        "volunteering.view_mission_contact": {"applicant", "owner_member"},
        "volunteering.read_messages": {"applicant", "owner_member"},
        "volunteering.message_application": {"applicant", "owner_member"},
        "volunteering.issue_attestation": {"owner_member"},
        "volunteering.view_attestation": {"applicant", "owner_member"},
    },
    "withdrawn": {
        "volunteering.view_contact": {"owner_member"},
        "volunteering.view_mission_contact": {"owner_member"},
        "volunteering.read_messages": {"applicant", "owner_member"},
        "volunteering.message_application": set(),
        "volunteering.issue_attestation": {"owner_member"},
        "volunteering.view_attestation": {"applicant", "owner_member"},
    },
}


@pytest.mark.parametrize(("status", "perm"), [(status, perm) for status, perms in MATRIX.items() for perm in perms])
def test_permission_matrix(status, perm, people, contact_mission):
    application = ApplicationFactory(mission=contact_mission, volunteer=people["applicant"], status=status)
    # Another volunteer's acceptance on the same mission gives them the mission's contact, not this application's.
    ApplicationFactory(mission=contact_mission, volunteer=people["other_applicant"], status="submitted")
    obj = contact_mission if perm == "volunteering.view_mission_contact" else application
    allowed = {name for name, user in people.items() if user.has_perm(perm, obj)}
    assert allowed == MATRIX[status][perm]


# --- The contact person ------------------------------------------------------------------------------------------


def test_the_contact_person_is_shown_once_accepted_and_never_before(contact_mission, volunteer, member):
    application = ApplicationFactory(mission=contact_mission, volunteer=volunteer)
    url = f"/benevolat/candidatures/{application.pk}/"
    before = page_client(volunteer).get(url).content.decode()
    assert "samia@jardins.example" not in before and "Samia Benali" not in before
    assert "une fois votre candidature acceptée" in before

    services.change_status(member, application, "accepted")
    after = page_client(volunteer).get(url).content.decode()
    assert "Samia Benali" in after and "samia@jardins.example" in after and "01 23 45 67 89" in after
    api = client_for(volunteer).get(f"/api/v1/volunteering/applications/{application.pk}/").json()
    assert api["contact"] == {"name": "Samia Benali", "email": "samia@jardins.example", "phone": "01 23 45 67 89"}


def test_the_mission_page_and_api_keep_the_contact_from_visitors(contact_mission, volunteer, member):
    ApplicationFactory(mission=contact_mission, volunteer=volunteer)
    for client in (Client(), page_client(volunteer)):
        html = client.get(f"/benevolat/missions/{contact_mission.pk}/").content.decode()
        assert "samia@jardins.example" not in html and "Samia Benali" not in html
    for client in (client_for(volunteer), client_for(UserFactory())):
        data = client.get(f"/api/v1/volunteering/missions/{contact_mission.pk}/").json()
        assert "contact_email" not in data and "contact_phone" not in data and "contact_name" not in data
        listed = client.get("/api/v1/volunteering/missions/").json()["results"]
        assert all("contact_email" not in m for m in listed)
    member_view = client_for(member).get(f"/api/v1/volunteering/missions/{contact_mission.pk}/").json()
    assert member_view["contact_email"] == "samia@jardins.example"


def test_a_stranger_cannot_open_the_application_page(contact_mission, volunteer, other_org_member):
    application = ApplicationFactory(mission=contact_mission, volunteer=volunteer, status="accepted")
    for user in (UserFactory(), other_org_member):
        assert page_client(user).get(f"/benevolat/candidatures/{application.pk}/").status_code == 404
        api = client_for(user).get(f"/api/v1/volunteering/applications/{application.pk}/messages/")
        assert api.status_code == 404
        assert "detail" in api.json()
    assert Client().get(f"/benevolat/candidatures/{application.pk}/").status_code == 302  # to the log-in page


def test_without_a_named_contact_the_organisation_is_the_contact(organization, volunteer):
    organization.email = "contact@jardins.example"
    organization.save()
    application = ApplicationFactory(mission=MissionFactory(organization=organization), volunteer=volunteer)
    application.status = "accepted"
    application.save()
    data = client_for(volunteer).get(f"/api/v1/volunteering/applications/{application.pk}/").json()
    assert data["contact"] == {"name": organization.name, "email": "contact@jardins.example", "phone": ""}


# --- Messages both ways ------------------------------------------------------------------------------------------


def test_messages_both_ways_notify_the_other_side(contact_mission, volunteer, member, organization):
    colleague = MembershipFactory(organization=organization).user
    application = ApplicationFactory(mission=contact_mission, volunteer=volunteer)
    Notification.objects.all().delete()

    response = client_for(volunteer).post(
        f"/api/v1/volunteering/applications/{application.pk}/messages/",
        {"body": "Faut-il apporter des gants ?"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["author"] == "Léa Bénévole"
    for user in (member, colleague):
        notification = Notification.objects.get(recipient=user, kind="volunteering.message")
        assert "Léa Bénévole" in notification.title and notification.body == "Faut-il apporter des gants ?"
        assert notification.url == f"/benevolat/candidatures/{application.pk}/"
    assert not Notification.objects.filter(recipient=volunteer).exists()

    reply = page_client(member).post(
        f"/benevolat/candidatures/{application.pk}/", {"action": "message", "body": "Oui, et de l'eau."}
    )
    assert reply.status_code == 302 and reply["Location"].endswith("#messages")
    assert Notification.objects.get(recipient=volunteer, kind="volunteering.message").body == "Oui, et de l'eau."

    thread = client_for(member).get(f"/api/v1/volunteering/applications/{application.pk}/messages/").json()
    assert [m["body"] for m in thread["results"]] == ["Faut-il apporter des gants ?", "Oui, et de l'eau."]
    page = page_client(volunteer).get(f"/benevolat/candidatures/{application.pk}/").content.decode()
    assert "Faut-il apporter des gants ?" in page and "Oui, et de l&#x27;eau." in page


def test_a_message_refused_says_why_in_french(contact_mission, volunteer, other_org_member):
    application = ApplicationFactory(mission=contact_mission, volunteer=volunteer)
    url = f"/api/v1/volunteering/applications/{application.pk}/messages/"
    empty = client_for(volunteer).post(url, {"body": "   "}, format="json")
    assert empty.status_code == 400
    assert empty.json()["errors"]["body"] == ["Écrivez d’abord un message."]
    too_long = client_for(volunteer).post(url, {"body": "x" * 5001}, format="json")
    assert too_long.status_code == 400 and "errors" in too_long.json()
    assert client_for(other_org_member).post(url, {"body": "Bonjour"}, format="json").status_code == 404

    services.withdraw(volunteer, application)
    closed = client_for(volunteer).post(url, {"body": "Encore moi"}, format="json")
    assert closed.status_code == 403
    assert closed.json()["detail"] == "Cette candidature est close\u00a0: plus aucun message ne peut être envoyé."
    assert ApplicationMessage.objects.count() == 0
    with pytest.raises(PermissionDenied):
        services.post_application_message(UserFactory(), application, "Bonjour")


def test_messages_are_rate_limited_with_the_message_action(settings, contact_mission, volunteer):
    application = ApplicationFactory(mission=contact_mission, volunteer=volunteer)
    cache.clear()
    settings.THROTTLE_ACTIONS = {**settings.THROTTLE_ACTIONS, "message": {"account": "2/min", "ip": ""}}
    url = f"/api/v1/volunteering/applications/{application.pk}/messages/"
    client = client_for(volunteer)
    codes = [client.post(url, {"body": f"Message {i}"}, format="json").status_code for i in range(3)]
    page = page_client(volunteer).post(f"/benevolat/candidatures/{application.pk}/", {"body": "Et un autre"})
    cache.clear()
    assert codes == [201, 201, 429]
    assert page.status_code == 429
    assert ApplicationMessage.objects.count() == 2


# --- The mission's calendar file ---------------------------------------------------------------------------------


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_ics_file_is_an_rfc5545_event(contact_mission):
    contact_mission.description = "Arroser, désherber ; composter, et " + "beaucoup de choses encore " * 10
    contact_mission.save()
    response = Client().get(f"/benevolat/missions/{contact_mission.pk}/calendrier.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    physical = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)
    assert any(line.startswith(b" ") for line in physical)  # the long description was folded
    lines = unfold(raw.decode("utf-8"))
    props = {line.split(":", 1)[0]: line.split(":", 1)[1] for line in lines if ":" in line}
    assert props["UID"] == f"mission-{contact_mission.pk}@127.0.0.1" or props["UID"].startswith(
        f"mission-{contact_mission.pk}@"
    )
    assert re.fullmatch(r"\d{8}T\d{6}Z", props["DTSTAMP"])
    assert props["DTSTART;VALUE=DATE"] == contact_mission.start_date.strftime("%Y%m%d")
    # DTEND is exclusive: the day after the last day.
    assert props["DTEND;VALUE=DATE"] == (contact_mission.end_date + datetime.timedelta(days=1)).strftime("%Y%m%d")
    assert props["SUMMARY"] == "Jardinage\\, arrosage\\; et compost"
    assert props["LOCATION"] == "Place de l'Hôtel de Ville\\, 75004 Paris"
    assert "désherber \\; composter\\, et" in props["DESCRIPTION"]
    assert props["URL"].endswith(f"/benevolat/missions/{contact_mission.pk}/")
    assert lines.count("BEGIN:VEVENT") == 1 and "VERSION:2.0" in lines
    assert "calendrier.ics" in Client().get(f"/benevolat/missions/{contact_mission.pk}/").content.decode()


def test_a_recurring_mission_repeats_on_its_weekdays(organization):
    start = in_days(1)
    mission = MissionFactory(
        organization=organization,
        schedule=Mission.Schedule.RECURRING,
        weekdays=[5, 2],
        start_date=start,
        end_date=in_days(40),
    )
    lines = unfold(mission_calendar(mission))
    assert f"RRULE:FREQ=WEEKLY;BYDAY=WE,SA;UNTIL={mission.end_date:%Y%m%d}" in lines
    first = next(line for line in lines if line.startswith("DTSTART"))
    first_day = datetime.datetime.strptime(first.split(":")[1], "%Y%m%d").date()
    assert first_day.weekday() in (2, 5) and 0 <= (first_day - start).days < 7


def test_folding_never_cuts_a_character_and_escaping_covers_the_specials():
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line)
    for part in folded.encode("utf-8").split(b"\r\n"):
        assert len(part) <= 75
        part.decode("utf-8")  # no split multi-byte character
    assert folded.replace("\r\n ", "") == line
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_a_draft_mission_has_no_public_calendar(organization):
    draft = MissionFactory(organization=organization, status="draft")
    assert Client().get(f"/benevolat/missions/{draft.pk}/calendrier.ics").status_code == 404


# --- The attestation de bénévolat -------------------------------------------------------------------------------


def test_the_organisation_issues_and_the_volunteer_downloads_the_attestation(ended_mission, volunteer, member):
    application = ApplicationFactory(mission=ended_mission, volunteer=volunteer, status="accepted")
    Notification.objects.all().delete()
    page = page_client(member).get(f"/benevolat/candidatures/{application.pk}/").content.decode()
    assert 'value="12"' in page  # the mission's total hours are proposed
    response = page_client(member).post(
        f"/benevolat/candidatures/{application.pk}/",
        {"action": "attestation", "signer_name": "Marc Dupont", "signer_role": "Président", "hours": "12"},
    )
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=volunteer, kind="volunteering.attestation").exists()

    pdf = page_client(volunteer).get(f"/benevolat/candidatures/{application.pk}/attestation.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = attestation_html(application.attestation)
    assert "Léa Bénévole" in html and "Nettoyage des berges" in html and "Marc Dupont" in html
    assert "Attestation de bénévolat" in html and "12 heures" in html and "Président" in html
    try:
        from pypdf import PdfReader  # only when installed
    except ImportError:
        pass
    else:
        import io

        assert "Léa Bénévole" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert (
        "attestation.pdf" in page_client(volunteer).get(f"/benevolat/candidatures/{application.pk}/").content.decode()
    )
    # Nobody else downloads it.
    assert (
        page_client(UserFactory()).get(f"/benevolat/candidatures/{application.pk}/attestation.pdf").status_code == 404
    )


def test_the_attestation_through_the_api(ended_mission, volunteer, member):
    application = ApplicationFactory(mission=ended_mission, volunteer=volunteer, status="accepted")
    url = f"/api/v1/volunteering/applications/{application.pk}/attestation/"
    assert client_for(volunteer).get(url).status_code == 404  # not issued yet
    refused = client_for(volunteer).post(url, {"signer_name": "Moi-même"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Seuls les membres de l’organisation peuvent délivrer une attestation."
    created = client_for(member).post(url, {"signer_name": "Marc Dupont", "hours": 12}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["hours"] == 12
    assert client_for(volunteer).get(url).content.startswith(b"%PDF")
    detail = client_for(volunteer).get(f"/api/v1/volunteering/applications/{application.pk}/").json()
    assert detail["attestation"]["signer_name"] == "Marc Dupont"


def test_no_attestation_before_the_end_or_for_an_application_not_accepted(contact_mission, ended_mission, member):
    running = ApplicationFactory(mission=contact_mission, status="accepted")
    with pytest.raises(ValidationError) as error:
        services.issue_attestation(member, running, signer_name="Marc")
    assert "La mission n’est pas encore terminée" in str(error.value.message_dict["application"][0])

    submitted = ApplicationFactory(mission=ended_mission, status="submitted")
    response = client_for(member).post(
        f"/api/v1/volunteering/applications/{submitted.pk}/attestation/", {"signer_name": "Marc"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["application"] == [
        "Une attestation ne peut être délivrée qu’à une personne bénévole acceptée sur la mission."
    ]
    page = page_client(member).get(f"/benevolat/candidatures/{running.pk}/").content.decode()
    assert "La mission n’est pas encore terminée" in page and 'value="attestation"' not in page
    assert not Application.objects.filter(attestation__isnull=False).exists()


def test_the_volunteers_data_export_carries_the_conversation(contact_mission, volunteer, member):
    from volunteering.gdpr import export

    application = ApplicationFactory(mission=contact_mission, volunteer=volunteer)
    services.post_application_message(volunteer, application, "Faut-il apporter des gants ?")
    services.post_application_message(member, application, "Oui.")
    exported = export(volunteer)["applications"][0]["messages"]
    assert [(m["mine"], m["body"]) for m in exported] == [(True, "Faut-il apporter des gants ?"), (False, "Oui.")]


def test_an_open_ended_mission_ends_when_closed(organization, member):
    mission = MissionFactory(organization=organization, start_date=in_days(-60), end_date=None)
    application = ApplicationFactory(mission=mission, status="accepted")
    assert not services.mission_has_ended(mission)
    with pytest.raises(ValidationError):
        services.issue_attestation(member, application, signer_name="Marc")
    services.close_mission(member, mission)
    mission.refresh_from_db()
    assert services.mission_has_ended(mission, today=in_days(1))
    assert not services.mission_has_ended(mission)  # closed today: from tomorrow on
