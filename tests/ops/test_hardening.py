"""Hardening: API rate limits with a clear French 429, the log-in guard's settings, `check --deploy`, CSP without inline JS.

The per-action limits (vote, propose, comment...) are tested in tests/core/test_throttling.py, the log-in guard in
tests/accounts/test_login_guard.py, the client address in tests/core/test_client_ip.py.
"""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory

from .servers import ROOT

PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from rest_framework.settings import api_settings
call_command("check", deploy=True, fail_level="WARNING")
print("SETTINGS=" + json.dumps({
    "throttle_classes": [c.__module__ + "." + c.__name__ for c in api_settings.DEFAULT_THROTTLE_CLASSES],
    "rates": api_settings.DEFAULT_THROTTLE_RATES,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "login_guard": settings.LOGIN_GUARD,
    "allauth_limits": settings.ACCOUNT_RATE_LIMITS,
    "num_proxies": settings.NUM_PROXIES,
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "actions": settings.THROTTLE_ACTIONS,
}))
"""


@pytest.fixture(scope="module")
def production_probe():
    """`check --deploy` (warnings are failures) and the effective settings, with production variables only."""
    # Only what a production host has: not the test session's own switches (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE for Playwright's event loop, which check --deploy rightly refuses).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "REDIS_URL", "SECURE_", "THROTTLE_", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        TESTING="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="participe.paris.fr",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    env.pop("SECURE_COOKIES", None)
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    return result


def test_check_deploy_reports_no_warning_with_production_variables(production_probe):
    output = production_probe.stdout + production_probe.stderr
    assert production_probe.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output


def test_production_settings_turn_on_https_only_cookies_hsts_throttles_and_the_login_guard(production_probe):
    line = next(line for line in production_probe.stdout.splitlines() if line.startswith("SETTINGS="))
    effective = json.loads(line.removeprefix("SETTINGS="))
    assert effective["hsts"] >= 31536000
    assert effective["ssl_redirect"] and effective["session_secure"] and effective["csrf_secure"]
    assert set(effective["login_guard"]) == {"pair", "account", "address"}
    assert effective["allauth_limits"]["login_failed"] is None  # counted by the log-in guard instead
    assert effective["num_proxies"] == 0  # X-Forwarded-For is not trusted unless proxies are declared
    assert effective["throttle_classes"] == ["serving.throttling.RequestThrottle"]
    assert effective["rates"]["anon"] == "120/min" and effective["rates"]["user"] == "600/min"
    actions = effective["actions"]
    assert set(actions) == {"vote", "propose", "comment", "apply", "message", "signup", "login"}
    assert actions["vote"]["account"].startswith("60/min") and actions["vote"]["ip"]
    assert all(actions[a]["account"] and actions[a]["ip"] for a in ("propose", "comment", "apply", "message"))
    assert actions["signup"]["ip"] and actions["login"]["ip"]
    assert effective["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def production_throttles(settings):
    """The global rates production sets (see the probe above; off in tests), tiny so that the test is quick."""
    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "5/min"}}
    yield
    cache.clear()


def test_anonymous_clients_are_limited_per_ip_with_a_clear_french_429(db, production_throttles):
    client = APIClient()
    statuses = [client.get("/api/v1/themes/").status_code for _ in range(3)]
    refused = client.get("/api/v1/themes/")
    other_ip = APIClient(REMOTE_ADDR="10.1.2.3").get("/api/v1/themes/")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Trop de requêtes. Patientez ")
    assert int(refused["Retry-After"]) > 0
    assert other_ip.status_code == 200
    english = client.get("/api/v1/themes/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"].startswith("Too many requests. Please wait")


def test_accounts_are_limited_per_account_not_per_ip(db, production_throttles):
    camille, dominique = UserFactory(), UserFactory()
    first, second = APIClient(), APIClient()  # same IP
    first.force_authenticate(camille)
    second.force_authenticate(dominique)

    assert [first.get("/api/v1/me/").status_code for _ in range(5)] == [200] * 5
    assert first.get("/api/v1/me/").status_code == 429
    assert second.get("/api/v1/me/").status_code == 200


class ScriptFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline_scripts, self.handlers = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (
            tag == "script"
            and not attrs.get("src")
            and attrs.get("type") not in ("application/json", "application/ld+json")
        ):
            self.inline_scripts.append(attrs)
        self.handlers += [f"{tag}[{name}]" for name in attrs if name.startswith("on")]


@pytest.mark.parametrize(
    "path", ["/", "/comptes/login/", "/comptes/signup/", "/comptes/password/reset/", "/api/v1/docs/"]
)
def test_pages_carry_a_strict_csp_and_contain_no_inline_script(db, client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    finder = ScriptFinder()
    finder.feed(response.content.decode())
    assert finder.inline_scripts == [] and finder.handlers == []


def test_logged_in_pages_carry_the_csp_and_no_inline_script(db, client):
    client.force_login(UserFactory())
    for path in ["/", "/notifications/"]:
        response = client.get(path)
        assert response.status_code == 200 and "script-src 'self'" in response["Content-Security-Policy"]
        finder = ScriptFinder()
        finder.feed(response.content.decode())
        assert finder.inline_scripts == [] and finder.handlers == []


def test_security_headers_on_every_response(db, client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies.get("sessionid") is None or response.cookies["sessionid"]["httponly"]
