"""The Redis cache backend: django-redis's, with one client per process; helpers that use Redis directly.

Under ASGI Django makes a cache backend instance per request (its cache handler is context-local), and every
django-redis instance built its own client and Redis object on first use: 125 µs of CPU per request that touches the
cache — every API write, for its rate limits (bench/mapvotes_bench.py). Here instances with the same configuration
share one client; its connection pool was already shared, and the client is thread-safe.
"""

import hashlib
import logging
import os
import threading
import time

import redis
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import NoScriptError

logger = logging.getLogger(__name__)

_clients: dict[tuple, object] = {}
_lock = threading.Lock()

# Redis down: the cache works on per-process memory instead, and Redis is tried again after this many seconds (every
# request would otherwise wait for a connection timeout). Rate limits and log-in counters are then counted per
# process — looser by the number of workers, never "refuse everyone" (allauth's limiter failed closed on a cache that
# swallowed errors) nor "no limit".
RETRY_AFTER_OUTAGE = 2.0
_OUTAGE_ERRORS = (ConnectionInterrupted, redis.ConnectionError, redis.TimeoutError, OSError)
_fallbacks: dict[str, LocMemCache] = {}
_down_until: dict[str, float] = {}
# The standard cache API, each call answered from local memory while Redis is unreachable.
_RESILIENT_METHODS = (
    "get", "set", "add", "delete", "get_many", "set_many", "delete_many", "has_key", "incr", "decr", "touch", "clear",
)  # fmt: skip


def _outage_started(server: str, exc: BaseException) -> None:
    was_up = _down_until.get(server, 0) == 0
    _down_until[server] = time.monotonic() + RETRY_AFTER_OUTAGE
    if was_up:
        logger.warning(
            "Redis unreachable (%s): cache, rate limits and log-in counters per process until it returns", exc
        )


def _reachable_again(server: str) -> None:
    if _down_until.pop(server, 0):
        logger.warning("Redis reachable again: shared cache and counters back")


def is_degraded(server: str) -> bool:
    return time.monotonic() < _down_until.get(server, 0)


def _resilient(name):
    redis_method = getattr(DjangoRedisCache, name)

    def method(self, *args, **kwargs):
        if is_degraded(self._server_key):
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            result = redis_method(self, *args, **kwargs)
        except _OUTAGE_ERRORS as exc:
            _outage_started(self._server_key, exc)
            return getattr(self.fallback, name)(*args, **kwargs)
        if self._server_key in _down_until:
            _reachable_again(self._server_key)
        return result

    method.__name__ = name
    return method


