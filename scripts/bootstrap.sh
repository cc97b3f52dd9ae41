#!/usr/bin/env bash
# Idempotent set-up shared by `make run` and `make test`: system packages, PostgreSQL, venv, database.
# Usage: scripts/bootstrap.sh [--browser]
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

# 1. Debian packages (only what is missing; apt-get update only when something is).
packages=(gdal-bin libgeos-c1v5 libproj25 gettext fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0)
command -v psql >/dev/null 2>&1 || packages+=(postgresql postgresql-client)
# The scale-out and fault tests start their own throw-away redis-server.
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
[ $want_browser = 1 ] && packages+=(chromium)
pg_version="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1 || true)"
packages+=("postgresql-${pg_version:-15}-postgis-3")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. PostgreSQL: start the local cluster if it is installed but down.
DB_URL="${DATABASE_URL:-postgis://postgres@127.0.0.1:5432/participe}"
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  pg_version="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1 || true)"
  if [ -n "$pg_version" ]; then
    say "Starting PostgreSQL $pg_version"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi

# 3. Python virtual environment, reinstalled only when requirements.txt changes.
if [ ! -x .venv/bin/python ]; then
  say "Creating .venv"
  python3 -m venv .venv
fi
req_hash="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat .venv/.requirements.sha 2>/dev/null || true)" != "$req_hash" ]; then
  say "Installing Python requirements"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.txt
  echo "$req_hash" > .venv/.requirements.sha
fi

# 4. Database with PostGIS, pg_trgm and unaccent (migrations create the last two as well).
db_name="${DB_URL##*/}"; db_name="${db_name%%\?*}"
server_url="${DB_URL%/*}/postgres"; server_url="${server_url/postgis:/postgresql:}"
if ! psql "$server_url" -tAc "SELECT 1 FROM pg_database WHERE datname='${db_name}'" | grep -q 1; then
  say "Creating database ${db_name}"
  psql "$server_url" -qc "CREATE DATABASE \"${db_name}\""
fi
db_psql_url="${DB_URL/postgis:/postgresql:}"
psql "$db_psql_url" -qc "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS unaccent;" 2>&1 | grep -v "already exists" || true

say "Migrating and compiling translations"
.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py compilemessages -v 0 --ignore=.venv
