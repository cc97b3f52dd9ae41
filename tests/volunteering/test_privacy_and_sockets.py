"""Privacy of CVs (downloaded as attachments, only by the applicant and the organisation) and of the live feed of
an organisation's applications (ws/volunteering/organizations/<id>/: its members only).

Real database, the project's ASGI application and its in-memory channel layer (no REDIS_URL).
"""

from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from config.asgi import application as asgi_application
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.volunteering.factories import MINIMAL_PDF, MissionFactory
from volunteering import services

API = "/api/v1/volunteering/applications/{pk}/cv/"
ORIGIN = (b"origin", b"http://127.0.0.1")


def upload():
    return SimpleUploadedFile("CV Léa Bénévole 06 12 34 56 78.pdf", MINIMAL_PDF, content_type="application/pdf")


def page_client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_pdf_attachment(response, application):
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert "inline" not in disposition
    # Our own name, never the uploaded one (it may carry personal data).
    assert f'filename="cv-{application.pk}.pdf"' in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert body_of(response) == MINIMAL_PDF


# --- CVs ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def application_with_cv(mission, volunteer):
    return services.apply(volunteer, mission, "Bonjour, voici mon CV.", upload())


@pytest.fixture
def spontaneous_with_cv(organization, volunteer):
    return services.apply_spontaneously(volunteer, organization, "Candidature spontanée", upload())


class TestCvDownload:
    def test_the_applicant_downloads_their_cv_as_an_attachment(self, application_with_cv, volunteer):
        assert_pdf_attachment(client_for(volunteer).get(API.format(pk=application_with_cv.pk)), application_with_cv)
        page = page_client(volunteer).get(reverse("volunteering:application_cv", args=[application_with_cv.pk]))
        assert_pdf_attachment(page, application_with_cv)

    def test_every_member_of_the_organisation_downloads_it_as_an_attachment(
        self, application_with_cv, org_admin, organization
    ):
        colleague = MembershipFactory(organization=organization, user=UserFactory(email="collegue@example.org")).user
        for member in (org_admin, colleague):
            response = client_for(member).get(API.format(pk=application_with_cv.pk))
            assert_pdf_attachment(response, application_with_cv)
            page = page_client(member).get(reverse("volunteering:application_cv", args=[application_with_cv.pk]))
            assert_pdf_attachment(page, application_with_cv)

    def test_a_spontaneous_application_cv_is_for_the_organisation_too(self, spontaneous_with_cv, org_admin):
        assert_pdf_attachment(client_for(org_admin).get(API.format(pk=spontaneous_with_cv.pk)), spontaneous_with_cv)

    @pytest.mark.parametrize("who", ["other_org_member", "resident", "team_member", "other_volunteer"])
    def test_anyone_else_gets_404(self, request, application_with_cv, spontaneous_with_cv, who):
        user = (
            UserFactory(email="autre-benevole@example.org")
            if who == "other_volunteer"
            else request.getfixturevalue(who)
        )
        for application in (application_with_cv, spontaneous_with_cv):
            assert client_for(user).get(API.format(pk=application.pk)).status_code == 404
            page = page_client(user).get(reverse("volunteering:application_cv", args=[application.pk]))
            assert page.status_code == 404

    def test_an_anonymous_client_gets_no_file(self, api_client, application_with_cv):
        response = api_client.get(API.format(pk=application_with_cv.pk))
        assert response.status_code == 401
        assert "detail" in response.json()
        page = page_client().get(reverse("volunteering:application_cv", args=[application_with_cv.pk]))
        assert page.status_code == 302 and reverse("account_login") in page["Location"]

    def test_an_application_without_cv_answers_404_even_to_its_applicant(self, mission, volunteer):
        application = services.apply(volunteer, mission, "Sans CV")
        assert client_for(volunteer).get(API.format(pk=application.pk)).status_code == 404

    def test_a_cv_whose_file_is_gone_answers_404_not_500(self, application_with_cv, volunteer):
        application_with_cv.cv.storage.delete(application_with_cv.cv.name)
        assert client_for(volunteer).get(API.format(pk=application_with_cv.pk)).status_code == 404

    def test_the_file_is_stored_outside_any_served_folder_under_a_random_name(self, application_with_cv):
        path = Path(application_with_cv.cv.path)
        assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "private")
        assert not path.is_relative_to(Path(settings.STATIC_ROOT or "/nonexistent"))
        assert "Bénévole" not in path.name and path.suffix == ".pdf"


# --- the organisation's live applications feed --------------------------------------------------------------------


def session_cookie(user) -> tuple[bytes, bytes]:
    browser = Client()
    browser.force_login(user)
    return (b"cookie", f"sessionid={browser.cookies['sessionid'].value}".encode())


@sync_to_async
def feed_world():
    owner = OrganizationFactory(name="Les Jardins Partagés du 11e")
    other = OrganizationFactory(name="Autre association")
    member = MembershipFactory(organization=owner, user=UserFactory(email="asso@example.org")).user
    outsider = MembershipFactory(organization=other, user=UserFactory(email="autre@example.org")).user
    return {
        "owner": owner,
        "other": other,
        "mission": MissionFactory(organization=owner),
        "cookies": {
            "member": session_cookie(member),
            "outsider": session_cookie(outsider),
            "resident": session_cookie(UserFactory(email="habitante@example.org")),
        },
    }


async def open_feed(organization_id, cookie=None):
    headers = [ORIGIN] + ([cookie] if cookie else [])
    communicator = WebsocketCommunicator(
        asgi_application, f"/ws/volunteering/organizations/{organization_id}/", headers=headers
    )
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


@sync_to_async
def apply_to(mission):
    return services.apply(UserFactory(display_name="Léa Bénévole"), mission, "Disponible le samedi")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
class TestOrganisationApplicationsFeed:
    async def test_an_anonymous_client_is_refused(self, reference_data):
        world = await feed_world()
        communicator, connected, code = await open_feed(world["owner"].pk)
        assert not connected
        assert code == 4403
        await communicator.disconnect()

    @pytest.mark.parametrize("who", ["outsider", "resident"])
    async def test_an_account_outside_the_organisation_is_refused(self, reference_data, who):
        world = await feed_world()
        communicator, connected, code = await open_feed(world["owner"].pk, world["cookies"][who])
        assert not connected
        assert code == 4403
        await communicator.disconnect()

    async def test_a_member_of_another_organisation_is_refused_even_for_an_unknown_id(self, reference_data):
        world = await feed_world()
        communicator, connected, _code = await open_feed(world["other"].pk + 1000, world["cookies"]["outsider"])
        assert not connected
        await communicator.disconnect()

    async def test_a_member_receives_new_applications_live_and_the_others_do_not(self, reference_data):
        world = await feed_world()
        member_feed, connected, _ = await open_feed(world["owner"].pk, world["cookies"]["member"])
        assert connected
        # The outsider may follow their own organisation, and must hear nothing of the other one.
        outsider_feed, outsider_connected, _ = await open_feed(world["other"].pk, world["cookies"]["outsider"])
        assert outsider_connected

        application = await apply_to(world["mission"])

        message = await member_feed.receive_json_from(timeout=3)
        assert message["type"] == "application.created"
        assert message["id"] == application.pk
        assert message["mission"] == world["mission"].pk
        assert await outsider_feed.receive_nothing(timeout=0.3)
        await member_feed.disconnect()
        await outsider_feed.disconnect()
