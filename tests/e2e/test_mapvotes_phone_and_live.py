"""On a phone, a resident places a proposal with a tap or by typing a place; new proposals reach other maps live."""

import re

import pytest
import requests
from playwright.sync_api import expect

from core import places
from tests.e2e.helpers import assert_accessible, live_on, login
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


def test_on_a_phone_a_tap_places_the_proposal_and_a_typed_place_moves_it(new_page, live_server_url, reference_data):
    places.load()
    UserFactory(email="nadia@example.org")
    phone = new_page(**PHONE)
    login(phone, live_server_url, "nadia@example.org")
    phone.goto(f"{live_server_url}/carte/")
    phone.wait_for_selector(".leaflet-container")
    phone.locator("#map-status").filter(has_text="dans cette zone").wait_for(timeout=10_000)
    phone.locator("#map").scroll_into_view_if_needed()
    box = phone.locator("#map").bounding_box()
    phone.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert phone.locator("#id_latitude").input_value() != ""
    assert "Emplacement choisi" in phone.locator("#map-status").inner_text()
    # the point's words come from the server a moment later
    expect(phone.locator("#id_address")).to_have_value(re.compile(r"\S"), timeout=10_000)

    # typing a place name instead: the suggestion fills the coordinates and moves the marker
    phone.locator("#id_address").fill("Place de la Bastille")
    expect(phone.locator("#id_latitude")).to_have_value(re.compile(r"^48\.853"), timeout=10_000)
    expect(phone.locator("#id_longitude")).to_have_value(re.compile(r"^2\.369"))
    phone.locator("#id_title").fill("Plus de bancs place de la Bastille")
    phone.locator("#id_description").fill("Pour s'asseoir en attendant le bus.")
    phone.locator("#id_theme").select_option("mobilite")
    assert_accessible(phone)
    phone.get_by_role("button", name="Publier ma proposition").tap()
    phone.wait_for_url(re.compile(r"/carte/propositions/\d+/"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Plus de bancs place de la Bastille"
    assert_accessible(phone)


def test_a_new_proposal_appears_on_another_residents_map_without_reload(page, live_server_url, reference_data):
    UserFactory(email="yanis@example.org")
    page.goto(f"{live_server_url}/carte/")
    page.wait_for_selector(".leaflet-container")
    status = page.locator("#map-status")
    status.filter(has_text=re.compile(r"^0 proposition")).wait_for(timeout=10_000)
    live_on(page, "/ws/map/")

    token = requests.post(
        f"{live_server_url}/api/v1/auth/token/",
        json={"email": "yanis@example.org", "password": "motdepasse-solide-42"},
        timeout=30,
    ).json()["token"]
    created = requests.post(
        f"{live_server_url}/api/v1/map/proposals/",
        json={
            "title": "Composteur de quartier",
            "description": "Au square Saint-Jacques.",
            "theme": "environnement",
            "geometry": {"type": "Point", "coordinates": [2.3488, 48.8578]},
        },
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    status.filter(has_text=re.compile(r"^1 proposition")).wait_for(timeout=10_000)


def test_a_resident_draws_a_bike_lane_as_a_line(page, live_server_url, reference_data):
    from mapvotes.models import Proposal

    UserFactory(email="ines@example.org")
    login(page, live_server_url, "ines@example.org")
    page.goto(f"{live_server_url}/carte/")
    page.wait_for_selector(".leaflet-container")
    page.locator("#map-status").filter(has_text="dans cette zone").wait_for(timeout=10_000)
    page.get_by_role("link", name=re.compile("Tracer une ligne")).click()
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-60, 10), (0, -5), (60, 5)):
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(200)
    page.get_by_role("link", name="Terminer").click()
    expect(page.locator("#map-status")).to_contain_text("Ligne tracée")
    page.locator("#id_title").fill("Piste cyclable continue quai de la Rapée")
    page.locator("#id_description").fill("Relier la gare d'Austerlitz à Bercy sans quitter la piste.")
    page.locator("#id_theme").select_option("mobilite")
    assert_accessible(page)
    page.get_by_role("button", name="Publier ma proposition").click()
    page.wait_for_url(re.compile(r"/carte/propositions/\d+/"))
    proposal = Proposal.objects.get(title="Piste cyclable continue quai de la Rapée")
    assert proposal.geometry.geom_type == "LineString" and proposal.geometry.num_points == 3
    assert proposal.district is not None


def test_the_territorial_view_by_quartier_is_accessible(page, live_server_url, reference_data):
    page.goto(f"{live_server_url}/carte/territoire/?level=quartier&measure=polarisation")
    assert page.get_by_role("heading", level=1).inner_text() == "Vue territoriale"
    assert page.locator("svg.territory-map path").count() >= 80
    assert_accessible(page)
