"""A resident proposes on the map, is warned about a duplicate, votes; another browser sees the count live."""

import re

import pytest
from playwright.sync_api import expect

from core import places
from tests.e2e.helpers import assert_accessible, live_on, login
from tests.factories import HOTEL_DE_VILLE, UserFactory
from tests.mapvotes.factories import ProposalFactory

pytestmark = [pytest.mark.e2e]


def test_propose_with_duplicate_warning_vote_and_live_count(page, new_page, live_server_url, reference_data):
    places.load()
    existing = ProposalFactory(title="Piste cyclable rue de Rivoli", geometry=HOTEL_DE_VILLE.clone())
    UserFactory(email="camille@example.org", display_name="Camille")
    login(page, live_server_url, "camille@example.org")
    page.goto(f"{live_server_url}/carte/")
    page.wait_for_selector(".leaflet-container")
    # type the place (a suggestion of the gazetteer): its coordinates are filled in; then type a similar title
    page.locator("#id_address").fill("Hôtel de Ville")
    expect(page.locator("#id_latitude")).to_have_value(re.compile(r"^48\.856"), timeout=10_000)
    page.locator("#id_title").fill("Piste cyclable sur la rue de Rivoli")
    warning = page.locator("#duplicates")
    warning.get_by_role("link", name=re.compile("Soutenir celle-ci")).wait_for(timeout=10_000)
    assert "Piste cyclable rue de Rivoli" in warning.inner_text()
    assert_accessible(page)

    # the resident decides to support the existing one instead; a second browser watches that page
    watcher = new_page()
    watcher.goto(f"{live_server_url}/carte/propositions/{existing.pk}/")
    live_on(watcher, "/ws/map/")
    warning.get_by_role("link", name=re.compile("Soutenir celle-ci")).first.click()
    page.wait_for_url(re.compile(rf"/carte/propositions/{existing.pk}/"))
    page.get_by_role("button", name=re.compile("^Voter pour")).click()
    page.locator("[data-votes-for]").filter(has_text="1").wait_for(timeout=10_000)
    watcher.locator("[data-votes-for]").filter(has_text="1").wait_for(timeout=10_000)
    assert_accessible(page)


def test_propose_by_clicking_the_map(page, live_server_url, reference_data):
    UserFactory(email="sami@example.org")
    login(page, live_server_url, "sami@example.org")
    page.goto(f"{live_server_url}/carte/")
    page.wait_for_selector(".leaflet-container")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.locator("#id_latitude").input_value() != ""
    page.locator("#id_title").fill("Fontaine à eau potable")
    page.locator("#id_description").fill("Une fontaine pour les promeneurs.")
    page.locator("#id_theme").select_option("sante")
    page.get_by_role("button", name="Publier ma proposition").click()
    page.wait_for_url(re.compile(r"/carte/propositions/\d+/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Fontaine à eau potable"


def test_list_view_votes_by_keyboard_and_is_accessible(page, live_server_url, reference_data):
    proposal = ProposalFactory(title="Bancs au square du Temple")
    UserFactory(email="lina@example.org")
    login(page, live_server_url, "lina@example.org")
    page.goto(f"{live_server_url}/carte/liste/")
    assert_accessible(page)
    button = page.get_by_role("button", name=re.compile("Voter pour.*Bancs au square du Temple"))
    button.focus()
    page.keyboard.press("Enter")
    page.locator("[data-votes-for]").first.filter(has_text="1").wait_for(timeout=10_000)
    assert button.get_attribute("aria-pressed") == "true"
    page.goto(f"{live_server_url}/carte/propositions/{proposal.pk}/")
    assert_accessible(page)
