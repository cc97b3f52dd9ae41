"""Password guessing (accounts.login_guard): delays per account, address and pair; nobody can lock everyone out.

Policies here are small so that each case takes a few requests; production's are in config/settings.py (LOGIN_GUARD).
"""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts import login_guard
from tests.factories import TeamUserFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-42"
OWNER_HOME = "198.51.100.10"
ATTACKER = "203.0.113.66"


@pytest.fixture
def guard(settings):
    cache.clear()
    settings.LOGIN_GUARD = {
        "pair": {"free": 3, "base": 30, "cap": 900, "window": 3600},
        "account": {"free": 6, "base": 60, "cap": 900, "window": 3600},
        "address": {"free": 12, "base": 60, "cap": 900, "window": 3600},
    }
    yield settings.LOGIN_GUARD
    cache.clear()


@pytest.fixture
def camille(db):
    return UserFactory(email="camille@example.org")


def web_login(email, password, address, client=None):
    client = client or Client()
    return client.post("/comptes/login/", {"login": email, "password": password}, REMOTE_ADDR=address)


def api_login(email, password, address, **headers):
    return APIClient().post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json", REMOTE_ADDR=address, **headers
    )


def test_failures_on_unknown_accounts_never_block_a_known_one(guard, camille):
    """The hostile tester's example: ten (here thirty) wrong log-ins on addresses that do not exist."""
    for n in range(30):
        web_login(f"personne{n}@example.org", "mauvais", f"192.0.2.{n + 1}")
    assert web_login(camille.email, PASSWORD, OWNER_HOME).status_code == 302
    assert api_login(camille.email, PASSWORD, "192.0.2.200").status_code == 200


def test_guesses_from_one_address_slow_down_that_pair_only(guard, camille):
    refused = None
    for attempt in range(1, 10):
        response = web_login(camille.email, "mauvais", ATTACKER)
        if response.status_code == 429:
            refused = attempt
            break
    assert refused == guard["pair"]["free"] + 2  # the allowance, one more try, then a wait

    page = response.content.decode()
    assert "Trop de tentatives de connexion" in page and "réinitialisez votre mot de passe" in page
    assert 'value="camille@example.org"' in page  # what was typed stays
    assert 0 < int(response["Retry-After"]) <= guard["pair"]["base"]

    # Even the right password waits from there (the attacker cannot test it)...
    assert web_login(camille.email, PASSWORD, ATTACKER).status_code == 429
    # ...while the owner, at home, logs in at once, on the web and through the API.
    assert web_login(camille.email, PASSWORD, OWNER_HOME).status_code == 302
    assert api_login(camille.email, PASSWORD, "198.51.100.11").status_code == 200


def test_another_resident_at_the_same_address_is_not_slowed_down(guard, camille):
    """A library: one person mistyping their password must not lock out the others."""
    dominique = UserFactory(email="dominique@example.org")
    for _ in range(guard["pair"]["free"] + 3):
        web_login(dominique.email, "mauvais", "192.0.2.50")
    assert web_login(camille.email, PASSWORD, "192.0.2.50").status_code == 302


def test_rotating_addresses_does_not_give_unlimited_guesses_on_one_account(guard, camille):
    checked = 0
    for n in range(40):
        response = api_login(camille.email, "mauvais", f"10.0.{n // 250}.{n % 250 + 1}")
        if response.status_code == 401:
            checked += 1  # the password was actually tried
        else:
            assert response.status_code == 429
            assert "Trop de tentatives de connexion" in response.json()["detail"]
            assert int(response["Retry-After"]) > 0
    assert checked == guard["account"]["free"] + 1


def test_the_owner_is_never_locked_out_from_a_device_or_address_it_used(guard, camille):
    browser = Client()
    assert web_login(camille.email, PASSWORD, OWNER_HOME, browser).status_code == 302
    assert login_guard.DEVICE_COOKIE in browser.cookies
    browser.post("/comptes/logout/")

    for n in range(30):  # an attacker rotating addresses closes the account's gate for unknown clients
        api_login(camille.email, "mauvais", f"10.1.0.{n + 1}")
    assert api_login(camille.email, PASSWORD, "10.2.0.1").status_code == 429  # a new client waits

    # The owner's browser (device cookie) from a new network, and the owner's known address, are let through.
    assert web_login(camille.email, PASSWORD, "100.64.0.9", browser).status_code == 302
    assert api_login(camille.email, PASSWORD, OWNER_HOME).status_code == 200


def test_a_forged_device_cookie_gives_no_trust(guard, camille):
    for n in range(30):
        api_login(camille.email, "mauvais", f"10.3.0.{n + 1}")
    client = Client()
    client.cookies[login_guard.DEVICE_COOKIE] = "forged"
    assert web_login(camille.email, PASSWORD, "10.4.0.1", client).status_code == 429


def test_the_delay_grows_with_each_attempt_and_is_capped(guard):
    policy = login_guard.Policy(free=3, base=30, cap=900, window=3600)
    assert [login_guard._delay(policy, n) for n in (1, 2, 3, 4, 5, 6, 40)] == [30, 60, 120, 240, 480, 900, 900]


def test_the_account_is_the_address_as_typed_normalised(guard, camille):
    for _ in range(guard["pair"]["free"] + 1):
        web_login("  Camille@Example.ORG ", "mauvais", ATTACKER)
    assert web_login("camille@example.org", PASSWORD, ATTACKER).status_code == 429


def test_a_successful_log_in_clears_the_pair_and_account_counts(guard, camille):
    for _ in range(guard["pair"]["free"]):
        web_login(camille.email, "mauvais", OWNER_HOME)
    assert web_login(camille.email, PASSWORD, OWNER_HOME).status_code == 302
    statuses = [web_login(camille.email, "mauvais", OWNER_HOME).status_code for _ in range(guard["pair"]["free"])]
    assert statuses == [200] * guard["pair"]["free"]  # the form again, with its error, no wait


def test_the_admin_log_in_is_guarded_too(guard):
    team = TeamUserFactory(email="equipe@paris.fr", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(guard["pair"]["free"] + 2):
        client.post("/admin/login/", {"username": team.email, "password": "mauvais"}, REMOTE_ADDR=ATTACKER)
    client.post("/admin/login/", {"username": team.email, "password": PASSWORD}, REMOTE_ADDR=ATTACKER)
    assert "_auth_user_id" not in client.session


def test_with_the_cache_down_people_still_log_in_and_guesses_are_still_counted(guard, cache_down, camille):
    assert web_login(camille.email, PASSWORD, OWNER_HOME).status_code == 302
    assert api_login(camille.email, PASSWORD, OWNER_HOME).status_code == 200
    statuses = [web_login(camille.email, "mauvais", ATTACKER).status_code for _ in range(8)]
    assert 429 in statuses  # counted in this process's memory, not "no limit"


def test_english_refusal(guard, camille):
    for _ in range(guard["pair"]["free"] + 2):
        response = api_login(camille.email, "mauvais", ATTACKER, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many log-in attempts on this account")
