"""The client address (serving.clientip): the connection's, unless proxies are declared; one decision for every use."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from serving.clientip import client_ip, counting_key, scope_client_ip
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.mapvotes.factories import ProposalFactory

CLIENT = "203.0.113.7"


def ip_of(settings, proxies, remote, forwarded=None):
    settings.NUM_PROXIES = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, CLIENT, None, CLIENT),
        (0, CLIENT, "1.2.3.4", CLIENT),  # no proxy declared: the header is the client's own words
        (0, CLIENT, "1.2.3.4, 5.6.7.8", CLIENT),
        (1, "10.0.0.1", "198.51.100.4", "198.51.100.4"),  # the proxy saw 198.51.100.4
        (1, "10.0.0.1", "6.6.6.6, 198.51.100.4", "198.51.100.4"),  # what the client prepended is ignored
        (2, "10.0.0.1", "6.6.6.6, 198.51.100.4, 10.0.0.2", "198.51.100.4"),
        (2, "10.0.0.1", "198.51.100.4", "198.51.100.4"),  # fewer entries than proxies: the outermost one's
        (1, "10.0.0.1", "not-an-address", "10.0.0.1"),  # junk falls back to the connection
        (1, "10.0.0.1", "", "10.0.0.1"),
        (0, "", None, "unknown"),
        (0, "2001:db8::1", None, "2001:db8::1"),
    ],
)
def test_the_client_address_is_what_the_server_saw_unless_proxies_are_declared(
    settings, proxies, remote, forwarded, expected
):
    assert ip_of(settings, proxies, remote, forwarded) == expected


def test_ipv6_clients_count_per_64_and_mapped_ipv4_as_ipv4():
    assert counting_key("2001:db8:1:2:aaaa::1") == counting_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert counting_key("2001:db8:1:3::1") != counting_key("2001:db8:1:2::1")
    assert counting_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert counting_key("203.0.113.7") == "203.0.113.7"


def test_websocket_scopes_follow_the_same_rule(settings):
    scope = {"client": ("10.0.0.1", 5000), "headers": [(b"x-forwarded-for", b"6.6.6.6, 198.51.100.4")]}
    settings.NUM_PROXIES = 0
    assert scope_client_ip(scope) == "10.0.0.1"
    settings.NUM_PROXIES = 1
    assert scope_client_ip(scope) == "198.51.100.4"


@pytest.fixture
def vote_limit_per_ip(settings, django_db_setup):
    cache.clear()
    settings.THROTTLE_ACTIONS = {
        **{action: {"account": "", "ip": ""} for action in settings.THROTTLE_ACTIONS},
        "vote": {"account": "", "ip": "3/min"},
    }
    yield
    cache.clear()


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_reset_a_per_ip_limit(settings, vote_limit_per_ip):
    settings.NUM_PROXIES = 0
    proposal = ProposalFactory()
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"
    statuses = [
        client_for(UserFactory())
        .put(url, {"value": "for"}, format="json", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
        .status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_behind_a_declared_proxy_each_client_has_its_own_allowance(settings, vote_limit_per_ip):
    settings.NUM_PROXIES = 1
    proposal = ProposalFactory()
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"

    def vote(forwarded):
        return (
            client_for(UserFactory())
            .put(url, {"value": "for"}, format="json", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
            .status_code
        )

    assert [vote(f"6.6.6.{n}, 198.51.100.4") for n in range(4)] == [200, 200, 200, 429]  # prepending changes nothing
    assert vote("198.51.100.5") == 200  # another client behind the same proxy
