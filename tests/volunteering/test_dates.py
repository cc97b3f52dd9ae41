"""Dates of internship offers and applications: a slip (0001-01-01, 9999-12-31) is refused in French, at each door
(the page's form, the API, the service), just inside the accepted window passes and just outside does not."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import REPUBLIQUE, UserFactory
from tests.volunteering.factories import MINIMAL_PDF, InternshipFactory, MissionFactory, in_days, internship_payload
from volunteering import services
from volunteering.models import Application, Mission
from volunteering.validators import MAX_DAYS_AHEAD

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteering/"
PAST = "Cette date est passée\u00a0:"
TOO_FAR = "Cette date est à plus de deux ans\u00a0: vérifiez l'année"
ABSURD_PAST, ABSURD_FUTURE = datetime.date(1, 1, 1), datetime.date(9999, 12, 31)


class D(int):
    """A day counted from today, turned into a date when the test runs, not when the tables are read: a run that goes
    past midnight in Paris between the two would otherwise test yesterday's window."""

    def __repr__(self):
        return f"in_days({int(self)})"


def on_day(value):
    """A table's value with its D(n) made dates (in a dict too)."""
    if isinstance(value, dict):
        return {key: on_day(v) for key, v in value.items()}
    return in_days(value) if isinstance(value, D) else value


# (the date, accepted?) around the window [today, today + two years].
AVAILABLE_FROM = [
    (ABSURD_PAST, False),
    (D(-1), False),
    (D(0), True),
    (D(MAX_DAYS_AHEAD), True),
    (D(MAX_DAYS_AHEAD + 1), False),
    (ABSURD_FUTURE, False),
]


def pdf():
    return SimpleUploadedFile("cv.pdf", MINIMAL_PDF, content_type="application/pdf")


class TestSpontaneousApplication:
    @pytest.mark.parametrize(("available_from", "accepted"), AVAILABLE_FROM)
    def test_api(self, direction, available_from, accepted):
        available_from = on_day(available_from)
        student = UserFactory(email="spontane@example.org")
        response = client_for(student).post(
            f"{BASE}organizations/{direction.pk}/applications/",
            {
                "kind": "internship",
                "wished_level": "bac_2",
                "available_from": available_from.isoformat(),
                "message": "Je souhaite faire mon stage dans vos serres.",
            },
            format="json",
        )
        if accepted:
            assert response.status_code == 201, response.content
            assert response.json()["available_from"] == available_from.isoformat()
        else:
            assert response.status_code == 400
            [error] = response.json()["errors"]["available_from"]
            assert error.startswith(PAST if available_from < in_days(0) else TOO_FAR)
            assert not Application.objects.exists()

    @pytest.mark.parametrize(("available_from", "accepted"), AVAILABLE_FROM)
    def test_page_keeps_what_was_typed(self, client, direction, available_from, accepted):
        available_from = on_day(available_from)
        student = UserFactory(email="spontane@example.org")
        client.force_login(student)
        letter = "Je souhaite faire mon stage dans vos serres, au printemps."
        response = client.post(
            "/benevolat/stages/candidature-spontanee/",
            {
                "organization": direction.pk,
                "wished_trade": "Horticulture",
                "wished_level": "bac_2",
                "available_from": available_from.isoformat(),
                "available_weeks": 6,
                "message": letter,
                "cv": pdf(),
            },
        )
        if accepted:
            assert response.status_code == 302
            assert Application.objects.get(volunteer=student).available_from == available_from
            return
        assert response.status_code == 200
        html = response.content.decode()
        assert (PAST if available_from < in_days(0) else TOO_FAR) in html.replace("&#x27;", "'")
        # Nothing typed is lost: the letter, the trade and the date come back as they were.
        assert letter in html and "Horticulture" in html and available_from.isoformat() in html
        assert not Application.objects.exists()

    def test_the_date_picker_offers_the_accepted_window(self, client):
        client.force_login(UserFactory(email="spontane@example.org"))
        html = client.get("/benevolat/stages/candidature-spontanee/").content.decode()
        assert f'min="{in_days(0).isoformat()}"' in html
        assert f'max="{in_days(MAX_DAYS_AHEAD).isoformat()}"' in html

    @pytest.mark.parametrize("available_from", [ABSURD_PAST, D(-1), D(MAX_DAYS_AHEAD + 1)])
    def test_the_service_refuses_it_too(self, direction, available_from):
        available_from = on_day(available_from)
        student = UserFactory(email="spontane@example.org")
        with pytest.raises(ValidationError) as error:
            services.apply_spontaneously(
                student, direction, "Bonjour", internship={"wished_level": "bac_2", "available_from": available_from}
            )
        assert set(error.value.message_dict) == {"available_from"}


def offer(**extra):
    """A paid offer (no duration rule in the way of the dates under test)."""
    return internship_payload(**{"paid": True, **extra})


