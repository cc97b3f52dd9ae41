"""The Redis cache backend: django-redis's, with one client per process; helpers that use Redis directly.

Under ASGI Django makes a cache backend instance per request (its cache handler is context-local), and every
django-redis instance built its own client and Redis object on first use: 125 µs of CPU per request that touches the
cache — every API write, for its rate limits (bench/mapvotes_bench.py). Here instances with the same configuration
share one client; its connection pool was already shared, and the client is thread-safe.
"""

import threading

from django.core.cache import caches
from django_redis.cache import RedisCache as DjangoRedisCache

_clients: dict[tuple, object] = {}
_lock = threading.Lock()


class RedisCache(DjangoRedisCache):
    @property
    def client(self):
        if self._client is None:
            key = (self._server, repr(sorted(self._params.items())), self.key_prefix, self.version, self.key_func)
            with _lock:
                client = _clients.get(key)
                if client is None:
                    client = _clients[key] = self._client_cls(self._server, self._params, self)
            self._client = client
        return self._client


def redis_cache():
    """The default cache when it is Redis (production), else None (local memory: development, tests)."""
    backend = caches["default"]
    return backend if isinstance(backend, DjangoRedisCache) else None


def _pipeline(backend):
    return backend.client.get_client(write=True).pipeline(transaction=False)


def add_many(keys: list[str], timeout: float) -> list[bool]:
    """cache.add(key, 1, timeout) for each key, in one round trip on Redis: whether each key was set by this call
    (False: it was already there). Raises on a cache outage, whatever IGNORE_EXCEPTIONS says."""
    backend = redis_cache()
    if backend is None:
        return [caches["default"].add(key, 1, timeout=timeout) for key in keys]
    pipe = _pipeline(backend)
    milliseconds = max(1, round(timeout * 1000))
    for key in keys:
        pipe.set(backend.make_key(key), 1, nx=True, px=milliseconds)
    return [bool(done) for done in pipe.execute()]


def incr_many(counters: list[tuple[str, int]]) -> list[int]:
    """Add one to each counter (created at 0, kept `timeout` seconds) and return the new values, in one round trip on
    Redis (the rate limits of core.throttling). Raises on a cache outage, whatever IGNORE_EXCEPTIONS says."""
    backend = redis_cache()
    if backend is not None:
        pipe = _pipeline(backend)
        for key, timeout in counters:
            pipe.incr(backend.make_key(key))
            pipe.expire(backend.make_key(key), timeout)
        return pipe.execute()[::2]
    local, counts = caches["default"], []
    for key, timeout in counters:
        local.add(key, 0, timeout=timeout)
        try:
            counts.append(local.incr(key))
        except ValueError:  # the key expired between add and incr: a new count starts with this one
            counts.append(1)
    return counts
