"""Places, not coordinates: every form that needs a point takes an address or a place (core.forms.PlaceField).

Offline (no address service): the gazetteer of arrondissements, quartiers and landmarks answers."""

import html
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from core import places
from tests.factories import HOTEL_DE_VILLE, UserFactory
from tests.volunteering.factories import MissionFactory, in_days

pytestmark = pytest.mark.django_db

GARE_DU_NORD = Point(2.3553, 48.8809, srid=4326)  # 10e
SACRE_COEUR = Point(2.3431, 48.8867, srid=4326)  # 18e
VERSAILLES = (2.1204, 48.8049)


@pytest.fixture(autouse=True)
def gazetteer(settings):
    settings.GEOCODER_URL = ""  # never the network
    places.load()


def text(response) -> str:
    return html.unescape(response.content.decode())


def error_of(page: str, field_id: str) -> str:
    """The error shown next to a field (Django links it with aria-describedby="<id>_error")."""
    found = re.search(rf'id="{field_id}_error"[^>]*>(.*?)</(?:div|p)>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def mission_form(**extra):
    return {
        "title": "Lecture aux aînés",
        "description": "Lire le journal aux résidents d'un EHPAD.",
        "themes": ["solidarite", "culture"],
        "schedule": "one_off",
        "start_date": in_days(5).isoformat(),
        "commitment": "total_hours",
        "commitment_hours": "2",
        "places": "3",
        "action": "publish",
        **extra,
    }


@pytest.fixture
def volunteer(db):
    return UserFactory(email="benevole@example.org")


@pytest.fixture
def association(org_admin):
    client = Client()
    client.force_login(org_admin)
    return client


# --- the mission form ---------------------------------------------------------------------------------------------


def test_a_mission_address_typed_without_javascript_is_placed_in_its_arrondissement(association):
    from volunteering.models import Mission

    response = association.post("/benevolat/missions/nouvelle/", mission_form(address="gare du nord"))
    assert response.status_code == 302, error_of(text(response), "id_address")
    mission = Mission.objects.get()
    assert mission.location.distance(GARE_DU_NORD) < 1e-6
    assert mission.district.number == 10
    assert mission.address == "gare du nord"  # the words the association typed are what volunteers read


def test_an_unknown_mission_place_is_a_french_error_next_to_the_field_and_the_form_keeps_its_values(association):
    from volunteering.models import Mission

    page = text(association.post("/benevolat/missions/nouvelle/", mission_form(address="Rue Imaginaire Zzqx")))
    assert not Mission.objects.exists()
    assert "Nous n'avons pas trouvé ce lieu dans Paris : « Rue Imaginaire Zzqx »" in error_of(page, "id_address")
    assert re.search(r'<input type="text" name="address" value="Rue Imaginaire Zzqx"[^>]*aria-invalid="true"', page)
    assert 'value="Lecture aux aînés"' in page
    assert re.search(r'value="culture"[^>]*checked', page) and re.search(r'value="solidarite"[^>]*checked', page)


def test_a_chosen_suggestion_or_map_point_is_stored_as_is_but_an_edited_text_is_geocoded_again(association):
    from volunteering.models import Mission

    # the suggestion (or the picker) filled the hidden coordinates for the text shown
    chosen = {"address": "12 rue du Faubourg", "longitude": "2.3726", "latitude": "48.8600"}
    association.post("/benevolat/missions/nouvelle/", mission_form(**chosen, address_for="12 rue du Faubourg"))
    mission = Mission.objects.get()
    assert (round(mission.location.x, 4), round(mission.location.y, 4), mission.district.number) == (2.3726, 48.86, 11)

    # without JavaScript, the resident then replaces the text: the stale coordinates must not win
    edited = {**chosen, "address": "Sacré-Cœur", "address_for": "12 rue du Faubourg", "action": "save"}
    response = association.post(f"/benevolat/missions/{mission.pk}/modifier/", mission_form(**edited))
    assert response.status_code == 302
    mission.refresh_from_db()
    assert mission.location.distance(SACRE_COEUR) < 1e-6 and mission.district.number == 18


def test_a_point_outside_paris_is_refused_in_french(association):
    lon, lat = VERSAILLES
    page = text(
        association.post(
            "/benevolat/missions/nouvelle/",
            mission_form(address="Château", address_for="Château", longitude=lon, latitude=lat),
        )
    )
    assert "Ce point est en dehors de Paris" in error_of(page, "id_address")


def test_the_mission_form_has_no_coordinate_to_type(association):
    page = association.get("/benevolat/missions/nouvelle/").content.decode()
    assert re.search(r'<label for="id_address">', page)
    assert re.search(r'<input type="hidden" name="longitude" id="id_longitude"', page)
    assert re.search(r'<input type="hidden" name="latitude" id="id_latitude"', page)
    assert "data-picker" in page and "leaflet/leaflet.js" in page  # the picker map, from django-leaflet
    assert not re.search(r'<input type="(?:number|text)" name="(?:longitude|latitude)"', page)


# --- the volunteer profile ----------------------------------------------------------------------------------------


def test_home_and_work_are_places_and_the_profile_shows_them_in_words(volunteer):
    client = Client()
    client.force_login(volunteer)
    form = {"radius_km": "2", "home": "Parc Montsouris", "work": "Gare du Nord"}
    assert client.post("/benevolat/profil/", form).status_code == 302
    profile = volunteer.volunteer_profile
    assert profile.home_location.distance(Point(2.3381, 48.8222)) < 1e-6
    assert profile.work_location.distance(GARE_DU_NORD) < 1e-6
    page = text(client.get("/benevolat/profil/"))
    assert 'value="Près de Parc Montsouris (Paris 14e)"' in page
    assert 'value="Près de Gare du Nord (Paris 10e)"' in page

    # saving again without touching the places keeps the exact points
    again = client.post(
        "/benevolat/profil/",
        {
            "radius_km": "3",
            "home": "Près de Parc Montsouris (Paris 14e)",
            "home_for": "Près de Parc Montsouris (Paris 14e)",
            "home_longitude": f"{profile.home_location.x:.6f}",
            "home_latitude": f"{profile.home_location.y:.6f}",
        },
    )
    assert again.status_code == 302
    profile.refresh_from_db()
    assert profile.home_location.distance(Point(2.3381, 48.8222)) < 1e-6 and profile.work_location is None


def test_an_unknown_home_keeps_the_rest_of_the_profile_form(volunteer):
    client = Client()
    client.force_login(volunteer)
    page = text(
        client.post("/benevolat/profil/", {"radius_km": "2", "home": "Nulle part zzq", "skills": "cuisine, anglais"})
    )
    assert "Nous n'avons pas trouvé ce lieu dans Paris" in error_of(page, "id_home")
    assert 'value="cuisine, anglais"' in page


# --- the proposal form and the map --------------------------------------------------------------------------------


def test_a_proposal_from_an_address_lands_in_the_right_arrondissement_and_an_unknown_one_is_explained(resident):
    from mapvotes.models import Proposal

    client = Client()
    client.force_login(resident)
    form = {"title": "Des bancs", "description": "Pour attendre le train assis.", "theme": "mobilite"}
    page = text(client.post("/carte/proposer/", {**form, "address": "Rue Imaginaire Zzqx"}))
    assert "Nous n'avons pas trouvé ce lieu dans Paris" in error_of(page, "id_address")
    assert 'value="Des bancs"' in page and "Pour attendre le train assis." in page
    empty = text(client.post("/carte/proposer/", form))
    assert "Tapez l'adresse ou le lieu de votre proposition" in error_of(empty, "id_address")

    response = client.post("/carte/proposer/", {**form, "address": "Gare du Nord"})
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert proposal.geometry.distance(GARE_DU_NORD) < 1e-6 and proposal.district.number == 10


def test_a_link_with_a_point_opens_the_proposal_form_with_the_place_in_words(resident):
    client = Client()
    client.force_login(resident)
    page = text(client.get("/carte/proposer/", {"lon": "2.3553", "lat": "48.8809"}))
    assert 'value="Près de Gare du Nord (Paris 10e)"' in page
    assert 'name="latitude" id="id_latitude" value="48.880900"' in page


def test_the_map_goes_to_a_typed_address_and_explains_an_unknown_one():
    client = Client()
    page = client.get("/carte/", {"aller": "Sacré-Cœur"}).content.decode()
    config = json.loads(re.search(r'<script id="map-config" type="application/json">(.*?)</script>', page).group(1))
    assert config["center"] == pytest.approx([48.8867, 2.3431]) and config["zoom"] == 17
    unknown = text(client.get("/carte/", {"aller": "zzqq nulle part"}))
    assert "Nous n'avons pas trouvé ce lieu dans Paris" in unknown
    assert 'name="aller" value="zzqq nulle part"' in unknown
    assert "data-locate" in unknown  # "autour de moi", offered by the script when the browser can locate


# --- the mission search -------------------------------------------------------------------------------------------


def test_missions_near_a_typed_place_come_nearest_first():
    MissionFactory(title="Au Sacré-Cœur", location=SACRE_COEUR.clone())
    MissionFactory(title="À l'Hôtel de Ville", location=HOTEL_DE_VILLE.clone())
    MissionFactory(title="Près de la gare", location=Point(2.3560, 48.8800, srid=4326))
    page = text(Client().get("/benevolat/", {"near": "gare du nord"}))
    order = [page.index(t) for t in ("Près de la gare", "Au Sacré-Cœur", "À l'Hôtel de Ville")]
    assert order == sorted(order)
    assert 'name="near" value="gare du nord"' in page


def test_an_unknown_place_in_the_search_keeps_every_other_filter_and_its_choices():
    MissionFactory(title="Maraude du soir", themes=["solidarite"])
    MissionFactory(title="Atelier théâtre", themes=["culture"])
    page = text(Client().get("/benevolat/", {"near": "Nulle Part Zzq", "radius_km": "2", "theme": "culture"}))
    assert "Nous n'avons pas trouvé ce lieu dans Paris : « Nulle Part Zzq »" in error_of(page, "f-near")
    assert "Près d'un lieu\u00a0: Nous n'avons pas trouvé" in page  # the summary names the field in French
    assert "near :" not in page
    # the theme and arrondissement choices are still there, the chosen theme still chosen, the results filtered
    assert re.search(r'name="theme" value="culture" checked', page)
    assert re.search(r'name="theme" value="solidarite"', page)
    assert page.count('<option value="') >= 20
    assert "Atelier théâtre" in page and "Maraude du soir" not in page


def test_another_bad_filter_does_not_drop_the_place_either():
    MissionFactory(title="Près de la gare", location=Point(2.3560, 48.8800, srid=4326))
    page = text(Client().get("/benevolat/", {"near": "gare du nord", "commitment_max": "9999", "theme": "solidarite"}))
    assert "Au plus (heures par semaine)\u00a0:" in page
    assert 'name="near" value="gare du nord"' in page and "Près de la gare" in page
    assert re.search(r'name="theme" value="solidarite" checked', page)


def test_the_api_near_still_takes_lon_lat():
    MissionFactory(title="Près de la gare", location=Point(2.3560, 48.8800, srid=4326))
    MissionFactory(title="Au Sacré-Cœur", location=SACRE_COEUR.clone())
    results = Client().get("/api/v1/volunteering/missions/", {"near": "2.3553,48.8809", "radius_km": "0.5"}).json()
    assert [m["title"] for m in results["results"]] == ["Près de la gare"]


# --- the suggestions and the words for a point --------------------------------------------------------------------


def test_suggestions_and_the_words_for_a_map_point():
    client = Client()
    suggestions = client.get("/api/v1/places/", {"q": "sacre c", "limit": 5}).json()
    assert suggestions[0]["label"] == "Sacré-Cœur" and suggestions[0]["district"] == 18
    near = client.get("/api/v1/places/reverse/", {"lon": "2.3435", "lat": "48.8866"}).json()
    assert near["label"] == "Près de Sacré-Cœur (Paris 18e)" and near["district"] == 18
    outside = client.get("/api/v1/places/reverse/", {"lon": VERSAILLES[0], "lat": VERSAILLES[1]})
    assert outside.status_code == 404 and "en dehors de Paris" in outside.json()["detail"]
    bad = client.get("/api/v1/places/reverse/", {"lon": "nan", "lat": "beaucoup"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"lon", "lat"}


def test_no_place_input_gives_a_server_error():
    client = Client()
    client.force_login(UserFactory())
    for value in ("", " ", "x" * 5000, "1e999,1e999", "nan, nan", "<script>", "48.85"):
        for extra in ({}, {"address_for": value, "longitude": value, "latitude": "48.85"}):
            response = client.post(
                "/carte/proposer/", {"title": "t", "description": "d", "theme": "culture", "address": value, **extra}
            )
            assert response.status_code in (200, 302)
        assert Client().get("/benevolat/", {"near": value, "near_lon": value, "near_lat": value}).status_code == 200
        assert Client().get("/carte/", {"aller": value}).status_code == 200