class RedisCache(DjangoRedisCache):
    """django-redis with one client per process, and per-process memory while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._ignore_exceptions = False  # outages are handled here (fallback), not swallowed into "no value"
        self._server_key = repr(server)

    @property
    def fallback(self) -> LocMemCache:
        local = _fallbacks.get(self._server_key)
        if local is None:
            local = _fallbacks.setdefault(self._server_key, LocMemCache(f"redis-fallback-{self._server_key}", {}))
        return local

    def ping(self) -> bool:
        """Whether Redis answers now (health check); records the outage or the recovery."""
        try:
            self.client.get_client(write=True).ping()
        except _OUTAGE_ERRORS as exc:
            _outage_started(self._server_key, exc)
            return False
        _reachable_again(self._server_key)
        return True

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


for _name in _RESILIENT_METHODS:
    setattr(RedisCache, _name, _resilient(_name))


def cache_status() -> str:
    """ "ok", "per-process" (Redis configured but unreachable: counters and cache in each process's memory), or
    "local" (no Redis configured: development, tests)."""
    backend = redis_cache()
    if backend is None:
        return "local"
    return "ok" if backend.ping() else "per-process"


_threads = threading.local()


def _own_connection(backend):
    """A Redis client with a connection of its own for the calling thread (taken once from the backend's pool): the
    rate limits of every API write use it without checking a connection out of the pool and back — redis-py's pool
    checks each one it hands out with a poll() and counts it for its metrics, 150,000 instructions a command, a
    third of what the rate limits cost a vote (bench/mapvotes_bench.py). Request threads are a fixed set
    (serving/asgi.py, HTTP_THREADS), so this is at most that many connections per process."""
    pool = backend.client.get_client(write=True).connection_pool
    clients = getattr(_threads, "clients", None)
    if clients is None or _threads.pid != os.getpid():
        clients = _threads.clients = {}
        _threads.pid = os.getpid()
    client = clients.get(pool)
    if client is None:
        client = clients[pool] = redis.Redis(connection_pool=pool, single_connection_client=True)
    return client


def redis_cache():
    """The default cache when it is Redis (production), else None (local memory: development, tests)."""
    backend = caches["default"]
    return backend if isinstance(backend, DjangoRedisCache) else None


def add_many(keys: list[str], timeout: float) -> list[bool]:
    """cache.add(key, 1, timeout) for each key, in one round trip on Redis: whether each key was set by this call
    (False: it was already there). Raises on a cache outage, whatever IGNORE_EXCEPTIONS says."""
    backend = redis_cache()
    if backend is None:
        return [caches["default"].add(key, 1, timeout=timeout) for key in keys]
    return [bool(done) for done in _set_on_redis(backend, keys, timeout, only_new=True)]


def set_many(keys: list[str], timeout: float) -> None:
    """cache.set(key, 1, timeout) for each key, in one round trip on Redis, the value unpickled (django-redis's
    set_many pickles each one). Raises on a cache outage, whatever IGNORE_EXCEPTIONS says."""
    backend = redis_cache()
    if backend is None:
        caches["default"].set_many(dict.fromkeys(keys, 1), timeout=timeout)
    else:
        _set_on_redis(backend, keys, timeout, only_new=False)


def _set_on_redis(backend, keys, timeout, only_new):
    pipe = backend.client.get_client(write=True).pipeline(transaction=False)
    milliseconds = max(1, round(timeout * 1000))
    for key in keys:
        pipe.set(backend.make_key(key), 1, nx=only_new, px=milliseconds)
    return pipe.execute()


# INCR each key; a key just created expires after its timeout (ARGV, seconds). One command, one reply: the pipeline of
# INCR + EXPIRE pairs it replaces cost the client twice the packing and parsing, and Redis twice the commands.
_INCR_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
    counts[i] = redis.call('INCR', key)
    if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""
_INCR_SHA = hashlib.sha1(_INCR_SCRIPT.encode()).hexdigest()  # noqa: S324 - the script's name on Redis, not a secret


def _incr(client, keys, timeouts):
    try:
        return client.evalsha(_INCR_SHA, len(keys), *keys, *timeouts)
    except NoScriptError:  # the first time on this Redis (or after a restart or SCRIPT FLUSH): sent whole
        return client.eval(_INCR_SCRIPT, len(keys), *keys, *timeouts)


def incr_many(counters: list[tuple[str, int]]) -> list[int]:
    """Add one to each counter (created at 0, kept `timeout` seconds) and return the new values, in one round trip on
    Redis (the rate limits of serving.throttling, the log-in guard). Redis unreachable: counted in this process's memory."""
    backend = redis_cache()
    if backend is not None:
        if is_degraded(backend._server_key):
            return _incr_locally(backend.fallback, counters)
        keys = [backend.make_key(key) for key, _ in counters]
        timeouts = [timeout for _, timeout in counters]
        try:
            client = _own_connection(backend)
            try:
                return _incr(client, keys, timeouts)
            except redis.ConnectionError:  # Redis restarted since this thread's last call: the client connects again
                return _incr(client, keys, timeouts)
        except _OUTAGE_ERRORS as exc:
            _outage_started(backend._server_key, exc)
            return _incr_locally(backend.fallback, counters)
    return _incr_locally(caches["default"], counters)


def _incr_locally(local, counters: list[tuple[str, int]]) -> list[int]:
    counts = []
    for key, timeout in counters:
        local.add(key, 0, timeout=timeout)
        try:
            counts.append(local.incr(key))
        except ValueError:  # the key expired between add and incr: a new count starts with this one
            counts.append(1)
    return counts
