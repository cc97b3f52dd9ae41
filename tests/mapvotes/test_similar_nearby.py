"""The duplicate warning shown while proposing: similar titles within 200 m, measured on the ground, in every direction."""

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

from mapvotes import selectors
from tests.factories import HOTEL_DE_VILLE

from .factories import ProposalFactory

TITLE = "Piste cyclable rue de Rivoli"


def walk(start, metres: float, bearing: float):
    """The point `metres` away from `start` towards `bearing` (degrees from north), on the same spheroid as the
    selector's geography distance (PostGIS ST_Project)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsEWKT(ST_Project(ST_GeomFromEWKT(%s)::geography, %s, radians(%s))::geometry)",
            [start.ewkt, metres, bearing],
        )
        return GEOSGeometry(cursor.fetchone()[0])


@pytest.fixture
def existing(db):
    return ProposalFactory(title=TITLE, geometry=HOTEL_DE_VILLE.clone())


# East and west matter as much as north: one degree of longitude is only ~73 km in Paris, ~111 km of latitude.
@pytest.mark.parametrize("bearing", [0, 90, 180, 270, 45])
@pytest.mark.parametrize(("metres", "warned"), [(0, True), (195, True), (199, True), (201, False), (205, False)])
def test_a_similar_proposal_is_offered_up_to_200_metres_and_no_further(existing, bearing, metres, warned):
    here = walk(HOTEL_DE_VILLE, metres, bearing)
    found = [row["id"] for row in selectors.similar_nearby("piste cyclable sur la rue de Rivoli", here)]
    assert found == ([existing.pk] if warned else [])


def test_the_radius_is_the_one_asked_for(existing):
    here = walk(HOTEL_DE_VILLE, 350, 90)
    assert selectors.similar_nearby(TITLE, here) == []
    assert [row["id"] for row in selectors.similar_nearby(TITLE, here, radius_m=360)] == [existing.pk]
    assert selectors.similar_nearby(TITLE, here, radius_m=340) == []


def test_the_api_warns_just_inside_and_not_just_outside(api_client, existing):
    def ids(point):
        answer = api_client.get("/api/v1/map/proposals/similar/", {"lon": point.x, "lat": point.y, "title": TITLE})
        assert answer.status_code == 200
        return [row["id"] for row in answer.json()["results"]]

    assert ids(walk(HOTEL_DE_VILLE, 198, 90)) == [existing.pk]
    assert ids(walk(HOTEL_DE_VILLE, 202, 90)) == []
