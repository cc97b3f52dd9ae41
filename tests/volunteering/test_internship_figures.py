"""The internship office's figures (charts, tables, CSV, month by month, demand against supply), partner bodies,
the offer's calendar file, and the applicants' CSV kept to the direction's managers."""

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import MembershipFactory, UserFactory
from tests.volunteering.factories import ApplicationFactory, DirectionFactory, InternshipFactory, in_days
from volunteering import selectors, services
from volunteering.models import Application, Mission

pytestmark = pytest.mark.django_db
OFFICE_PAGE = "/benevolat/stages/bureau-des-stages/"
OFFICE_CSV = "/benevolat/stages/bureau-des-stages/chiffres.csv"


def spontaneous(direction, trade, level, available_from):
    return Application.objects.create(
        volunteer=UserFactory(),
        organization=direction,
        kind="internship",
        message="Candidature spontanée",
        wished_trade=trade,
        wished_level=level,
        available_from=available_from,
        available_weeks=8,
    )


@pytest.fixture
def busy_direction(direction, correspondent):
    """One offer of 2 places in bac_2 with three applications (one answered after 10 hours), three spontaneous
    candidates for the same trade written otherwise ('jardinier paysagiste '), one offer with none."""
    offer = InternshipFactory(
        organization=direction, trade="Jardinier paysagiste", level="bac_2", places=2, start_date=in_days(40)
    )
    InternshipFactory(organization=direction, trade="Comptabilité publique", level="bac_5", places=1)
    applications = [ApplicationFactory(mission=offer) for _ in range(3)]
    services.change_status(correspondent, applications[0], "shortlisted")
    Application.objects.filter(pk=applications[0].pk).update(
        first_response_at=applications[0].created_at + datetime.timedelta(hours=10)
    )
    for _ in range(3):
        spontaneous(direction, "jardinier paysagiste ", "bac_2", in_days(40))
    return offer


class TestFigures:
    def test_trades_levels_periods_and_applications_per_offer(self, busy_direction):
        figures = selectors.internship_figures()

        gardener = figures["trades"][0]
        assert (gardener["name"], gardener["offers"], gardener["places"]) == ("Jardinier paysagiste", 1, 2)
        assert (gardener["applications"], gardener["spontaneous"], gardener["demand_exceeds"]) == (3, 3, True)
        accounting = next(t for t in figures["trades"] if t["name"] == "Comptabilité publique")
        assert (accounting["spontaneous"], accounting["demand_exceeds"]) == (0, False)
        bac_2 = next(level for level in figures["levels"] if level["name"] == Mission.Level.BAC_2.label)
        assert (bac_2["places"], bac_2["spontaneous"], bac_2["demand_exceeds"]) == (2, 3, True)
        # none · 1 to 2 · 3 to 5 · 6 to 10 · 11 to 20 · more than 20
        assert [b["offers"] for b in figures["per_offer"]["buckets"]] == [1, 0, 1, 0, 0, 0]
        assert figures["per_offer"]["mean"] == 1.5
        month = in_days(40).replace(day=1)
        period = next(p for p in figures["periods"] if p["month"] == month)
        assert (period["places"], period["spontaneous"], period["demand_exceeds"]) == (2, 3, True)
        assert len(figures["periods"]) == 12 and figures["periods"][0]["month"] == timezone.localdate().replace(day=1)

    def test_month_by_month(self, busy_direction):
        figures = selectors.internship_figures()

        assert len(figures["months"]) == 12
        this_month = figures["months"][-1]
        assert this_month["month"] == timezone.localdate().replace(day=1)
        # Six applications this month (three to the offer, three spontaneous), one answered after ten hours.
        assert (this_month["published"], this_month["applications"], this_month["answered"]) == (2, 6, 1)
        assert this_month["median_answer_hours"] == 10.0
        assert all(m["applications"] == 0 for m in figures["months"][:-1])

    def test_the_page_has_accessible_charts_with_their_tables(self, client, office, busy_direction):
        client.force_login(office)
        page = client.get(OFFICE_PAGE).content.decode()

        for chart in ("chart-directions", "chart-answers", "chart-trades", "chart-levels", "chart-months"):
            assert f'role="img" aria-labelledby="{chart}-title"' in page
        assert page.count("<table") == 6
        assert "Délai médian" in page and "10,0\u00a0h" in page
        assert "La demande dépasse l’offre" in page or "La demande dépasse l'offre" in page
        assert "chiffres.csv" in page

    def test_query_count_does_not_grow_with_the_figures(self, client, office, direction, django_assert_max_num_queries):
        from django.core.cache import cache

        cache.clear()  # both pages compute their figures (another test may have left them cached)
        client.force_login(office)
        with django_assert_max_num_queries(19) as few:
            client.get(OFFICE_PAGE)
        for n in range(4):
            offer = InternshipFactory(organization=DirectionFactory(), trade=f"Métier {n}", level="bac_3")
            ApplicationFactory(mission=offer)
            spontaneous(offer.organization, f"Autre métier {n}", "bac_5", in_days(30))
        with django_assert_max_num_queries(len(few)):
            assert client.get(OFFICE_PAGE).status_code == 200


