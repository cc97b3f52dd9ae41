"""What the marketplace answers, third round: the average answer time a mission page shows, the internship search's
paid / not paid counts, the internship office's figures per direction and per trade, who is recorded for a decision
taken in bulk, the French refusals of status changes, attestations and saved searches, and the CV retention job."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from core.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.volunteering.factories import (
    ApplicationFactory,
    DirectionFactory,
    InternshipFactory,
    MissionFactory,
    in_days,
)
from tests.volunteering.test_services import pdf
from volunteering import selectors, services
from volunteering.models import Application, ApplicationEvent, Attestation, Mission, SavedSearch
from volunteering.selectors import MissionFilters

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteering/"
OFFICE_CSV = "/benevolat/stages/bureau-des-stages/chiffres.csv"


def answered_after(application, delay):
    Application.objects.filter(pk=application.pk).update(first_response_at=application.created_at + delay)


# --- the average answer time, in words ------------------------------------------------------------------------------


def test_the_mission_page_says_the_organisation_answers_in_3_days_on_average(mission):
    answered_after(ApplicationFactory(mission=mission), datetime.timedelta(days=2))
    answered_after(ApplicationFactory(mission=mission), datetime.timedelta(days=4))

    page = Client().get(f"/benevolat/missions/{mission.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "répond en 3 jours en moyenne" in page


def test_the_mission_page_says_the_organisation_answers_in_5_hours_on_average(mission):
    answered_after(ApplicationFactory(mission=mission), datetime.timedelta(hours=5))

    page = Client().get(f"/benevolat/missions/{mission.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "répond en 5 heures en moyenne" in page


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (None, None),
        (0.1, "1 heure"),  # a few minutes: never « 0 heure »
        (1, "1 heure"),
        (2, "2 heures"),
        (47.4, "47 heures"),
        (datetime.timedelta(hours=48), "2 jours"),
        (datetime.timedelta(days=10, hours=2), "10 jours"),
        (24 * 30, "30 jours"),
    ],
)
def test_a_duration_reads_in_hours_under_two_days_then_in_days(duration, words):
    assert selectors.human_duration(duration) == words


# --- the internship search: paid or not -----------------------------------------------------------------------------


@pytest.fixture
def paid_and_unpaid(direction):
    """Two paid offers (CAP–bac and bac + 3) and an unpaid one (CAP–bac), all of the same direction."""
    InternshipFactory(organization=direction, paid=True, level="cap_bac")
    InternshipFactory(organization=direction, paid=True, level="bac_3")
    InternshipFactory(organization=direction, paid=False, level="cap_bac")


def test_the_internship_search_counts_paid_and_unpaid_offers_whatever_the_paid_filter(client, paid_and_unpaid):
    for params in ({}, {"paid": "true"}, {"paid": "false"}):
        page = client.get("/benevolat/stages/", params, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Gratifié (2)</option>" in page
        assert "Non gratifié (1)</option>" in page


def test_the_internship_facets_count_levels_and_directions_within_the_paid_filter(direction, paid_and_unpaid):
    facets = selectors.facets(MissionFilters(kind=Mission.Kind.INTERNSHIP, paid=True, levels=["bac_3"]))

    assert facets["paid"] == {"true": 1, "false": 0}  # within the level filter, not the paid one
    assert [(level["value"], level["count"], level["selected"]) for level in facets["levels"]] == [
        ("observation_3e", 0, False),
        ("cap_bac", 1, False),
        ("bac_2", 0, False),
        ("bac_3", 1, True),
        ("bac_5", 0, False),
    ]
    assert facets["directions"] == [{"id": direction.pk, "name": direction.name, "count": 1, "selected": False}]


# --- the internship office's figures: a direction without offers, the trades ------------------------------------------


def spontaneous(direction, trade="", level="bac_2"):
    return ApplicationFactory(
        mission=None, organization=direction, kind="internship", wished_trade=trade, wished_level=level
    )


def test_a_direction_receiving_only_spontaneous_applications_has_its_full_row_of_figures(client, office):
    archives = DirectionFactory(name="Direction des archives")
    answered_after(spontaneous(archives), datetime.timedelta(hours=5))
    spontaneous(archives)

    figures = selectors.internship_figures()

    assert figures["directions"] == [
        {
            "name": "Direction des archives",
            "offers": 0,
            "open": 0,
            "places": 0,
            "paid": 0,
            "applications": 2,
            "spontaneous": 2,
            "placed": 0,
            "answered_share": 50,
            "median_answer_hours": 5.0,
        }
    ]
    assert figures["totals"] == {"offers": 0, "applications": 2, "placed": 0}
    client.force_login(office)
    rows = list(csv.reader(io.StringIO(client.get(OFFICE_CSV).content.decode("utf-8-sig")), delimiter=";"))
    cells = {(t, r, m): v for t, r, m, v in rows[1:]}
    assert cells[("Par direction", "Direction des archives", "Offres ouvertes")] == "0"
    assert cells[("Par direction", "Direction des archives", "Spontanée")] == "2"


def test_trades_are_sorted_by_their_largest_figure_then_by_name_whatever_the_case(direction):
    """Cuisinier: spontaneous candidates only (2); Jardinier paysagiste: 1 offer of 2 places, 1 application to it and
    2 spontaneous candidates (as many as places: demand does not exceed it); archiviste and Bibliothécaire: 1 offer
    each, sorted by name as a reader reads it (not capitals first)."""
    gardener = InternshipFactory(organization=direction, trade="Jardinier paysagiste", places=2)
    ApplicationFactory(mission=gardener)
    InternshipFactory(organization=direction, trade="Bibliothécaire", places=1)
    InternshipFactory(organization=direction, trade="archiviste", places=1)
    for trade in ("Cuisinier", "Cuisinier", "Jardinier paysagiste", "jardinier paysagiste "):
        spontaneous(direction, trade)

    trades = selectors.internship_figures()["trades"]

    assert trades == [
        {"name": "Cuisinier", "offers": 0, "places": 0, "applications": 0, "spontaneous": 2, "demand_exceeds": True},
        {
            "name": "Jardinier paysagiste",
            "offers": 1,
            "places": 2,
            "applications": 1,
            "spontaneous": 2,
            "demand_exceeds": False,
        },
        {"name": "archiviste", "offers": 1, "places": 1, "applications": 0, "spontaneous": 0, "demand_exceeds": False},
        {
            "name": "Bibliothécaire",
            "offers": 1,
            "places": 1,
            "applications": 0,
            "spontaneous": 0,
            "demand_exceeds": False,
        },
    ]


def test_the_figures_show_the_15_largest_trades(direction):
    for n in range(1, 17):
        InternshipFactory(organization=direction, trade=f"Métier {n:02}")

    trades = selectors.internship_figures()["trades"]

    assert [t["name"] for t in trades] == [f"Métier {n:02}" for n in range(1, 16)]


# --- decisions: who is recorded, the refusals -----------------------------------------------------------------------


def test_a_decision_in_bulk_records_who_took_it_as_the_admin_shows(org_admin, mission):
    org_admin.display_name = "Nadia Présidente"
    org_admin.save()
    ids = [ApplicationFactory(mission=mission).pk for _ in range(2)]

    response = client_for(org_admin).post(
        BASE + "applications/bulk/", {"ids": ids, "status": "shortlisted", "message": "Merci {name}"}, format="json"
    )

    assert response.status_code == 200
    events = ApplicationEvent.objects.filter(application_id__in=ids)
    assert [(e.actor, e.from_status, e.to_status) for e in events] == [(org_admin, "submitted", "shortlisted")] * 2
    superuser = UserFactory(email="admin@paris.fr", is_superuser=True, is_staff=True, is_team=True)
    admin = Client()
    admin.force_login(superuser)
    listing = admin.get("/admin/volunteering/applicationevent/").content.decode()
    assert listing.count("Nadia Présidente") == 2


def test_bulk_decisions_are_refused_in_french(org_admin, mission, other_org_member):
    mine, foreign = ApplicationFactory(mission=mission), ApplicationFactory()

    def refusal(ids, status="declined"):
        with pytest.raises(ValidationError) as refused:
            services.bulk_change_status(org_admin, ids, status)
        return refused.value.message_dict

    assert refusal([mine.pk], "withdrawn") == {
        "status": [
            "Choisissez shortlisted (présélectionnée), invited (convoquée), accepted (acceptée) ou declined (déclinée)."
        ]
    }
    assert refusal([]) == {"ids": ["Sélectionnez au moins une candidature."]}
    assert refusal(range(1, 502)) == {"ids": ["Sélectionnez au plus 500 candidatures à la fois."]}
    five_hundred = [mine.pk, *range(10**9, 10**9 + 499)]  # 500 at most: checked one by one
    assert refusal(five_hundred)["ids"][0].startswith(f"Candidatures inconnues\xa0: {10**9}, ")
    assert refusal([foreign.pk, mine.pk]) == {"ids": [f"Candidatures inconnues\xa0: {foreign.pk}."]}
    with pytest.raises(ValidationError) as refused:
        services.bulk_change_status(other_org_member, [mine.pk], "declined")
    assert refused.value.message_dict == {"ids": [f"Candidatures inconnues\xa0: {mine.pk}."]}
    mine.refresh_from_db()
    assert mine.status == "submitted"


def test_the_applicant_cannot_answer_their_own_application(mission, volunteer):
    application = ApplicationFactory(mission=mission, volunteer=volunteer)

    response = client_for(volunteer).patch(
        f"{BASE}applications/{application.pk}/", {"status": "accepted"}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Seuls les membres de l'organisation peuvent répondre à cette candidature."
    with pytest.raises(PermissionDenied) as refused:
        services.change_status(volunteer, application, "accepted")
    assert str(refused.value) == "Seuls les membres de l'organisation peuvent répondre à cette candidature."
    application.refresh_from_db()
    assert application.status == "submitted"


def test_a_status_change_is_refused_in_french(org_admin, mission):
    application = ApplicationFactory(mission=mission, status="accepted")

    with pytest.raises(ValidationError) as refused:
        services.change_status(org_admin, application, "submitted")
    assert refused.value.message_dict == {
        "status": [
            "Choisissez shortlisted (présélectionnée), invited (convoquée), accepted (acceptée) ou declined (déclinée)."
        ]
    }
    with pytest.raises(ValidationError) as refused:
        services.change_status(org_admin, application, "shortlisted")
    assert refused.value.message_dict == {
        "status": ["Une candidature «\xa0acceptée\xa0» ne peut pas devenir «\xa0présélectionnée\xa0»."]
    }


# --- the attestation de bénévolat ----------------------------------------------------------------------------------


@pytest.fixture
def accepted_on_ended_mission(organization, volunteer):
    mission = MissionFactory(
        organization=organization, title="Nettoyage des berges", start_date=in_days(-30), end_date=in_days(-1)
    )
    return ApplicationFactory(mission=mission, volunteer=volunteer, status="accepted")


def test_the_volunteer_is_told_in_french_that_the_attestation_is_issued(org_admin, accepted_on_ended_mission):
    application = accepted_on_ended_mission

    services.issue_attestation(org_admin, application, signer_name="  Marc Dupont ", signer_role=" Président ")

    notification = Notification.objects.get(recipient=application.volunteer, kind="volunteering.attestation")
    assert notification.title == (
        "Les Jardins Partagés du 11e vous a délivré votre attestation de bénévolat pour «\xa0Nettoyage des berges\xa0»"
    )
    assert notification.url == f"/benevolat/candidatures/{application.pk}/"
    assert Attestation.objects.values_list("signer_name", "signer_role", "hours").get() == (
        "Marc Dupont",
        "Président",
        None,
    )


@pytest.mark.parametrize(
    ("signer", "refusal"),
    [
        ({"signer_name": "   "}, {"signer_name": ["Indiquez qui signe l’attestation."]}),
        ({"signer_name": "M" * 121}, {"signer_name": ["Un nom ou une fonction doit faire au plus 120 caractères."]}),
        (
            {"signer_name": "Marc", "signer_role": "P" * 121},
            {"signer_name": ["Un nom ou une fonction doit faire au plus 120 caractères."]},
        ),
        (
            {"signer_name": "Marc", "hours": 0},
            {"hours": ["Indiquez un nombre d’heures entre 1 et 10\xa0000, ou laissez le champ vide."]},
        ),
        (
            {"signer_name": "Marc", "hours": 10001},
            {"hours": ["Indiquez un nombre d’heures entre 1 et 10\xa0000, ou laissez le champ vide."]},
        ),
    ],
)
def test_an_attestation_with_a_wrong_signer_or_number_of_hours_is_refused(
    org_admin, accepted_on_ended_mission, signer, refusal
):
    with pytest.raises(ValidationError) as refused:
        services.issue_attestation(org_admin, accepted_on_ended_mission, **signer)
    assert refused.value.message_dict == refusal
    assert not Attestation.objects.exists()


@pytest.mark.parametrize(
    "signer",
    [
        {"signer_name": "M" * 120, "signer_role": "P" * 120, "hours": 1},
        {"signer_name": "Marc", "hours": 10000},
    ],
)
def test_an_attestation_at_the_limits_is_issued(org_admin, accepted_on_ended_mission, signer):
    attestation = services.issue_attestation(org_admin, accepted_on_ended_mission, **signer)
    assert (attestation.signer_name, attestation.signer_role, attestation.hours) == (
        signer["signer_name"],
        signer.get("signer_role", ""),
        signer["hours"],
    )


# --- saved searches -------------------------------------------------------------------------------------------------


def test_a_saved_search_is_refused_in_french(volunteer):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied) as refused:
        services.save_search(AnonymousUser(), "internship", "q=jardin")
    assert str(refused.value) == "Vous devez vous connecter pour faire cela."
    with pytest.raises(ValidationError) as refused:
        services.save_search(volunteer, "stage", "q=jardin")
    assert refused.value.message_dict == {"kind": ["Type d'offre inconnu."]}
    with pytest.raises(ValidationError) as refused:
        services.save_search(volunteer, "internship", "level=master")
    assert refused.value.message_dict == {
        "query": ["Cette recherche contient des filtres invalides\xa0: corrigez-les avant de l'enregistrer."]
    }
    assert not SavedSearch.objects.exists()


def test_saving_a_search_of_an_unknown_kind_says_why_on_the_page(client, volunteer):
    client.force_login(volunteer)

    page = client.post(
        "/benevolat/recherches/enregistrer/", {"kind": "stage", "query": "q=jardin"}, follow=True
    ).content.decode()

    assert "Type d&#x27;offre inconnu." in page
    assert not SavedSearch.objects.exists()


# --- CV retention ---------------------------------------------------------------------------------------------------


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def test_cvs_are_deleted_after_183_days_without_touching_the_applications_date(organization, volunteer):
    """Missions ended 184 days ago lose their CVs, not those ended 183 days ago; spontaneous applications likewise
    after their last change; an application without a CV is not counted. The job is no change of the application:
    the date of its last change stays as it was."""
    last_change = timezone.now() - datetime.timedelta(days=400)
    old_mission, recent_mission = MissionFactory(organization=organization), MissionFactory(organization=organization)
    old = services.apply(volunteer, old_mission, "", pdf())
    recent = services.apply(UserFactory(), recent_mission, "", pdf())
    ApplicationFactory(mission=old_mission)  # no CV
    for mission, end in ((old_mission, -184), (recent_mission, -183)):
        Mission.objects.filter(pk=mission.pk).update(start_date=in_days(-300), end_date=in_days(end))
    old_spontaneous = services.apply_spontaneously(UserFactory(), organization, "Bonjour", cv=pdf())
    recent_spontaneous = services.apply_spontaneously(UserFactory(), organization, "Bonjour", cv=pdf())
    Application.objects.filter(pk__in=[old.pk, recent.pk]).update(updated_at=last_change)
    # at noon, Paris time: "184 days ago" by the clock can be 183 days ago by the calendar across summer time
    Application.objects.filter(pk=old_spontaneous.pk).update(updated_at=_noon(in_days(-184)))
    Application.objects.filter(pk=recent_spontaneous.pk).update(updated_at=_noon(in_days(-183)))
    before = client_for(volunteer).get(f"{BASE}applications/{old.pk}/").json()

    assert services.delete_old_cvs() == 2

    after = client_for(volunteer).get(f"{BASE}applications/{old.pk}/").json()
    assert (before["has_cv"], after["has_cv"]) == (True, False)
    assert after["updated_at"] == before["updated_at"]
    kept = Application.objects.exclude(cv="").values_list("pk", flat=True)
    assert sorted(kept) == sorted([recent.pk, recent_spontaneous.pk])
    old_spontaneous.refresh_from_db()
    assert timezone.localdate(old_spontaneous.updated_at) == in_days(-184)
