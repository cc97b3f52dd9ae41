import time

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator

from config.asgi import application
from mapvotes import services
from mapvotes.models import Vote
from serving.realtime import apublish, apublish_many

from .factories import ProposalFactory


@pytest.fixture
def broken_channel_layer(settings):
    """A real Redis channel layer pointed at a port where nothing listens."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [("127.0.0.1", 9)]}}
    }
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.mark.django_db
def test_vote_counts_when_channel_layer_is_down(
    broken_channel_layer, auth_client, proposal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = auth_client.put(f"/api/v1/map/proposals/{proposal.pk}/vote/", {"value": "for"}, format="json")
    assert response.status_code == 200
    assert response.json()["votes_for"] == 1
    assert callbacks  # the broadcast was attempted, and failed quietly
    proposal.refresh_from_db()
    assert proposal.votes_for == 1 and Vote.objects.count() == 1


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_map_websocket_forwards_votes_and_new_proposals():
    communicator = WebsocketCommunicator(application, "/ws/map/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, _ = await communicator.connect()
    assert connected
    message = {"type": "proposal.votes", "id": 3, "votes_for": 5, "votes_against": 1}
    await apublish("map", message)
    assert await communicator.receive_json_from(timeout=3) == message
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_messages_published_together_reach_the_client_one_by_one_in_order():
    """The publisher thread sends the votes of many proposals as one channel-layer event (serving.realtime.apublish_many);
    the client still gets one `proposal.votes` frame per proposal."""
    communicator = WebsocketCommunicator(application, "/ws/map/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, _ = await communicator.connect()
    assert connected
    messages = [{"type": "proposal.votes", "id": pk, "votes_for": pk, "votes_against": 0} for pk in (4, 5, 6)]
    await apublish_many("map", messages)
    assert [await communicator.receive_json_from(timeout=3) for _ in messages] == messages
    await communicator.disconnect()


def _drain(channel):
    layer = get_channel_layer()
    received = []

    async def drain():
        import asyncio

        while True:
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), timeout=1))
            except TimeoutError:
                return

    async_to_sync(drain)()
    return [m["message"] for m in received]


@pytest.fixture
def map_channel():
    """A channel in the map's group, as a connected map client's."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("map", channel)
    return channel


def _messages_about(proposal, channel, until) -> list:
    """The broadcasts about `proposal` received on `channel` until `until(messages)`. The trailing sends open their own
    database connection in a background thread: slow on a busy machine, so this waits up to 20 s."""
    messages, deadline = [], time.monotonic() + 20
    while time.monotonic() < deadline and not until(messages):
        time.sleep(0.2)
        messages += [m for m in _drain(channel) if m.get("id") == proposal.pk]
    return messages


def test_vote_broadcasts_are_coalesced_per_proposal(reference_data, settings, map_channel):
    """40 votes within the window: one message at once, one trailing message with the final counts."""
    from django.core.cache import cache

    from tests.factories import UserFactory

    settings.MAPVOTES_BROADCAST_INTERVAL = 0.4
    cache.clear()
    proposal = ProposalFactory()
    users = [UserFactory() for _ in range(40)]
    started = time.monotonic()
    for user in users:
        services.cast_vote(user, proposal.pk, "for")
    elapsed = time.monotonic() - started
    messages = _messages_about(proposal, map_channel, until=lambda got: got and got[-1]["votes_for"] == 40)
    # at most one message per window (plus the first and the trailing one), whatever the machine's speed
    assert 1 <= len(messages) <= elapsed / 0.4 + 2
    assert len(messages) < 40
    assert messages[0]["type"] == "proposal.votes"
    assert messages[-1] == {"type": "proposal.votes", "id": proposal.pk, "votes_for": 40, "votes_against": 0}


def test_vote_broadcasts_still_go_out_when_the_cache_is_down(reference_data, settings, cache_down, map_channel):
    """The gates live in the cache: without it, messages still go out, with the counts of the database, and once
    more when the window ends (other processes, which no longer share the gate, may have sent theirs in between)."""
    from tests.factories import UserFactory

    settings.MAPVOTES_BROADCAST_INTERVAL = 0.4
    proposal = ProposalFactory()
    services.cast_vote(UserFactory(), proposal.pk, "against")
    messages = _messages_about(proposal, map_channel, until=lambda got: len(got) >= 2)  # now, and after the window
    final = {"type": "proposal.votes", "id": proposal.pk, "votes_for": 0, "votes_against": 1}
    assert messages == [final, final]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_with_the_in_memory_layer_a_message_published_by_a_background_thread_arrives_at_once():
    """Development and the browser tests run one process with the in-memory layer; the broadcasts are sent by
    background threads, whose messages must still wake the server's consumers up."""
    import asyncio

    from serving import realtime

    realtime.serving_on(asyncio.get_running_loop())  # what serving/asgi.py does on its first request
    try:
        communicator = WebsocketCommunicator(application, "/ws/map/", headers=[(b"origin", b"http://127.0.0.1")])
        connected, _ = await communicator.connect()
        assert connected
        message = {"type": "proposal.votes", "id": 7, "votes_for": 2, "votes_against": 0}
        await asyncio.to_thread(realtime.publish, "map", message)
        assert await communicator.receive_json_from(timeout=1) == message
        await communicator.disconnect()
    finally:
        realtime.serving_on(None)


def test_a_database_error_while_reading_the_counts_delays_the_trailing_message_but_does_not_lose_it(
    reference_data, settings, monkeypatch, map_channel
):
    from django.core.cache import cache
    from django.db import OperationalError

    from mapvotes import selectors
    from tests.factories import UserFactory

    settings.MAPVOTES_BROADCAST_INTERVAL = 0.3
    cache.clear()
    proposal = ProposalFactory()
    real_counts, failures = selectors.vote_counts, []

    def counts_failing_once(proposal_ids):  # the broadcast's read of the counts
        if not failures:
            failures.append(True)
            raise OperationalError("the server closed the connection unexpectedly")
        return real_counts(proposal_ids)

    monkeypatch.setattr(selectors, "vote_counts", counts_failing_once)
    for user in (UserFactory(), UserFactory()):  # the second one within the window: a trailing message
        services.cast_vote(user, proposal.pk, "for")
    messages = _messages_about(proposal, map_channel, until=lambda got: got and got[-1]["votes_for"] == 2)

    assert failures  # the read failed once...
    assert messages[-1] == {"type": "proposal.votes", "id": proposal.pk, "votes_for": 2, "votes_against": 0}
