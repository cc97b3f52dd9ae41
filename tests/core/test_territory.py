import io
import json

import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from core import geo
from core.models import District, Quartier
from tests.factories import BOULOGNE, HOTEL_DE_VILLE, MONTMARTRE, VERSAILLES

pytestmark = pytest.mark.django_db


def _square(lon, lat, d=0.01):
    return [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]


def _arrondissements_file(tmp_path, name="Centre"):
    features = []
    for n in range(1, 21):
        lon, lat = 2.25 + (n % 5) * 0.04, 48.83 + (n // 5) * 0.02
        features.append(
            {
                "type": "Feature",
                "properties": {"c_ar": n, "c_arinsee": 75100 + n, "l_ar": f"{n}ème Ardt", "l_aroff": f"{name} {n}"},
                "geometry": {"type": "Polygon", "coordinates": [_square(lon, lat)]},
            }
        )
    path = tmp_path / "arrondissements.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_approximate_territory_has_20_arrondissements_and_80_quartiers():
    assert District.objects.count() == 20
    assert Quartier.objects.count() == 80
    assert set(District.objects.values_list("insee", flat=True)) == {f"751{n:02d}" for n in range(1, 21)}


def test_locate_finds_the_arrondissement_of_famous_places():
    assert geo.locate(HOTEL_DE_VILLE).district.number == 4
    assert geo.locate(MONTMARTRE).district.number == 18
    assert geo.locate(HOTEL_DE_VILLE).quartier.district.number == 4


def test_points_outside_paris_are_refused():
    assert not geo.is_in_paris(VERSAILLES)
    assert not geo.is_in_paris(BOULOGNE)
    with pytest.raises(geo.OutsideParis):
        geo.locate(VERSAILLES)


def test_geometry_validator_rejects_bad_shapes_with_clear_messages():
    validate = geo.GeometryValidator()
    bowtie = Polygon(((2.34, 48.85), (2.36, 48.86), (2.36, 48.85), (2.34, 48.86), (2.34, 48.85)), srid=4326)
    with pytest.raises(ValidationError, match="pas valide"):
        validate(bowtie)
    many = LineString([(2.30 + i * 0.0001, 48.86) for i in range(501)], srid=4326)
    with pytest.raises(ValidationError, match="trop de points"):
        validate(many)
    with pytest.raises(ValidationError, match="en dehors de Paris"):
        validate(VERSAILLES)
    validate(Point(2.35, 48.86, srid=4326))


def test_load_districts_imports_then_updates_in_place(tmp_path):
    path = _arrondissements_file(tmp_path)
    call_command("load_districts", str(path), stdout=open("/dev/null", "w"))
    assert District.objects.count() == 20
    assert District.objects.get(number=4).official_name == "Centre 4"
    assert not District.objects.filter(approximate=True).exists()
    ids = set(District.objects.values_list("pk", flat=True))
    call_command("load_districts", str(_arrondissements_file(tmp_path, "Nouveau")), stdout=open("/dev/null", "w"))
    assert set(District.objects.values_list("pk", flat=True)) == ids
    assert District.objects.get(number=4).official_name == "Nouveau 4"


def test_load_districts_refuses_other_files(tmp_path):
    other = tmp_path / "velib.geojson"
    other.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Station", "capacity": 20},
                        "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
                    }
                ],
            }
        )
    )
    with pytest.raises(CommandError, match="Fichier non reconnu"):
        call_command("load_districts", str(other))
    garbage = tmp_path / "garbage.geojson"
    garbage.write_text("not json")
    with pytest.raises(CommandError, match="pas du GeoJSON"):
        call_command("load_districts", str(garbage))
    assert District.objects.filter(approximate=True).count() == 20


