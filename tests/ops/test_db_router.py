"""The read-replica router (config/db_router.py): safe API requests read from "replica", the rest from "default"."""

import os
import subprocess
import sys

import pytest
from django.http import JsonResponse
from django.test import RequestFactory

from accounts.models import User
from config.db_router import ReadReplicaRouter, ReplicaReadsMiddleware, replica_reads
from core.models import Theme

from .servers import ROOT

router = ReadReplicaRouter()


def routed_read(request):
    """A stand-in view that reports where the router sends reads and writes during this request."""
    return JsonResponse({"read": router.db_for_read(Theme), "write": router.db_for_write(Theme)})


@pytest.mark.parametrize(
    ("method", "path", "read"),
    [
        ("get", "/api/v1/themes/", "replica"),
        ("head", "/api/v1/map/proposals/", "replica"),
        ("post", "/api/v1/map/proposals/", "default"),  # read-your-writes
        ("put", "/api/v1/map/proposals/1/vote/", "default"),
        ("get", "/carte/", "default"),  # pages stay on the primary
    ],
)
def test_reads_of_safe_api_requests_go_to_the_replica_and_writes_always_to_default(method, path, read):
    request = getattr(RequestFactory(), method)(path)
    response = ReplicaReadsMiddleware(routed_read)(request)
    assert response.status_code == 200
    import json

    assert json.loads(response.content) == {"read": read, "write": "default"}
    assert router.db_for_read(User) == "default"  # outside the request again


def test_replica_is_never_migrated_and_relations_across_aliases_are_allowed():
    assert router.allow_migrate("default", "core") is True
    assert router.allow_migrate("replica", "core") is False
    with replica_reads():
        assert router.db_for_read(Theme) == "replica"
        assert router.db_for_write(Theme) == "default"
    assert router.allow_relation(Theme(), Theme())


def test_the_router_is_only_enabled_when_a_replica_url_is_set():
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, "
        "'config.db_router.ReplicaReadsMiddleware' in settings.MIDDLEWARE)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_REPLICA_URL", None)
    without = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    env["DATABASE_REPLICA_URL"] = "postgis://reader@127.0.0.1:5433/participe"
    with_replica = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)

    assert without.stdout.strip() == "['default'] [] False", without.stderr
    assert with_replica.stdout.strip() == "['default', 'replica'] ['config.db_router.ReadReplicaRouter'] True", (
        with_replica.stderr
    )
