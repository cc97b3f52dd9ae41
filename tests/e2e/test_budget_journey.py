"""On a phone, a resident fills a participatory-budget ballot within the envelope; every page is axe clean."""

import pytest
from playwright.sync_api import expect

from budget import services
from budget.models import Ballot
from tests.budget.conftest import make_campaign, make_project
from tests.e2e.helpers import assert_accessible, login
from tests.factories import ResidentFactory, TeamUserFactory, UserFactory

pytestmark = [pytest.mark.e2e]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def test_a_resident_votes_within_the_envelope_on_a_phone(new_page, live_server_url, reference_data):
    campaign = make_campaign(2026, phase="vote", paris=1_000_000, arr=300_000)
    trees = make_project(campaign, "paris", 600_000, "Des arbres rue de Rivoli")
    make_project(campaign, "paris", 500_000, "Une piscine flottante")
    benches = make_project(campaign, 11, 100_000, "Des bancs place Léon-Blum")
    past = make_campaign(2025, phase="delivery")
    fountain = make_project(past, "paris", 10, "Une fontaine")
    services.compute_results(TeamUserFactory(), past)
    type(fountain).objects.filter(pk=fountain.pk).update(votes=3, winner=True, stage="works")
    ResidentFactory(email="lea@example.org")  # her arrondissement is declared

    phone = new_page(**PHONE)
    login(phone, live_server_url, "lea@example.org")
    phone.goto(f"{live_server_url}/budget-participatif/")
    expect(phone.locator("h1")).to_contain_text("Budget participatif 2026")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="Remplir mon bulletin").tap()
    phone.locator("#b-arr").select_option("11")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Afficher ses projets").tap()
    assert_accessible(phone)
    phone.get_by_label(f"{trees.title}", exact=False).check()
    phone.get_by_label("Une piscine flottante", exact=False).check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Enregistrer mon bulletin").tap()
    expect(phone.locator("[role=alert]")).to_contain_text("enveloppe")
    assert not Ballot.objects.exists()
    phone.get_by_label("Une piscine flottante", exact=False).uncheck()
    phone.get_by_label(benches.title, exact=False).check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Enregistrer mon bulletin").tap()
    expect(phone.locator(".messages")).to_contain_text("Votre bulletin est enregistré")
    expect(phone.locator("main")).to_contain_text("Reste dans l'enveloppe")
    assert_accessible(phone)
    assert Ballot.objects.get().choices.count() == 2

    for path in ("/budget-participatif/projets/", trees.get_absolute_url(), "/budget-participatif/2025/resultats/"):
        phone.goto(f"{live_server_url}{path}")
        assert_accessible(phone)

    # the winners as a layer of the participatory map, behind a toggle
    phone.goto(f"{live_server_url}/carte/")
    phone.wait_for_selector(".leaflet-container")
    with phone.expect_response(lambda r: "/api/v1/budget/projects/" in r.url and r.status == 200) as answer:
        phone.get_by_label("Projets lauréats du budget participatif").check()
    assert any(f["properties"]["title"] == "Une fontaine" for f in answer.value.json()["features"])
    assert_accessible(phone)


