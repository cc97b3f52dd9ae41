#!/usr/bin/env bash
# Serve Participe (HTTP + WebSockets), the background-task worker and the periodic-job scheduler; Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-8000}"
source scripts/supervise.sh  # supervise(), and the trap that stops everything on Ctrl-C
supervise .venv/bin/python manage.py db_worker --queue-name default --no-reload -v 0
# Enqueues the periodic jobs (mission expiry, reminders, weekly e-mail, CV retention) when they fall due.
supervise .venv/bin/python manage.py run_periodic
echo "Participe: http://127.0.0.1:${PORT}  (Ctrl-C to stop)"
.venv/bin/uvicorn config.asgi:application --host 127.0.0.1 --port "$PORT" --ws websockets-sansio --log-level warning --no-proxy-headers --ws-max-size 65536 &
web=$!
wait "$web"
