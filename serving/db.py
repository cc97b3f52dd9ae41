"""A database cursor for the hottest statements: parameters bound by the server, so that psycopg prepares them.

Django's PostgreSQL cursors bind parameters on the client (the statement goes out as text, and PostgreSQL parses and
plans it every time). On a server-binding cursor, psycopg prepares a statement once it has run it a few times on a
connection (`prepare_threshold`, 5), and the pool keeps connections — and their prepared statements — from one
request to the next (pgbench on the bench database, token lookup: 0.124 ms a query as text, 0.052 ms prepared).
It serves the API token lookup (serving/authentication.py), which every API request runs, the call of the vote's
PL/pgSQL functions (mapvotes migration 0003: they keep the plans of their two statements) and the broadcasts' read
of the counts (mapvotes.selectors.vote_counts). One statement per
execute (the extended protocol), nothing but SELECT/INSERT/UPDATE/DELETE; everything else goes
through `connection.cursor()` as usual. Behind PgBouncer in transaction mode, prepared statements need its
`max_prepared_statements` (1.21+), see docs/operations.md.
"""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def prepared_cursor(using: str = DEFAULT_DB_ALIAS):
    """Like `connections[using].cursor()` — same error wrapping, same query logging — with server-side binding."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection = connections[using]
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection._prepare_cursor(ServerBindingCursor(connection.connection))
    with cursor:
        yield cursor