def test_the_whole_campaign_from_an_address_to_the_map(new_page, live_server_url, reference_data):
    """Issue 16's "done when": a resident submits a project from an address on a phone, the services declare it
    admissible and merge a similar one, the resident votes within the envelope, the team publishes the results and
    the winner's progress appears on the map; the team moves the campaign through its phases from the site."""
    import re

    from budget.models import Project
    from core import places
    from tests.factories import REPUBLIQUE, OrganizationFactory

    places.load()
    campaign = make_campaign(2027, phase="submission", paris=1_000_000, arr=300_000)
    similar = make_project(campaign, "paris", None, "Des bancs sur la place de la République", status="submitted")
    Project.objects.filter(pk=similar.pk).update(geometry=REPUBLIQUE, point=REPUBLIQUE)
    pool = make_project(campaign, "paris", 900_000, "Une piscine flottante", status="submitted")
    OrganizationFactory(name="Direction de la voirie", kind="city_service")
    UserFactory(email="lea@example.org", display_name="Léa")
    TeamUserFactory(email="agent@paris.fr")

    # 1. the resident submits a project from an address, on a phone; the map's duplicate warning shows first
    phone = new_page(**PHONE)
    login(phone, live_server_url, "lea@example.org")
    phone.goto(f"{live_server_url}/budget-participatif/2027/deposer/")
    phone.get_by_label("Titre").fill("Des bancs place de la République")
    phone.get_by_label("Description").fill("Des bancs à l'ombre des platanes, pour les aînés du quartier.")
    phone.locator("#id_address").fill("place de la République")
    phone.get_by_label("Besoin estimé (€)").fill("40000")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Déposer mon projet").tap()
    expect(phone.locator("#similar-projects")).to_contain_text("Des bancs sur la place de la République")
    assert_accessible(phone)
    phone.get_by_label(re.compile("Mon projet est différent")).check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Déposer mon projet").tap()
    expect(phone.locator(".messages")).to_contain_text("Votre projet est déposé")
    mine = Project.objects.get(title="Des bancs place de la République")
    assert_accessible(phone)

    # 2. the team opens the study, declares it admissible with its cost, merges the similar one into it
    desk = new_page()
    login(desk, live_server_url, "agent@paris.fr")
    desk.goto(f"{live_server_url}/budget-participatif/2027/equipe/")
    assert_accessible(desk)
    with desk.expect_navigation():
        desk.get_by_role("button", name="Ouvrir la phase suivante aujourd'hui").click()
    expect(desk.locator("main")).to_contain_text("Instruction par les services de la Ville")
    for project, cost in ((mine, "60000"), (pool, "950000")):
        desk.goto(f"{live_server_url}{project.get_absolute_url()}")
        desk.get_by_label("Coût estimé par les services (€)").fill(cost)
        with desk.expect_navigation():
            desk.get_by_role("button", name="Enregistrer l'avis").click()
        expect(desk.locator(".messages")).to_contain_text("L'avis est enregistré")
    desk.goto(f"{live_server_url}{similar.get_absolute_url()}")
    desk.get_by_label("Projet qu'il rejoint").select_option(label=mine.title)
    with desk.expect_navigation():
        desk.get_by_role("button", name="Regrouper").click()
    desk.goto(f"{live_server_url}{mine.get_absolute_url()}")
    desk.get_by_label("Note de co-construction (publique)").fill("Atelier avec la porteuse : trois bancs, pas quatre.")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Publier la note").click()
    expect(desk.locator("main")).to_contain_text("Projets regroupés dans celui-ci")
    assert_accessible(desk)

    # 3. the vote opens; the resident declares where she lives and votes within the envelope, on her phone
    desk.goto(f"{live_server_url}/budget-participatif/2027/equipe/")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Ouvrir la phase suivante aujourd'hui").click()
    phone.goto(f"{live_server_url}/budget-participatif/2027/vote/")
    expect(phone.locator("main")).to_contain_text("Où habitez-vous")
    assert_accessible(phone)
    phone.get_by_label("Arrondissement de résidence").select_option("10")
    with phone.expect_navigation():
        phone.get_by_role("button", name="J'y habite").tap()
    phone.get_by_label(mine.title, exact=False).check()
    phone.get_by_label("Une piscine flottante", exact=False).check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Enregistrer mon bulletin").tap()
    expect(phone.locator("[role=alert]")).to_contain_text("enveloppe")
    phone.get_by_label("Une piscine flottante", exact=False).uncheck()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Enregistrer mon bulletin").tap()
    expect(phone.locator(".messages")).to_contain_text("Votre bulletin est enregistré")
    assert_accessible(phone)

    # 4. the team closes the vote, publishes the results, opens the delivery and follows the winner
    desk.goto(f"{live_server_url}/budget-participatif/2027/equipe/")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Ouvrir la phase suivante aujourd'hui").click()
    with desk.expect_navigation():
        desk.get_by_role("button", name="Dépouiller les bulletins et publier les résultats").click()
    with desk.expect_navigation():
        desk.get_by_role("button", name="Ouvrir la phase suivante aujourd'hui").click()
    desk.goto(f"{live_server_url}{mine.get_absolute_url()}")
    desk.get_by_label(re.compile("^Étape")).select_option("works")
    desk.get_by_label("Avancement (%)").fill("40")
    desk.get_by_label(re.compile("Nouvelles pour les personnes")).fill("Les bancs sont commandés.")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Publier le suivi").click()
    expect(desk.locator(".messages")).to_contain_text("Le suivi est publié")

    # 5. the resident reads the results and finds her project on the map, in works
    phone.goto(f"{live_server_url}/budget-participatif/2027/resultats/")
    expect(phone.locator("main")).to_contain_text("Lauréat")
    assert_accessible(phone)
    phone.goto(f"{live_server_url}{mine.get_absolute_url()}")
    expect(phone.locator("main")).to_contain_text("Les bancs sont commandés.")
    expect(phone.locator("main")).to_contain_text("40")
    assert_accessible(phone)
    phone.goto(f"{live_server_url}/carte/")
    phone.wait_for_selector(".leaflet-container")
    with phone.expect_response(lambda r: "/api/v1/budget/projects/" in r.url and r.status == 200) as answer:
        phone.get_by_label("Projets lauréats du budget participatif").check()
    winners = {f["properties"]["title"]: f["properties"]["stage"] for f in answer.value.json()["features"]}
    assert winners.get(mine.title) == "works"
