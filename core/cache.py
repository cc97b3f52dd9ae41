"""The Redis cache backend: django-redis's, with one client per process.

Under ASGI Django makes a cache backend instance per request (its cache handler is context-local), and every
django-redis instance built its own client and Redis object on first use: 125 µs of CPU per request that touches the
cache — every API write, for its rate limits (bench/mapvotes_bench.py). Here instances with the same configuration
share one client; its connection pool was already shared, and the client is thread-safe.
"""

import threading

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
