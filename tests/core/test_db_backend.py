"""The database backend (serving/db_backend): GeoDjango's, registering the geometry adapters once per pooled connection."""

import copy

import pytest
from django.contrib.gis.db.backends.postgis.adapter import PostGISAdapter
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

from serving.db_backend.base import DatabaseWrapper


@pytest.fixture
def pooled(db):
    """A second connection to the test database, through a psycopg pool as in production (tests run without)."""
    settings = copy.deepcopy(connection.settings_dict)
    settings["OPTIONS"] = {**settings.get("OPTIONS", {}), "pool": {"min_size": 1, "max_size": 1}}
    settings["CONN_MAX_AGE"] = 0
    wrapper = DatabaseWrapper(settings)  # alias "default": type lookups go through the test connection
    yield wrapper
    wrapper.close_pool()


def _round_trip(wrapper):
    wrapper.ensure_connection()
    with wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT ST_GeomFromText('POINT(2.35 48.85)', 4326), %s::geometry",
            [PostGISAdapter(GEOSGeometry("POINT(1 2)", srid=4326))],
        )
        point, echoed = cursor.fetchone()
    wrapper.close()  # back to the pool
    return point, echoed


def test_a_pooled_connection_reads_and_writes_geometries_each_time_it_is_taken(pooled, monkeypatch):
    registrations = []
    register = DatabaseWrapper.register_geometry_adapters

    def counting(self, pg_connection, clear_caches=False):
        registrations.append(pg_connection)
        return register(self, pg_connection, clear_caches)

    monkeypatch.setattr(DatabaseWrapper, "register_geometry_adapters", counting)

    answers = [_round_trip(pooled) for _ in range(3)]

    for point, echoed in answers:  # sent through GeoDjango's adapter, read back as the EWKB the ORM decodes
        assert GEOSGeometry(point).coords == (2.35, 48.85)
        assert GEOSGeometry(echoed).coords == (1, 2) and GEOSGeometry(echoed).srid == 4326
    assert len(registrations) == 1  # one connection in the pool, its adapters registered once
