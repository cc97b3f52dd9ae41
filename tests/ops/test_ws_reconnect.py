"""A map WebSocket client that drops, misses votes and reconnects ends up with the true counts.

The contract between the browser and the server (static/js/realtime.mjs, mapvotes/static/mapvotes/js/*.mjs):
- realtime.mjs reconnects with back-off and calls `onOpen` on every (re)connection;
- vote.mjs (proposal and list pages) re-fetches `GET /api/v1/map/proposals/{id}/` for each vote widget on every
  reconnection but the first, because "messages sent while we were away are lost";
- map.mjs re-loads the viewport `GET /api/v1/map/proposals/?bbox=…&zoom=…` on every connection;
- the consumer (mapvotes.consumers.MapConsumer) sends no snapshot of its own on connect: it only forwards
  `proposal.votes` / `proposal.created` broadcasts.

So the server side checked here: a reconnected socket gets nothing stale or replayed, the endpoints the client calls
on reconnection return the true counts (and the page reloaded without JS too), and live updates resume on the new
socket. Real channel layer (in memory, as configured without REDIS_URL), real database, the project's ASGI app.
"""

import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.test import APIClient

from config.asgi import application
from tests.factories import UserFactory
from tests.mapvotes.factories import ProposalFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = [(b"origin", b"http://127.0.0.1")]


@pytest.fixture(autouse=True)
def _immediate_broadcasts(settings, reference_data):
    """One `proposal.votes` per vote (no coalescing window), so that each live message is predictable."""
    settings.MAPVOTES_BROADCAST_INTERVAL = 0


def _api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@sync_to_async
def setup_proposal_and_voters(n):
    proposal = ProposalFactory(title="Piste cyclable rue de Rivoli")
    return proposal, [UserFactory(email=f"votant{i}@example.org") for i in range(n)]


@sync_to_async
def vote(user, proposal, value):
    client = _api_as(user)
    url = f"/api/v1/map/proposals/{proposal.pk}/vote/"
    response = client.delete(url) if value is None else client.put(url, {"value": value}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@sync_to_async
def what_the_client_fetches_on_reconnection(proposal):
    """vote.mjs: the proposal's Feature; map.mjs: the viewport at street level; and the page itself (no JS)."""
    anonymous = APIClient()
    detail = anonymous.get(f"/api/v1/map/proposals/{proposal.pk}/").json()["properties"]
    viewport = anonymous.get("/api/v1/map/proposals/", {"bbox": "2.34,48.85,2.36,48.86", "zoom": 16}).json()
    feature = next(f["properties"] for f in viewport["features"] if f["properties"].get("id") == proposal.pk)
    page = Client().get(f"/carte/propositions/{proposal.pk}/").content.decode()
    shown = (
        int(re.search(r"<span data-votes-for>(\d+)</span>", page).group(1)),
        int(re.search(r"<span data-votes-against>(\d+)</span>", page).group(1)),
    )
    return (
        (detail["votes_for"], detail["votes_against"]),
        (feature["votes_for"], feature["votes_against"]),
        shown,
    )


async def connect():
    communicator = WebsocketCommunicator(application, "/ws/map/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_reconnected_client_gets_the_true_counts_after_missing_votes():
    proposal, (a, b, c, d) = await setup_proposal_and_voters(4)

    first = await connect()
    await vote(a, proposal, "for")
    assert await first.receive_json_from(timeout=3) == {
        "type": "proposal.votes",
        "id": proposal.pk,
        "votes_for": 1,
        "votes_against": 0,
    }
    await first.disconnect()

    # While the client is away: two new votes, one changed vote and one withdrawn vote.
    await vote(b, proposal, "for")
    await vote(c, proposal, "for")
    await vote(c, proposal, "against")
    await vote(a, proposal, None)
    truth = (1, 1)

    second = await connect()
    # Nothing is replayed to the new socket: no stale counts that would overwrite the re-fetched ones.
    assert await second.receive_nothing(timeout=0.5)
    detail, viewport, page = await what_the_client_fetches_on_reconnection(proposal)
    assert detail == truth
    assert viewport == truth
    assert page == truth

    # Live updates resume on the new socket, with the counts of the database.
    await vote(d, proposal, "for")
    assert await second.receive_json_from(timeout=3) == {
        "type": "proposal.votes",
        "id": proposal.pk,
        "votes_for": 2,
        "votes_against": 1,
    }
    await second.disconnect()


async def test_votes_broadcast_while_a_client_is_away_are_not_queued_for_it():
    """The old connection's channel left the group: a socket opened later starts clean, another one stays live."""
    proposal, (a, b) = await setup_proposal_and_voters(2)
    staying = await connect()
    leaving = await connect()
    await leaving.disconnect()

    await vote(a, proposal, "for")
    assert (await staying.receive_json_from(timeout=3))["votes_for"] == 1

    returning = await connect()
    assert await returning.receive_nothing(timeout=0.5)
    await vote(b, proposal, "against")
    expected = {"type": "proposal.votes", "id": proposal.pk, "votes_for": 1, "votes_against": 1}
    assert await returning.receive_json_from(timeout=3) == expected
    assert await staying.receive_json_from(timeout=3) == expected
    await staying.disconnect()
    await returning.disconnect()