def test_loading_new_boundaries_relocates_what_was_placed_with_the_old_ones(tmp_path):
    from django.contrib.gis.geos import Point

    from tests.mapvotes.factories import ProposalFactory
    from tests.volunteering.factories import MissionFactory

    # placed with the approximate boundaries, at the centres of squares 7 and 12 of the file below
    proposal = ProposalFactory(geometry=Point(2.33, 48.85, srid=4326))
    mission = MissionFactory(location=Point(2.33, 48.87, srid=4326))
    before = (proposal.district.number, mission.district.number)

    out = io.StringIO()
    call_command("load_districts", str(_arrondissements_file(tmp_path)), stdout=out)
    proposal.refresh_from_db()
    mission.refresh_from_db()
    assert (proposal.district.number, mission.district.number) == (7, 12) != before
    assert "recomputed" in out.getvalue()


def test_the_strategy_dashboard_counts_contributions_in_their_new_arrondissement(tmp_path):
    from django.contrib.gis.geos import Point

    from strategy.selectors import dashboard_figures
    from tests.mapvotes.factories import ProposalFactory

    ProposalFactory(geometry=Point(2.33, 48.85, srid=4326))  # square 7 of the file below
    seventh_before = {n: count for n, _name, count in dashboard_figures()["by_district"]}[7]  # now cached

    call_command("load_districts", str(_arrondissements_file(tmp_path)), stdout=io.StringIO())

    assert {n: count for n, _name, count in dashboard_figures()["by_district"]}[7] == seventh_before + 1


# --- shapes whose centroid lies outside them ----------------------------------------------------------------------
# Around the Hôtel de Ville, the test redraws the map: arrondissement 4 becomes a U (a square less a notch open to
# the north) and arrondissement 3 the notch; the others give up the square. A U-shaped proposal inside the 4th has
# its centroid in the notch, i.e. in the 3rd: the arrondissement must come from a point *on* the shape.

X0, Y0, STEP = 2.345, 48.85, 0.001  # a square of 10 x 10 steps (about 730 m x 1.1 km)


def _at(i, j):
    return (X0 + i * STEP, Y0 + j * STEP)


def _ring(*points):
    return Polygon([_at(*p) for p in (*points, points[0])], srid=4326)


@pytest.fixture
def u_shaped_fourth():
    from django.contrib.gis.geos import MultiPolygon

    square = _ring((0, 0), (10, 0), (10, 10), (0, 10))
    notch = _ring((3, 3), (7, 3), (7, 10), (3, 10))
    for district in District.objects.exclude(number__in=[3, 4]):
        rest = district.geometry.difference(square)
        district.geometry = rest if rest.geom_type == "MultiPolygon" else MultiPolygon(rest, srid=4326)
        district.save(update_fields=["geometry"])
    District.objects.filter(number=4).update(geometry=MultiPolygon(square.difference(notch), srid=4326))
    District.objects.filter(number=3).update(geometry=MultiPolygon(notch, srid=4326))
    return notch


U_POLYGON = [(1, 1), (9, 1), (9, 9), (8, 9), (8, 2), (2, 2), (2, 9), (1, 9)]  # inside the U, around the notch
U_LINE = [(1, 9), (1, 1), (9, 1), (9, 9)]


@pytest.mark.parametrize(
    "shape", [_ring(*U_POLYGON), LineString([_at(*p) for p in U_LINE], srid=4326)], ids=["polygon", "line"]
)
def test_a_u_shape_belongs_to_the_arrondissement_it_lies_in_not_to_the_one_around_its_centroid(u_shaped_fourth, shape):
    assert u_shaped_fourth.contains(shape.centroid)  # the trap: the centroid is in the 3rd
    assert geo.locate(shape).district.number == 4


@pytest.mark.parametrize("kind", ["polygon", "line"])
def test_a_u_shaped_proposal_is_stored_in_its_arrondissement_and_stays_there_when_relocated(
    u_shaped_fourth, resident, kind
):
    from core.territory import relocate_all
    from mapvotes import services

    shape = _ring(*U_POLYGON) if kind == "polygon" else LineString([_at(*p) for p in U_LINE], srid=4326)
    proposal = services.create_proposal(
        resident, title="Une boucle cyclable", description="Autour du square.", theme="mobilite", geometry=shape
    )
    assert proposal.district.number == 4
    assert not u_shaped_fourth.contains(proposal.point)  # its marker is on the shape, not in the notch
    relocate_all()  # what loading new boundaries does
    proposal.refresh_from_db()
    assert proposal.district.number == 4