class TestFiguresCsv:
    def test_the_office_downloads_every_figure(self, client, office, busy_direction):
        client.force_login(office)
        response = client.get(OFFICE_CSV)

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert 'filename="stages-ville-de-paris.csv"' in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == ["Tableau", "Ligne", "Mesure", "Valeur"]
        cells = {(t, r, m): v for t, r, m, v in rows[1:]}
        name = busy_direction.organization.name
        assert cells[("Par direction", name, "Délai médian de première réponse (heures)")] == "10,0"
        assert cells[("Par métier", "Jardinier paysagiste", "Spontanée")] == "3"
        assert cells[("Mois par mois", timezone.localdate().strftime("%Y-%m"), "Candidatures")] == "6"

    def test_a_direction_downloads_its_own_and_nobody_else(self, client, direction, correspondent, plain_member):
        other = MembershipFactory(organization=DirectionFactory(), user=UserFactory(), role="correspondent").user
        client.force_login(correspondent)
        assert client.get(OFFICE_CSV, {"direction": direction.slug}).status_code == 200
        assert client.get(OFFICE_CSV).status_code == 404
        for user in (other, plain_member):
            client.force_login(user)
            assert client.get(OFFICE_CSV, {"direction": direction.slug}).status_code == 404
        assert Client().get(OFFICE_CSV).status_code == 302  # to the log-in page

    def test_a_cell_that_looks_like_a_formula_is_written_as_text(self, client, office, direction):
        InternshipFactory(organization=direction, trade="=HYPERLINK(1)")
        client.force_login(office)
        assert "'=HYPERLINK(1)" in client.get(OFFICE_CSV).content.decode("utf-8-sig")


class TestPartnerBodies:
    """Partner bodies (the social action centre, community centres, arrondissement town halls) offer internships
    as the directions do: organisations of kind city service, with correspondents."""

    def test_a_partner_body_publishes_and_appears_in_the_office_figures(self, client, office):
        casvp = DirectionFactory(name="Centre d'action sociale de la Ville de Paris")
        correspondent = MembershipFactory(organization=casvp, user=UserFactory(), role="correspondent").user
        offer = services.create_mission(
            correspondent,
            {
                "kind": "internship",
                "title": "Stage d'accueil social",
                "description": "Accueillir le public du centre social.",
                "trade": "Travail social",
                "level": "bac_3",
                "paid": True,
                "duration_weeks": 12,
                "weekly_hours": 35,
                "address": "5 boulevard Diderot, 75012 Paris",
                "location": selectors.Point(2.3737, 48.8449, srid=4326),
                "start_date": in_days(20),
                "places": 1,
            },
            organization=casvp,
        )
        assert offer.kind == "internship" and offer.organization == casvp
        client.force_login(office)
        assert "Centre d&#x27;action sociale de la Ville de Paris" in client.get(OFFICE_PAGE).content.decode()


