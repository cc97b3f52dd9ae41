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

pytestmark = pytest.mark.django_db(transaction=True)

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


@pytest.mark.asyncio
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


@pytest.mark.asyncio
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


# --- who may open which socket: every WebSocket route × the kinds of account ----------------------------------

# fmt: off
# Columns: anonymous · unverified · resident · member of another organisation · member of the owner organisation
# (which carries the idea of the connection and receives applications) · mission team. True: accepted.
WS_MATRIX = {
    "ws/notifications/":                          (False, True,  True,  True,  True,  True),
    "ws/map/":                                    (True,  True,  True,  True,  True,  True),
    "ws/volunteering/organizations/<int:organization_id>/": (False, False, False, False, True,  False),
    "ws/ideas/connections/<int:pk>/":             (False, False, False, False, True,  False),
    "ws/strategy/inbox/":                         (False, False, False, False, False, True),
    "ws/strategy/figures/":                       (True,  True,  True,  True,  True,  True),
}
# fmt: on
WS_ROLES = ("anonymous", "unverified", "resident", "other_org", "owner_org", "team")


def test_every_websocket_route_has_an_expectation_per_role():
    from config.routing import websocket_urlpatterns

    assert {str(p.pattern) for p in websocket_urlpatterns} == set(WS_MATRIX)


@sync_to_async
def ws_world():
    from ideas import services as ideas_services
    from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UnverifiedUserFactory
    from tests.ideas.factories import make_idea, make_partner

    users = {
        "unverified": UnverifiedUserFactory(email="nouveau@example.org"),
        "resident": UserFactory(email="habitante@example.org"),
        "other_org": UserFactory(email="autre@example.org"),
        "owner_org": UserFactory(email="jardins@example.org"),
        "team": TeamUserFactory(email="equipe@paris.fr"),
    }
    owner_org = OrganizationFactory(name="Les Jardins Partagés du 11e")
    MembershipFactory(organization=owner_org, user=users["owner_org"])
    MembershipFactory(organization=OrganizationFactory(name="Autre association"), user=users["other_org"])
    idea = make_idea(users["owner_org"], organization=owner_org)
    partner, partner_member = make_partner()
    need = idea.needs.first()
    connection = ideas_services.propose_connection(partner_member, idea, partner=partner, need=need, message="Bonjour")
    cookies = {}
    for role, user in users.items():
        browser = Client()
        browser.force_login(user)
        cookies[role] = f"sessionid={browser.cookies['sessionid'].value}"
    paths = {
        "ws/volunteering/organizations/<int:organization_id>/": f"/ws/volunteering/organizations/{owner_org.pk}/",
        "ws/ideas/connections/<int:pk>/": f"/ws/ideas/connections/{connection.pk}/",
    }
    return cookies, paths


@pytest.mark.asyncio
async def test_websocket_permission_matrix():
    cookies, paths = await ws_world()
    outcomes = {}
    for route in WS_MATRIX:
        for role in WS_ROLES:
            headers = list(ORIGIN)
            if role != "anonymous":
                headers.append((b"cookie", cookies[role].encode()))
            communicator = WebsocketCommunicator(application, paths.get(route, "/" + route), headers=headers)
            connected, _code = await communicator.connect(timeout=5)
            outcomes[(route, role)] = connected
            await communicator.disconnect()

    expected = {(route, role): ok for route, row in WS_MATRIX.items() for role, ok in zip(WS_ROLES, row, strict=True)}
    wrong = {cell: got for cell, got in outcomes.items() if got != expected[cell]}
    assert not wrong, f"accepted (True) or refused (False) contrary to WS_MATRIX: {wrong}"
