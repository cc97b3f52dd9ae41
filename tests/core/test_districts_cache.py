"""The arrondissements' GeoJSON is serialised once and cached: later answers cost two counting queries, the simplified
layer is cached apart, and loading the official boundaries (no longer approximate) is seen at once (issue 19: every
mutant of the cache survived, since the tests shared one warm cache)."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.cache import cache

from core.models import District

pytestmark = pytest.mark.django_db
URL = "/api/v1/districts/"


@pytest.fixture(autouse=True)
def cold_cache():
    cache.clear()
    yield
    cache.clear()


def vertices(collection):
    return sum(
        len(ring) for f in collection["features"] for polygon in f["geometry"]["coordinates"] for ring in polygon
    )


def test_the_second_answer_comes_from_the_cache(api_client, django_assert_num_queries):
    first = api_client.get(URL).json()
    with django_assert_num_queries(2):  # the two counts that make the cache key, nothing else
        again = api_client.get(URL).json()
    assert again == first


def test_the_simplified_layer_is_cached_apart_from_the_full_one(api_client, django_assert_num_queries):
    simple = api_client.get(URL, {"simplified": "1"}).json()
    full = api_client.get(URL).json()
    assert vertices(simple) < vertices(full)
    with django_assert_num_queries(2):
        assert api_client.get(URL, {"simplified": "1"}).json() == simple
    with django_assert_num_queries(2):
        assert api_client.get(URL).json() == full


def test_loading_the_official_boundaries_is_seen_at_once(api_client):
    District.objects.update(approximate=True)
    before = api_client.get(URL).json()
    fourth = District.objects.get(number=4)
    square = MultiPolygon(
        Polygon(((2.35, 48.85), (2.36, 48.85), (2.36, 48.86), (2.35, 48.86), (2.35, 48.85))), srid=4326
    )
    District.objects.filter(pk=fourth.pk).update(geometry=square, approximate=False)
    after = api_client.get(URL).json()
    shown = next(f for f in after["features"] if f["properties"]["number"] == 4)
    assert shown["geometry"]["coordinates"] == [
        [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.86], [2.35, 48.85]]]
    ]
    assert after != before
