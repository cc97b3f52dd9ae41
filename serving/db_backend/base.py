"""The database backend: GeoDjango's PostGIS backend, without re-registering the geometry types on every request.

With the connection pool, Django takes a connection from the pool for each request and GeoDjango registers its
geometry, geography and raster adapters on it each time (120 µs of CPU per request: bench/mapvotes_bench.py). A
pooled psycopg connection keeps its adapters, so they are registered once per connection here; without the pool
(tests, CONN_MAX_AGE) every connection is new and nothing changes.
"""

import weakref

from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISDatabaseWrapper
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper

_registered = weakref.WeakSet()  # pooled psycopg connections that have the geometry adapters


class DatabaseWrapper(PostGISDatabaseWrapper):
    def get_new_connection(self, conn_params):
        if not self.pool:
            return super().get_new_connection(conn_params)
        connection = PostgreSQLDatabaseWrapper.get_new_connection(self, conn_params)
        if connection not in _registered:
            self.register_geometry_adapters(connection)
            if self._type_infos["geometry"].get(self.alias):  # PostGIS is there (not a database being created)
                _registered.add(connection)
        return connection
