"""Typing a place instead of coordinates: the gazetteer, the optional address service, and where they are used."""

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.test import Client

from core import geocoding, places
from core.models import Place
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gazetteer():
    places.load()


def test_coordinates_are_understood_in_either_order_and_only_inside_paris():
    lon_lat = geocoding.parse_coordinates("2.3522,48.8566")
    lat_lon = geocoding.parse_coordinates("48,8566 ; 2,3522")
    assert (round(lon_lat.x, 4), round(lon_lat.y, 4)) == (2.3522, 48.8566)
    assert (round(lat_lon.x, 4), round(lat_lon.y, 4)) == (2.3522, 48.8566)
    assert geocoding.geocode("2.3522,48.8566")[0].district == 4
    assert geocoding.geocode("48.8049, 2.1204") == []  # Versailles
    assert geocoding.parse_coordinates("rue de Rivoli") is None


def test_names_are_found_without_accents_case_or_exact_spelling(gazetteer):
    assert geocoding.geocode("place de la republique")[0].label == "Place de la République"
    assert geocoding.geocode("SACRE COEUR")[0].label == "Sacré-Cœur"
    assert geocoding.geocode("gare du nrod")[0].label == "Gare du Nord"
    assert geocoding.geocode("zzzzqqq") == []
    arrondissement = geocoding.geocode("Paris 11e")[0]
    assert arrondissement.kind == "arrondissement" and arrondissement.district == 11


def test_load_places_is_idempotent_and_reads_the_open_data_exports(tmp_path):
    fountains = tmp_path / "fontaines.json"
    fountains.write_text(
        json.dumps(
            [
                {
                    "voie": "RUE DU FAUBOURG SAINT-ANTOINE",
                    "commune": "PARIS 11EME ARRONDISSEMENT",
                    "geo_point_2d": {"lon": 2.3792, "lat": 48.8515},
                },
                {"voie": "AVENUE JEAN JAURES", "commune": "PANTIN", "geo_point_2d": {"lon": 2.4030, "lat": 48.8960}},
            ]
        )
    )
    velib = tmp_path / "velib.geojson"
    velib.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [2.3631, 48.8672]},
                        "properties": {"name": "République - Temple"},
                    },
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [2.4581, 48.8099]},
                        "properties": {"name": "Les Planètes"},
                    },
                ],
            }
        )
    )
    call_command("load_places", "--fountains", str(fountains), "--velib", str(velib), stdout=open("/dev/null", "w"))
    first = Place.objects.count()
    call_command("load_places", "--fountains", str(fountains), "--velib", str(velib), stdout=open("/dev/null", "w"))
    assert Place.objects.count() == first
    assert Place.objects.filter(kind="street", name="Rue du Faubourg Saint-Antoine").exists()
    assert not Place.objects.filter(name__icontains="Jaures").exists()  # Pantin is not Paris
    assert Place.objects.filter(kind="station", name="Station Vélib République - Temple").exists()
    assert not Place.objects.filter(name__icontains="Planètes").exists()
    assert Place.objects.filter(kind="quartier").count() >= 80
    with pytest.raises(Exception, match="fontaines-a-boire"):
        call_command("load_places", "--fountains", str(velib), stdout=open("/dev/null", "w"))


def test_place_search_api_answers_geojson_points_and_refuses_bad_queries(gazetteer):
    client = Client()
    results = client.get("/api/v1/places/", {"q": "bastille", "limit": 3}).json()
    assert results[0]["label"] == "Place de la Bastille"
    assert results[0]["geometry"]["type"] == "Point" and len(results) <= 3
    too_short = client.get("/api/v1/places/", {"q": "a"})
    assert too_short.status_code == 400 and "caractères" in too_short.json()["errors"]["q"][0]
    assert client.get("/api/v1/places/", {"q": "bastille", "limit": "beaucoup"}).status_code == 400


class _FakeBan(BaseHTTPRequestHandler):
    """Answers like api-adresse.data.gouv.fr: one address in Paris, one outside."""

    def do_GET(self):
        body = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [2.3488, 48.8534]},
                    "properties": {"label": "8 Rue du Cloître Notre-Dame 75004 Paris", "type": "housenumber"},
                },
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [2.1204, 48.8049]},
                    "properties": {"label": "Rue du Cloître 78000 Versailles", "type": "street"},
                },
            ],
        }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def test_the_address_service_is_used_when_configured_and_its_outage_falls_back(gazetteer, settings):
    server = HTTPServer(("127.0.0.1", 0), _FakeBan)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.GEOCODER_URL = f"http://127.0.0.1:{server.server_port}/search/"
        matches = geocoding.geocode("8 rue du cloitre notre dame")
        assert [m.label for m in matches] == ["8 Rue du Cloître Notre-Dame 75004 Paris"]
        assert matches[0].district == 4
    finally:
        server.shutdown()
        server.server_close()
    settings.GEOCODER_URL = f"http://127.0.0.1:{server.server_port}/search/"  # nobody listens any more
    assert geocoding.geocode("bastille")[0].label == "Place de la Bastille"


def test_a_resident_proposes_by_typing_a_place_instead_of_coordinates(gazetteer):
    from mapvotes.models import Proposal

    client = Client()
    client.force_login(UserFactory())
    form = {"title": "Plus d'arbres", "description": "Ombre l'été", "theme": "vegetalisation"}
    unknown = client.post("/carte/proposer/", {**form, "address": "zzzzqqq"})
    assert unknown.status_code == 200
    assert "Nous n'avons pas trouvé ce lieu dans Paris" in html.unescape(unknown.content.decode())
    assert not Proposal.objects.exists()
    client.post("/carte/proposer/", {**form, "address": "place de la bastille"})
    proposal = Proposal.objects.get()
    assert proposal.geometry.distance(places.landmark_rows()[2][2]) < 1e-6
    assert proposal.district is not None


def test_missions_are_searched_near_a_typed_place(gazetteer):
    from django.contrib.gis.geos import Point

    from tests.volunteering.factories import MissionFactory

    MissionFactory(title="Près de Bastille", location=Point(2.3695, 48.8530, srid=4326))
    MissionFactory(title="À Montmartre", location=Point(2.3431, 48.8867, srid=4326))
    client = Client()
    results = client.get("/api/v1/volunteering/missions/", {"near": "place de la bastille", "radius_km": 1}).json()
    assert [m["title"] for m in results["results"]] == ["Près de Bastille"]
    assert results["results"][0]["distance_km"] < 0.2
    refused = client.get("/api/v1/volunteering/missions/", {"near": "zzzzqqq"})
    assert refused.status_code == 400 and "Paris" in refused.json()["errors"]["near"][0]
    page = client.get("/benevolat/", {"near": "place de la bastille", "radius_km": 1}).content.decode()
    assert "Près de Bastille" in page and "À Montmartre" not in page