class TestInternshipOffer:
    @pytest.mark.parametrize(
        ("dates", "field", "refusal"),
        [
            ({"start_date": ABSURD_PAST}, "start_date", "La date de début est passée."),
            ({"start_date": D(-1)}, "start_date", "La date de début est passée."),
            ({"start_date": D(MAX_DAYS_AHEAD + 1), "end_date": None}, "start_date", TOO_FAR),
            ({"start_date": ABSURD_FUTURE, "end_date": None}, "start_date", TOO_FAR),
            ({"end_date": ABSURD_FUTURE}, "end_date", TOO_FAR),
            ({"end_date": ABSURD_PAST}, "end_date", "La date de fin est avant la date de début."),
            ({"end_date": D(9)}, "end_date", "La date de fin est avant la date de début."),
            ({"publication_start": ABSURD_PAST}, "publication_start", PAST),
            ({"publication_start": D(-1)}, "publication_start", PAST),
            ({"publication_start": D(MAX_DAYS_AHEAD + 1)}, "publication_start", TOO_FAR),
            ({"publication_end": ABSURD_PAST}, "publication_end", PAST),
            ({"publication_end": ABSURD_FUTURE}, "publication_end", TOO_FAR),
            (
                {"publication_start": D(20), "publication_end": D(19)},
                "publication_end",
                "La fin de la publication est avant son début.",
            ),
            # 365 days are 53 weeks begun: an internship lasts 52 at most.
            ({"start_date": D(10), "end_date": D(10 + 364)}, "end_date", "52 semaines au plus"),
        ],
    )
    def test_a_date_out_of_the_window_is_400_on_its_field(self, correspondent, dates, field, refusal):
        response = client_for(correspondent).post(BASE + "missions/", offer(**on_day(dates)), format="json")
        assert response.status_code == 400, response.content
        assert refusal in response.json()["errors"][field][0]
        assert not Mission.objects.exists()

    @pytest.mark.parametrize(
        "dates",
        [
            {"start_date": D(0), "end_date": D(0)},
            {"start_date": D(MAX_DAYS_AHEAD), "end_date": None, "duration_weeks": 8},
            {"start_date": D(MAX_DAYS_AHEAD - 30), "end_date": D(MAX_DAYS_AHEAD)},
            {"publication_start": D(0), "publication_end": D(MAX_DAYS_AHEAD)},
            {"start_date": D(10), "end_date": D(10 + 363)},  # 52 weeks to the day
        ],
    )
    def test_just_inside_the_window_is_accepted(self, correspondent, dates):
        response = client_for(correspondent).post(BASE + "missions/", offer(**on_day(dates)), format="json")
        assert response.status_code == 201, response.content

    @pytest.mark.parametrize(
        ("dates", "field", "refusal"),
        [
            ({"start_date": "2206-03-01"}, "start_date", TOO_FAR),  # by the form's field
            ({"publication_end": "0001-01-01"}, "publication_end", PAST),  # by the service, shown on the form
        ],
    )
    def test_the_form_refuses_it_and_keeps_the_offer_typed(self, client, correspondent, dates, field, refusal):
        client.force_login(correspondent)
        data = {
            "title": "Stage jardinier au parc Monceau",
            "description": "Rejoindre l'équipe du parc.",
            "tasks": "Tailler, planter, arroser.",
            "trade": "Jardinier paysagiste",
            "level": "cap_bac",
            "paid": "on",
            "weekly_hours": 35,
            "duration_weeks": 8,
            "address": "Place de la République",
            "longitude": REPUBLIQUE.x,
            "latitude": REPUBLIQUE.y,
            "start_date": in_days(10).isoformat(),
            "places": 2,
            **dates,
        }
        response = client.post("/benevolat/stages/nouveau/", data)
        assert response.status_code == 200
        assert response.context["form"].errors[field][0].startswith(refusal)
        html = response.content.decode()
        assert "Stage jardinier au parc Monceau" in html and dates[field] in html
        assert not Mission.objects.exists()

    def test_an_offer_under_way_keeps_its_past_dates_when_edited(self, correspondent, direction):
        stage = InternshipFactory(
            organization=direction, start_date=in_days(-20), end_date=in_days(30), publication_start=in_days(-30)
        )
        client = client_for(correspondent)
        response = client.patch(
            f"{BASE}missions/{stage.pk}/",
            {"title": "Stage jardinier (suite)", "start_date": in_days(-20).isoformat()},
            format="json",
        )
        assert response.status_code == 200, response.content
        response = client.patch(f"{BASE}missions/{stage.pk}/", {"start_date": in_days(-19).isoformat()}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"]["start_date"] == ["La date de début est passée."]


def test_a_meeting_more_than_two_years_away_is_refused_in_words(organization, org_admin):
    """An invitation to 2062 instead of 2026 is a slip of the year: refused in French, the application unchanged."""
    from volunteering.validators import latest_date

    member = org_admin
    application = services.apply(UserFactory(), MissionFactory(organization=organization), "Bonjour")
    last = latest_date()
    too_far = timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(10)))
    with pytest.raises(ValidationError) as refused:
        services.change_status(member, application, "invited", "", {"convocation_at": too_far})
    [message] = refused.value.message_dict["convocation_at"]
    assert message.startswith(TOO_FAR)
    application.refresh_from_db()
    assert application.status == "submitted" and application.convocation_at is None
    in_time = timezone.make_aware(datetime.datetime.combine(last, datetime.time(10)))
    services.change_status(member, application, "invited", "", {"convocation_at": in_time})
    application.refresh_from_db()
    assert application.status == "invited" and application.convocation_at == in_time
