"""Read replica routing, enabled only when DATABASE_REPLICA_URL is set (see docs/operations.md).

Reads made while serving a safe (GET/HEAD/OPTIONS) request under /api/ go to the "replica" alias; everything else,
writes, and every read of a page or of a write request (read-your-writes) stays on "default". The replica lags a
little behind the primary: only read-only API lists/details, whose clients tolerate a second of staleness, use it.
"""

import contextvars
from contextlib import contextmanager

_use_replica = contextvars.ContextVar("participe_use_replica", default=False)
REPLICA = "replica"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@contextmanager
def replica_reads(enabled: bool = True):
    token = _use_replica.set(enabled)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReadReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _use_replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # same data on both aliases

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary through PostgreSQL replication


class ReplicaReadsMiddleware:
    """Marks safe API requests so that the router sends their reads to the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with replica_reads(request.method in SAFE_METHODS and request.path.startswith("/api/")):
            return self.get_response(request)