class TestCalendarOfAnInternship:
    def test_the_ics_gives_the_internship_dates_and_never_the_tutor(self, client):
        offer = InternshipFactory(start_date=in_days(14), end_date=None, duration_weeks=8, tasks="Tailler les haies.")
        response = client.get(f"/benevolat/missions/{offer.pk}/calendrier.ics")

        assert response.status_code == 200
        body = response.content.decode().replace("\r\n ", "")
        assert f"DTSTART;VALUE=DATE:{in_days(14):%Y%m%d}" in body
        # Eight weeks: the last day is 55 days after the first; DTEND is the day after it.
        assert f"DTEND;VALUE=DATE:{in_days(14 + 56):%Y%m%d}" in body
        assert "Tailler les haies." in body and "35 heures par semaine" in body
        assert "Tuteur" not in body and "tuteur@paris.fr" not in body


class TestApplicantsCsv:
    def test_only_the_directions_managers_export_an_internships_applicants(
        self, client, direction, correspondent, plain_member
    ):
        offer = InternshipFactory(organization=direction)
        ApplicationFactory(mission=offer)
        for user, expected in ((correspondent, 200), (plain_member, 404)):
            client.force_login(user)
            assert client.get(f"/benevolat/missions/{offer.pk}/candidatures.csv").status_code == expected
            api = client.get(f"/api/v1/volunteering/missions/{offer.pk}/applications.csv")
            assert api.status_code == expected


class TestCachedFigures:
    def test_a_second_view_reads_the_cache_and_a_change_is_seen_at_once(self, client, office, direction, correspondent):
        offer = InternshipFactory(organization=direction)
        application = ApplicationFactory(mission=offer)
        client.force_login(office)
        assert "1 offre, 1 candidature," in client.get(OFFICE_PAGE).content.decode()
        with CaptureQueriesContext(connection) as cached:
            client.get(OFFICE_PAGE)
        services.change_status(correspondent, application, "accepted")
        ApplicationFactory(mission=offer)

        page = client.get(OFFICE_PAGE).content.decode()

        assert len(cached) <= 6  # session, user, permissions, the figures' version: no figure recomputed
        assert "1 offre, 2 candidatures, 1 stagiaire accueilli" in page

    def test_large_figures_are_served_for_five_minutes_then_refreshed_by_the_job(
        self, client, office, direction, monkeypatch
    ):
        from volunteering import tasks

        monkeypatch.setattr(selectors, "LARGE_FIGURES", 0)  # as if the City had more than 20,000 applications
        cache.clear()  # no figures of another test, served as recent ones
        offer = InternshipFactory(organization=direction)
        ApplicationFactory(mission=offer)
        client.force_login(office)
        client.get(OFFICE_PAGE)
        ApplicationFactory(mission=offer)

        assert "1 offre, 1 candidature," in client.get(OFFICE_PAGE).content.decode()  # as of a minute ago
        tasks.refresh_internship_figures.call()
        assert "1 offre, 2 candidatures" in client.get(OFFICE_PAGE).content.decode()


class TestSearchByDirection:
    def test_the_internship_page_filters_by_direction_and_counts_each(self, client, direction):
        roads = DirectionFactory(name="Direction de la voirie et des déplacements")
        InternshipFactory(organization=direction, title="Stage jardinier au parc Monceau")
        InternshipFactory(organization=roads, title="Stage mobilités cyclables")

        page = client.get("/benevolat/stages/", {"organization": direction.pk}).content.decode()

        assert "Stage jardinier au parc Monceau" in page and "Stage mobilités cyclables" not in page
        assert f'<option value="{direction.pk}" selected>' in page
        assert "Direction de la voirie et des déplacements (1)" in page  # the other choice keeps its count
