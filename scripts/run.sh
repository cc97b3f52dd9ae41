#!/usr/bin/env bash
# Serve Participe (HTTP + WebSockets) and the background-task worker; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-8000}"
pids=()
cleanup() { trap - INT TERM EXIT; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT
.venv/bin/python manage.py db_worker --queue-name default --no-reload -v 0 &
pids+=($!)
echo "Participe: http://127.0.0.1:${PORT}  (Ctrl-C to stop)"
.venv/bin/uvicorn config.asgi:application --host 127.0.0.1 --port "$PORT" --ws websockets-sansio --log-level warning &
pids+=($!)
wait -n "${pids[@]}"
