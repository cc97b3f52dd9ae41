"""What a mission search reads: only visible missions, through the indexes that hold just them, and never the
arrondissement polygons."""

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from tests.factories import HOTEL_DE_VILLE
from volunteering import selectors
from volunteering.models import Mission

from .factories import MissionFactory


@pytest.fixture
def missions(organization):
    return {
        status: MissionFactory(organization=organization, title=f"Jardin partagé ({status})", status=status)
        for status in ("published", "full", "draft", "closed", "unpublished")
    }


def test_combined_search_finds_published_and_full_missions_only(missions):
    filters = selectors.MissionFilters(q="jardin", themes=["solidarite"], near=HOTEL_DE_VILLE.clone(), radius_km=1)
    found = {m.pk for m in selectors.search_missions(filters)}
    assert found == {missions["published"].pk, missions["full"].pk}


def test_a_search_never_loads_the_arrondissement_polygon(missions):
    filters = selectors.MissionFilters(near=HOTEL_DE_VILLE.clone(), radius_km=1)
    results = list(selectors.search_missions(filters))
    assert results and all(m.district.number == 4 for m in results)
    assert all("geometry" in m.district.get_deferred_fields() for m in results)
    detail = selectors.mission_detail(missions["published"].pk)
    assert "geometry" in detail.district.get_deferred_fields()


def test_recommended_missions_do_not_load_the_arrondissement_polygon(missions, volunteer):
    from .factories import VolunteerProfileFactory

    VolunteerProfileFactory(user=volunteer, home_location=Point(2.3522, 48.8566, srid=4326), radius_km=3)
    recommended = selectors.recommendations(volunteer)
    assert recommended
    assert all(m.district is None or "geometry" in m.district.get_deferred_fields() for m in recommended)


def test_visible_missions_indexes_are_partial(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname = ANY(%s)",
            [Mission._meta.db_table, ["mission_visible_search_gin", "mission_visible_location_gist"]],
        )
        definitions = dict(cursor.fetchall())
    assert set(definitions) == {"mission_visible_search_gin", "mission_visible_location_gist"}
    assert all("WHERE" in d and "published" in d and "full" in d for d in definitions.values())


@pytest.mark.parametrize("sort", ["", "distance", "relevance", "date"])
def test_ranking_the_ids_first_keeps_the_rows_the_order_and_the_count(organization, monkeypatch, sort):
    for n, (lon, lat) in enumerate([(2.3530, 48.8570), (2.3600, 48.8600), (2.3400, 48.8500), (2.3525, 48.8567)]):
        MissionFactory(
            organization=organization,
            title="Jardin partagé" + " jardin" * n,
            location=Point(lon, lat, srid=4326),
            start_date=datetime.date.today() + datetime.timedelta(days=10 - n),
        )
    filters = selectors.MissionFilters(q="jardin", near=HOTEL_DE_VILLE.clone(), radius_km=3, sort=sort)
    ranked = selectors.search_missions(filters)
    monkeypatch.setattr(selectors, "RANKED_IDS_MAX", 0)  # every search matches "many": the plain query
    plain = selectors.search_missions(filters)
    assert ranked.count() == plain.count() == 4
    assert [m.pk for m in ranked] == [m.pk for m in plain]
    assert [round(m.distance_m.m) for m in ranked] == [round(m.distance_m.m) for m in plain]
    assert [m.pk for m in ranked[1:3]] == [m.pk for m in plain[1:3]]


def test_a_ranked_search_knows_its_count_without_asking_the_database(organization, django_assert_num_queries):
    for n in range(3):
        MissionFactory(organization=organization, title=f"Jardin partagé n°{n}")
    ranked = selectors.search_missions(selectors.MissionFilters(q="jardin", near=HOTEL_DE_VILLE.clone(), radius_km=3))
    with django_assert_num_queries(0):
        assert ranked.count() == 3
    with django_assert_num_queries(1):  # filtered further: counted in the database, never the stale number
        assert ranked.filter(title__endswith="1").count() == 1


@pytest.mark.parametrize("matches", [1, 12])
def test_the_internship_search_reads_the_same_few_queries_whatever_it_finds(
    db, client, matches, django_assert_num_queries
):
    from .factories import DirectionFactory, InternshipFactory

    direction = DirectionFactory()
    for n in range(matches):
        InternshipFactory(organization=direction, title=f"Stage jardinier n°{n}", level="bac_2", paid=True)
    InternshipFactory(organization=direction, title="Stage jardinier non gratifié", level="bac_2", paid=False)
    params = {"kind": "internship", "q": "jardinier", "level": "bac_2", "paid": "true", "near": "2.3522,48.8566"}
    # The matching ids, their page, the page's themes, the strategy outcomes of the page: no COUNT of the ids.
    with django_assert_num_queries(4):
        response = client.get("/api/v1/volunteering/missions/", params)
    assert response.json()["count"] == matches
