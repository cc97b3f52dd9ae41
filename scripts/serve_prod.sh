#!/usr/bin/env bash
# Production-style serving of Participe on 127.0.0.1:PORT (see docs/operations.md):
#   - N uvicorn ASGI worker processes behind one port (WEB_CONCURRENCY, default: number of CPUs + 1),
#     HTTP + WebSockets, sharing the Redis channel layer, cache and cached_db sessions;
#   - DEBUG off, a SECRET_KEY (generated once into var/secret_key when none is given);
#   - static files collected into var/static and served by WhiteNoise (compressed, hashed names);
#   - the django-tasks database worker as a separate process;
#   - the periodic-job scheduler (manage.py run_periodic) as another one: its last runs live in Redis and it takes a
#     PostgreSQL advisory lock, so running one per machine is safe.
# Workers are health-checked by the uvicorn supervisor with a 60 s timeout (the default 5 s made it kill and
# restart busy workers on an overloaded machine, which then served nothing while Django started again).
# The client address is decided by Django alone (serving/clientip.py: the connection's address, or with NUM_PROXIES the
# N-th from the right of X-Forwarded-For): uvicorn's own rewriting from proxy headers is off (--no-proxy-headers),
# otherwise it would trust X-Forwarded-For from any client on 127.0.0.1.
# Ctrl-C (or SIGTERM) stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-${PORT:-8000}}"
HOST="${HOST:-127.0.0.1}"
PY=.venv/bin/python
# One worker more than cores: a worker is bound to one core by the GIL and idles while it waits for PostgreSQL or
# Redis; the extra one fills those gaps (bench/mapvotes_bench.py on 2 cores: 316-362 votes/s with 3, 282-331 with 2).
WORKERS="${WEB_CONCURRENCY:-$(($(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN || echo 2) + 1))}"

mkdir -p var
if [[ -z "${SECRET_KEY:-}" ]]; then
    if [[ ! -s var/secret_key ]]; then
        (umask 077 && "$PY" -c "import secrets; print(secrets.token_urlsafe(64))" >var/secret_key)
    fi
    SECRET_KEY="$(cat var/secret_key)"
fi
export SECRET_KEY
export DEBUG=false
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
# Served over plain HTTP on the loopback here; behind the TLS proxy of a real deployment leave these unset
# so that SSL redirect and secure cookies stay on (the proxy sets X-Forwarded-Proto).
if [[ "$HOST" == "127.0.0.1" || "$HOST" == "localhost" ]]; then
    export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
    export SECURE_COOKIES="${SECURE_COOKIES:-false}"
    export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"
fi
# No persistent connections under ASGI: Django runs sync views on several threads and would keep one connection per
# thread (the load test exhausted max_connections this way). Use PgBouncer (or Django's psycopg pool) to reuse them.
export CONN_MAX_AGE="${CONN_MAX_AGE:-0}"
export DATABASE_URL="${DATABASE_URL:-postgis://postgres@127.0.0.1:5432/participe}"

if ! "$PY" - <<'EOF'; then
import os, sys
import redis
try:
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=1).ping()
except Exception as exc:
    print(f"Redis is not reachable at {os.environ['REDIS_URL']} ({exc}); start it (apt-get install redis-server).", file=sys.stderr)
    sys.exit(1)
EOF
    exit 1
fi

# collectstatic (hashing + gzip/brotli compression) is slow: only redo it when a static source changed.
manifest=var/static/staticfiles.json
if [[ ! -f "$manifest" ]] || [[ -n "$(find . -path ./.venv -prune -o -path ./var -prune -o -path '*/static/*' -type f \
    -newer "$manifest" -print -quit; find requirements.txt -newer "$manifest")" ]]; then
    echo "Collecting static files into var/static (compressed)..."
    "$PY" manage.py collectstatic --noinput -v 0
fi

source scripts/supervise.sh  # supervise(), and the trap that stops everything on Ctrl-C

# The task worker and the scheduler are restarted if they stop (a crash on "too many clients" used to take the
# whole server down); the script ends with the web server.
supervise "$PY" manage.py db_worker --queue-name default --no-reload -v 0
supervise "$PY" manage.py run_periodic
echo "Participe (production mode, ${WORKERS} workers): http://${HOST}:${PORT}  (Ctrl-C to stop)"
.venv/bin/uvicorn config.asgi:application --host "$HOST" --port "$PORT" --workers "$WORKERS" \
    --loop uvloop --http httptools --ws websockets-sansio --lifespan off --no-access-log --no-proxy-headers --ws-max-size 65536 \
    --timeout-graceful-shutdown 10 --timeout-worker-healthcheck 60 --log-level "${UVICORN_LOG_LEVEL:-warning}" &
web=$!
wait "$web"
