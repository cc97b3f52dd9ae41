"""A newcomer on a phone never types a longitude: proposes from a typed address chosen among the suggestions with
the keyboard, goes to an address on the map, and finds missions near a typed place."""

import re

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from core import places
from tests.e2e.helpers import assert_accessible, login
from tests.factories import HOTEL_DE_VILLE, UserFactory
from tests.volunteering.factories import MissionFactory

pytestmark = [pytest.mark.e2e]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def choose_with_keyboard(page, field, typed, wanted):
    """Type, then walk the suggestions with the arrow keys until `wanted` is the active option; Enter chooses it."""
    field.press_sequentially(typed, delay=40)
    listbox = page.locator(f"#{field.get_attribute('aria-controls')}")
    expect(field).to_have_attribute("aria-expanded", "true", timeout=10_000)
    expect(listbox.get_by_role("option").first).to_be_visible()
    for _ in range(listbox.get_by_role("option").count()):
        field.press("ArrowDown")
        active = page.locator(f"#{field.get_attribute('aria-activedescendant')}")
        expect(active).to_have_attribute("aria-selected", "true")
        if active.inner_text().startswith(wanted):
            break
    else:
        raise AssertionError(f"{wanted} is not among the suggestions")
    field.press("Enter")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(field).to_have_value(wanted)


def test_a_newcomer_on_a_phone_proposes_from_a_typed_address(new_page, live_server_url, reference_data):
    from mapvotes.models import Proposal

    places.load()
    UserFactory(email="awa@example.org")
    phone = new_page(**PHONE)
    login(phone, live_server_url, "awa@example.org")
    phone.goto(f"{live_server_url}/carte/")
    phone.wait_for_selector(".leaflet-container")

    # "aller à une adresse": the map moves there
    goto = phone.locator("#id_aller")
    expect(goto).to_have_attribute("role", "combobox")
    choose_with_keyboard(phone, goto, "buttes", "Parc des Buttes-Chaumont")
    expect(phone.locator("#map-status")).to_contain_text("Carte centrée sur : Parc des Buttes-Chaumont")
    expect(phone.get_by_role("button", name="Autour de moi")).to_be_visible()

    # the proposal, from an address chosen among the suggestions with the keyboard
    address = phone.locator("#id_address")
    address.scroll_into_view_if_needed()
    choose_with_keyboard(phone, address, "gare du n", "Gare du Nord")
    expect(phone.locator("#id_latitude")).to_have_value(re.compile(r"^48\.880"))
    expect(phone.locator("#map-status")).to_contain_text("Emplacement choisi")
    phone.locator("#id_title").fill("Un abri vélo devant la gare")
    phone.locator("#id_description").fill("Les vélos sont attachés aux grilles faute de place.")
    phone.locator("#id_theme").select_option("mobilite")
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="Publier ma proposition").tap()
    phone.wait_for_url(re.compile(r"/carte/propositions/\d+/"))
    proposal = Proposal.objects.get(title="Un abri vélo devant la gare")
    assert proposal.district.number == 10


def test_a_newcomer_finds_missions_near_a_typed_place(new_page, live_server_url, reference_data):
    places.load()
    MissionFactory(title="Au pied du Sacré-Cœur", location=Point(2.3440, 48.8860, srid=4326))
    MissionFactory(title="À l'Hôtel de Ville", location=HOTEL_DE_VILLE.clone())
    phone = new_page(**PHONE)
    phone.goto(f"{live_server_url}/benevolat/")
    phone.locator("summary", has_text="Filtres").first.click()  # on a phone the filters fold behind one button
    near = phone.locator("#f-near")
    near.scroll_into_view_if_needed()
    choose_with_keyboard(phone, near, "sacre", "Sacré-Cœur")
    phone.locator("#f-radius").fill("2")
    phone.locator("#mission-search").get_by_role("button", name="Rechercher").click()
    phone.wait_for_load_state("networkidle")
    assert "near=Sacr" in phone.url
    results = phone.locator(".mission-list")
    expect(results).to_contain_text("Au pied du Sacré-Cœur")
    expect(results).not_to_contain_text("À l'Hôtel de Ville")
    assert_accessible(phone)

    # an unknown place: a French message next to the field, the other filters untouched
    filters = phone.locator("summary", has_text="Filtres").first
    if filters.get_attribute("aria-expanded") != "true" and not phone.locator("#f-near").is_visible():
        filters.click()
    near = phone.locator("#f-near")
    near.fill("Rue Imaginaire Zzqx")
    phone.locator("#mission-search").get_by_role("button", name="Rechercher").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.locator("#f-near_error")).to_contain_text("Nous n'avons pas trouvé ce lieu dans Paris")
    expect(phone.locator("#f-near")).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("input[name=theme]").first).to_be_attached()
    assert_accessible(phone)
