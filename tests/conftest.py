"""Shared fixtures: the real PostGIS test database, where every test that uses it finds the themes and the
(approximate) districts whatever ran before it (see `reference_rows`)."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UnverifiedUserFactory, UserFactory


def _ensure_reference_data():
    from core.models import District, Theme

    if not Theme.objects.exists():
        from importlib import import_module

        migration = import_module("core.migrations.0002_french_search_and_themes")
        from django.apps import apps

        migration.add_themes(apps, None)
    if District.objects.count() < 20:
        call_command("load_districts", "--approximate", stdout=open("/dev/null", "w"))


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright keeps an event loop in the main thread for the rest of the session."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: "/e2e/" in str(item.fspath))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Loaded once and committed, only so that most tests find them already there (a cache, not a promise:
    a transactional test flushes every table when it ends)."""
    with django_db_blocker.unblock():
        _ensure_reference_data()


DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True)
def reference_rows(request):
    """Every test that uses the database gets the themes and the districts, in whatever order the tests run
    (pytest-randomly): a test after a transactional one finds the tables flushed, and they are put back, inside the
    test's transaction for a `db` test (rolled back with it), committed for a transactional one (flushed after it)."""
    if request.node.get_closest_marker("django_db") is None and not DATABASE_FIXTURES & set(request.fixturenames):
        return
    request.getfixturevalue("db")  # opens the test's database access; transactional if the test asked for it
    _ensure_reference_data()


@pytest.fixture(autouse=True)
def _mail_through_tasks(settings):
    """E-mails go through the real task backend (immediate in tests) into the locmem outbox."""
    settings.EMAIL_BACKEND = "core.mail.TaskEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def reference_data(transactional_db, reference_rows):
    """A transactional test with the themes and districts (which `reference_rows` gives every database test)."""


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def resident(db):
    return UserFactory(email="resident@example.org", display_name="Camille Habitante")


@pytest.fixture
def unverified(db):
    return UnverifiedUserFactory(email="nouveau@example.org")


@pytest.fixture
def team_member(db):
    return TeamUserFactory(email="equipe@paris.fr", display_name="Mission ville intelligente")


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Les Jardins Partagés du 11e")


@pytest.fixture
def org_admin(db, organization):
    return MembershipFactory(organization=organization, user=UserFactory(email="asso@example.org")).user


@pytest.fixture
def auth_client(resident):
    client = APIClient()
    client.force_authenticate(resident)
    return client


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def private_redis_cache(settings):
    """The production cache backend (serving.cache: django-redis) on a private redis-server, never the machine's shared one."""
    from tests.ops.servers import Redis

    redis = Redis().start()
    settings.CACHES = {"default": {"BACKEND": "serving.cache.RedisCache", "LOCATION": redis.url}}
    yield redis
    redis.stop()


@pytest.fixture
def cache_down(settings):
    """The production cache backend, configured as in production (errors ignored), with no Redis behind it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "serving.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language (French), as each request does: Django's LocaleMiddleware activates
    a request's language in its thread and leaves it there, so a test that asked in English would otherwise leave
    English to the service calls of the next test (found with a random order: French refusals read in English)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
