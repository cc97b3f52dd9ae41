"""Settings for measuring a fix, not for production: config.settings plus Django's psycopg connection pool.

Under ASGI, Django runs each in-flight request's sync code on its own thread, with its own database connection:
200 concurrent users open ~200 PostgreSQL connections and get 503s once `max_connections` (100) is reached. With a
pool (Django ≥ 5.1, `pip install "psycopg[pool]"`), each worker holds at most DB_POOL_MAX connections and requests
wait for one instead of failing. Used by the load-test figures of docs/performance.md:

    DJANGO_SETTINGS_MODULE=pool_settings PYTHONPATH=bench DATABASE_URL=…/participe_bench PORT=8765 make serve-prod
"""

import os

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0  # a pool requires it
DATABASES["default"]["OPTIONS"]["pool"] = {
    "min_size": 2,
    "max_size": int(os.environ.get("DB_POOL_MAX", "16")),
    "timeout": 30,  # seconds a request waits for a connection before failing
}

# BENCH_PUBSUB=1: Redis pub/sub channel layer (one subscription connection per worker for every group) instead of
# the list-based core layer, whose per-consumer BZPOPMIN reads timed out after a burst of votes (docs/performance.md).
if os.environ.get("BENCH_PUBSUB") and CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis"):  # noqa: F405
    CHANNEL_LAYERS["default"]["BACKEND"] = "channels_redis.pubsub.RedisPubSubChannelLayer"  # noqa: F405
