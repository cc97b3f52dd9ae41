"""Rate limits per action (serving.throttling): one allowance shared by the API and the pages, per account and per IP."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from accounts.models import User
from mapvotes.models import Comment, Vote
from serving.throttling import parse_rates
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.mapvotes.factories import ProposalFactory

pytestmark = pytest.mark.django_db

ELSEWHERE = "203.0.113.7"  # a documentation address: not the loopback, which has no per-IP limit


@pytest.fixture
def limits(settings):
    """Rates for one test only: limits(vote=("2/min", "")) sets the per-account and per-IP rates of `vote`."""
    cache.clear()
    actions = {action: {"account": "", "ip": ""} for action in django_settings.THROTTLE_ACTIONS}

    def set_limits(**rates):
        for action, (account, ip) in rates.items():
            actions[action] = {"account": account, "ip": ip}
        settings.THROTTLE_ACTIONS = actions

    yield set_limits
    cache.clear()


@pytest.fixture
def proposal(db):
    return ProposalFactory(title="Piste cyclable rue de Rivoli")


def test_tests_run_without_action_limits_unless_a_test_sets_them():
    assert set(django_settings.THROTTLE_ACTIONS) == {
        "vote",
        "propose",
        "comment",
        "apply",
        "message",
        "signup",
        "login",
    }
    assert all(rates == {"account": "", "ip": ""} for rates in django_settings.THROTTLE_ACTIONS.values())
    assert django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["serving.throttling.RequestThrottle"]
    assert django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"anon": "", "user": ""}


def test_rates_read_several_windows_and_refuse_nonsense():
    assert parse_rates("60/min, 600/h") == ((60, 60), (600, 3600))
    assert parse_rates("5/10min") == ((5, 600),)
    assert parse_rates("100/minute,10/second,1000/days") == ((100, 60), (10, 1), (1000, 86400))  # as DRF writes them
    assert parse_rates("") == ()
    with pytest.raises(ValueError, match="Invalid rate"):
        parse_rates("beaucoup")


def test_votes_are_limited_per_account_with_a_clear_french_429(limits, proposal):
    limits(vote=("3/min", ""))
    camille, dominique = client_for(UserFactory()), client_for(UserFactory())
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"

    statuses = [camille.put(url, {"value": value}, format="json").status_code for value in ("for", "against", "for")]
    refused = camille.put(url, {"value": "against"}, format="json")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    detail = refused.json()["detail"]
    assert detail.startswith("Vous avez voté de nombreuses fois en peu de temps. Réessayez dans ")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert Vote.objects.get(proposal=proposal).value == "for"  # the refused vote changed nothing
    assert dominique.put(url, {"value": "for"}, format="json").status_code == 200  # another account is not limited
    english = camille.put(url, {"value": "for"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"].startswith("You have voted many times in a short while. Please try again in ")


def test_reading_does_not_use_the_allowance(limits, proposal):
    limits(comment=("1/min", "1/min"))
    client = client_for(UserFactory())
    url = f"/api/v1/map/proposals/{proposal.pk}/comments/"
    assert all(client.get(url).status_code == 200 for _ in range(5))
    assert client.post(url, {"body": "Oui, enfin !"}, format="json").status_code == 201
    assert client.get(url).status_code == 200
    assert client.post(url, {"body": "Et encore"}, format="json").status_code == 429


def test_one_address_is_limited_whatever_the_accounts(limits, proposal):
    limits(vote=("", "2/min"))
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"
    same_place = [client_for(UserFactory()) for _ in range(3)]
    statuses = [c.put(url, {"value": "for"}, format="json", REMOTE_ADDR=ELSEWHERE).status_code for c in same_place]
    from_home = same_place[2].put(url, {"value": "for"}, format="json", REMOTE_ADDR="198.51.100.20")
    assert statuses == [200, 200, 429]
    assert from_home.status_code == 200


def test_with_both_limits_on_logged_in_accounts_still_share_their_address_allowance(limits, proposal):
    limits(vote=("5/min", "2/min"))
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"
    same_place = [client_for(UserFactory()) for _ in range(3)]  # each account far below its own 5/min
    statuses = [c.put(url, {"value": "for"}, format="json", REMOTE_ADDR=ELSEWHERE).status_code for c in same_place]
    assert statuses == [200, 200, 429]
    assert Vote.objects.filter(proposal=proposal).count() == 2  # the refused vote was not counted
    assert same_place[2].put(url, {"value": "for"}, format="json", REMOTE_ADDR="198.51.100.20").status_code == 200


def test_with_both_limits_on_an_account_is_held_to_its_own_allowance_from_any_address(limits, proposal):
    limits(vote=("2/min", "5/min"))
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"
    camille = client_for(UserFactory())
    addresses = ["198.51.100.1", "198.51.100.2", "198.51.100.3"]  # each address far below its own 5/min
    statuses = [camille.put(url, {"value": "for"}, format="json", REMOTE_ADDR=ip).status_code for ip in addresses]
    assert statuses == [200, 200, 429]
    assert (
        client_for(UserFactory()).put(url, {"value": "for"}, format="json", REMOTE_ADDR=addresses[2]).status_code == 200
    )


def test_the_machine_itself_has_no_per_ip_limit_but_accounts_keep_theirs(limits, proposal):
    limits(vote=("2/min", "1/min"))
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"
    first, second = client_for(UserFactory()), client_for(UserFactory())  # the test client is 127.0.0.1
    assert [first.put(url, {"value": "for"}, format="json").status_code for _ in range(3)] == [200, 200, 429]
    assert second.put(url, {"value": "for"}, format="json").status_code == 200


def test_the_page_and_the_api_share_one_allowance(limits, client, proposal):
    limits(vote=("2/min", ""))
    user = UserFactory()
    client.force_login(user)
    page = client.post(f"/carte/propositions/{proposal.pk}/vote/", {"value": "for"})
    api = client_for(user).put(f"/api/v1/map/proposals/{proposal.pk}/vote/", {"value": "against"}, format="json")
    refused = client.post(f"/carte/propositions/{proposal.pk}/vote/", {"value": "for"})
    assert page.status_code == 302 and api.status_code == 200
    assert refused.status_code == 429
    assert Vote.objects.get(proposal=proposal, user=user).value == "against"


def test_the_429_page_is_french_says_when_to_retry_and_keeps_the_comment(limits, client, proposal):
    limits(comment=("1/min", ""))
    client.force_login(UserFactory())
    url = f"/carte/propositions/{proposal.pk}/commentaires/"
    client.post(url, {"body": "Premier commentaire", "stance": ""})
    text = "Il faudrait aussi un feu pour les piétons devant l'école Saint-Merri."
    refused = client.post(url, {"body": text, "stance": ""})

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert "Vous avez écrit de nombreux commentaires en peu de temps. Réessayez dans " in page
    assert "Votre texte est conservé ci-dessous" in page
    assert "Il faudrait aussi un feu pour les piétons devant l&#x27;école Saint-Merri." in page  # shown, escaped
    assert f'action="{url}"' in page and 'name="body"' in page  # one click sends it again
    assert "script-src 'self'" in refused["Content-Security-Policy"]
    assert Comment.objects.filter(proposal=proposal).count() == 1


def test_the_429_page_escapes_what_it_keeps(limits, client, proposal):
    limits(comment=("1/min", ""))
    client.force_login(UserFactory())
    url = f"/carte/propositions/{proposal.pk}/commentaires/"
    client.post(url, {"body": "Premier commentaire"})
    payload = '"><script>alert(1)</script> <img src=x onerror=alert(2)>'
    page = client.post(url, {"body": payload}).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page


def test_a_refused_form_on_a_page_that_also_displays_is_only_counted_on_post(limits, client):
    limits(propose=("1/min", ""))
    client.force_login(UserFactory())
    assert all(client.get("/carte/proposer/").status_code == 200 for _ in range(3))
    client.post("/carte/proposer/", {"title": ""})  # invalid, but it is a try
    assert client.post("/carte/proposer/", {"title": "Un banc"}).status_code == 429
    assert client.get("/carte/proposer/").status_code == 200


def test_api_sign_up_is_limited_per_ip_and_saves_nothing_once_refused(limits, api_client):
    limits(signup=("", "2/min"))

    def register(n):
        return api_client.post(
            "/api/v1/auth/register/",
            {"email": f"personne{n}@example.org", "password": "un-mot-de-passe-solide"},
            format="json",
            REMOTE_ADDR=ELSEWHERE,
        )

    assert [register(n).status_code for n in range(2)] == [201, 201]
    refused = register(2)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Beaucoup de comptes ont été créés depuis votre réseau")
    assert not User.objects.filter(email="personne2@example.org").exists()


def test_the_sign_up_page_is_limited_by_allauth_with_the_french_429_page(settings, client):
    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/m/ip"}
    for n in range(2):
        client.post(
            "/comptes/signup/", {"email": f"nouvelle{n}@example.org", "password1": "x", "password2": "x"}
        )  # refused by the form (weak password): it still counts
    refused = client.post(
        "/comptes/signup/",
        {
            "email": "nouvelle9@example.org",
            "password1": "un-mot-de-passe-solide",
            "password2": "un-mot-de-passe-solide",
        },
    )
    cache.clear()
    assert refused.status_code == 429
    assert "Trop de requêtes" in refused.content.decode()
    assert not User.objects.filter(email="nouvelle9@example.org").exists()


def test_token_log_in_is_limited_per_ip(limits, api_client):
    limits(login=("", "2/min"))
    user = UserFactory()
    body = {"email": user.email, "password": "faux"}
    statuses = [
        api_client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR=ELSEWHERE).status_code for _ in range(3)
    ]
    assert 429 not in statuses[:2] and statuses[2] == 429


def test_a_cache_outage_lets_residents_vote_and_the_limits_still_hold_per_process(limits, cache_down, proposal):
    limits(vote=("2/min", ""))
    client = client_for(UserFactory())
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"
    assert [client.put(url, {"value": "for"}, format="json").status_code for _ in range(3)] == [200, 200, 429]


def test_a_mistyped_rate_stops_the_start_with_a_clear_message():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(TESTING="false", DEBUG="true", THROTTLE_VOTE="beaucoup", DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Invalid account rate for 'vote': 'beaucoup'" in result.stderr


def test_on_redis_the_allowance_is_counted_in_one_shared_place(private_redis_cache, limits, proposal):
    import redis as redis_client

    limits(vote=("2/min,3/h", ""))
    user = UserFactory()
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"
    statuses = [client_for(user).put(url, {"value": "for"}, format="json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    keys = redis_client.Redis.from_url(private_redis_cache.url).keys("*throttle:vote:account*")
    assert len(keys) == 2  # one counter per window (minute, hour), whichever worker served the request


def test_on_redis_each_counter_expires_with_its_window_after_a_redis_restart(private_redis_cache, limits, proposal):
    """The counters are counted by a script on Redis: it must be sent again when Redis has forgotten it."""
    import redis as redis_client

    limits(vote=("2/min,3/h", ""))
    server = redis_client.Redis.from_url(private_redis_cache.url)
    user = UserFactory()
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"

    assert client_for(user).put(url, {"value": "for"}, format="json").status_code == 200
    server.script_flush()  # as after a restart of Redis
    assert client_for(user).put(url, {"value": "against"}, format="json").status_code == 200
    assert client_for(user).put(url, {"value": "for"}, format="json").status_code == 429

    ttls = sorted(server.ttl(key) for key in server.keys("*throttle:vote:account*"))
    assert len(ttls) == 2 and 0 < ttls[0] <= 61 and 61 < ttls[1] <= 3601  # the minute's, the hour's


def test_after_a_redis_restart_the_allowance_is_counted_again_without_a_failed_vote(
    private_redis_cache, limits, proposal
):
    """Each request thread keeps a Redis connection of its own for the counters: a restart must not break it."""
    import redis as redis_client

    limits(vote=("2/min", ""))
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"
    first, second = UserFactory(), UserFactory()
    assert client_for(first).put(url, {"value": "for"}, format="json").status_code == 200

    private_redis_cache.stop()  # the thread's connection dies with it
    private_redis_cache.start()  # same port, empty: the counters and the script are gone
    statuses = [client_for(second).put(url, {"value": "for"}, format="json").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]  # counted again from the first request after the restart
    assert redis_client.Redis.from_url(private_redis_cache.url).keys("*throttle:vote:account*")


def test_cache_instances_of_the_production_backend_share_one_client(private_redis_cache):
    """Django makes a cache instance per request context under ASGI: they must not each build a Redis client."""
    from django.core.cache import caches

    first, second = caches.create_connection("default"), caches.create_connection("default")
    first.set("participe-test", "partagé", timeout=5)

    assert first is not second and first.client is second.client
    assert second.get("participe-test") == "partagé"
