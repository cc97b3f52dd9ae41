"""Migrations are committed and reversible: every app can be migrated back to zero and forward again.

Runs `manage.py migrate` in a throw-away database of its own (the test database stays untouched)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# Reverse dependency order: an app is unmigrated before the apps it depends on.
OUR_APPS = ["strategy", "ideas", "volunteering", "mapvotes", "accounts", "core"]


def _manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "TESTING": "true"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def scratch_database():
    import psycopg

    db = settings.DATABASES["default"]
    name = f"participe_migrations_{uuid.uuid4().hex[:8]}"
    server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres"}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(dbname=name, autocommit=True, **server) as conn:
        for extension in ("postgis", "pg_trgm", "unaccent"):
            conn.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    yield f"postgis://{server['user']}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_no_model_change_lacks_its_migration(scratch_database):
    result = _manage(scratch_database, "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_migrates_back_to_zero_and_forward_again(scratch_database):
    forward = _manage(scratch_database, "migrate", "--no-input")
    assert forward.returncode == 0, forward.stderr
    for app in OUR_APPS:
        back = _manage(scratch_database, "migrate", app, "zero", "--no-input")
        assert back.returncode == 0, f"{app} cannot be unmigrated:\n{back.stderr[-3000:]}"
    again = _manage(scratch_database, "migrate", "--no-input")
    assert again.returncode == 0, again.stderr[-3000:]
    plan = _manage(scratch_database, "showmigrations", "--plan")
    assert "[ ]" not in plan.stdout
