"""Two uvicorn workers (separate processes, different ports) on the test database, sharing one Redis.

The session of a user logged in on worker A is valid on worker B (cached_db sessions: the DB is the truth,
Redis the cache), and an event published through worker A reaches a WebSocket client connected to worker B
(Redis channel layer). The trigger is the test-only route of tests/ops/urls.py, which calls
core.notifications.notify for the logged-in account.
"""

import asyncio
import json

import pytest
import requests
import websockets
import websockets.exceptions  # not always loaded by `import websockets` (lazy submodules)
from django.conf import settings

from tests.factories import UserFactory

from .servers import Redis, Uvicorn, login, server_env

PASSWORD = "motdepasse-solide-42"


@pytest.fixture(scope="module")
def redis_server():
    server = Redis().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def workers(django_db_setup, redis_server):
    """Started once per module (Django start-up is slow); tests commit their data with transactional_db."""
    database = settings.DATABASES["default"]
    url = f"postgis://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = server_env(url, redis_server.url)
    workers = [Uvicorn(env).spawn(), Uvicorn(env).spawn()]  # start both at once: Django start-up is slow
    try:
        for worker in workers:
            worker.wait_ready()
        yield workers
    finally:
        for worker in workers:
            worker.stop()


@pytest.fixture
def two_workers(workers, transactional_db, reference_data):
    return workers


def test_session_opened_on_one_worker_is_valid_on_the_other(two_workers):
    a, b = two_workers
    user = UserFactory(email="camille@example.org")
    session = requests.Session()
    login(session, a.url, user.email, PASSWORD)

    me_on_b = session.get(f"{b.url}/api/v1/me/", timeout=30)

    assert me_on_b.status_code == 200, me_on_b.text
    assert me_on_b.json()["email"] == "camille@example.org"
    anonymous_on_b = requests.get(f"{b.url}/api/v1/me/", timeout=30)
    assert anonymous_on_b.status_code in (401, 403)


def test_event_published_through_one_worker_reaches_a_websocket_on_the_other(two_workers):
    a, b = two_workers
    user = UserFactory(email="dominique@example.org")
    session = requests.Session()
    login(session, a.url, user.email, PASSWORD)
    cookie = f"sessionid={session.cookies['sessionid']}"
    ws_url = b.url.replace("http://", "ws://") + "/ws/notifications/"

    async def scenario():
        async with websockets.connect(ws_url, additional_headers={"Cookie": cookie, "Origin": b.url}) as ws:
            # The consumer has joined its group once the handshake is accepted; trigger through worker A.
            response = await asyncio.to_thread(
                session.post,
                f"{a.url}/ops-test/notify/",
                data={"title": "Votre vote est compté"},
                headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{a.url}/"},
                timeout=30,
            )
            assert response.status_code == 200, response.text
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
            return response.json(), message

    created, message = asyncio.run(scenario())

    assert message["type"] == "notification"
    assert message["id"] == created["id"]
    assert message["title"] == "Votre vote est compté"


def test_websocket_of_an_anonymous_visitor_is_refused_on_any_worker(two_workers):
    _, b = two_workers
    ws_url = b.url.replace("http://", "ws://") + "/ws/notifications/"

    async def scenario():
        with pytest.raises(websockets.exceptions.WebSocketException):
            async with websockets.connect(ws_url, additional_headers={"Origin": b.url}) as ws:
                await asyncio.wait_for(ws.recv(), timeout=5)

    asyncio.run(scenario())


def test_vote_through_one_worker_reaches_the_map_websocket_on_the_other(two_workers):
    """A real vote (PUT …/vote/ with a token) on worker A arrives on worker B's ws/map/ as `proposal.votes`."""
    from rest_framework.authtoken.models import Token

    from tests.mapvotes.factories import ProposalFactory

    a, b = two_workers
    voters = [UserFactory(email=f"votant{n}@example.org") for n in range(3)]
    tokens = [Token.objects.create(user=voter).key for voter in voters]
    proposal = ProposalFactory(title="Piste cyclable rue de Rivoli")
    ws_url = b.url.replace("http://", "ws://") + "/ws/map/"

    async def scenario():
        async with websockets.connect(ws_url, additional_headers={"Origin": b.url}) as ws:
            answers = []
            for token, value in zip(tokens, ["for", "for", "against"], strict=True):
                answers.append(
                    await asyncio.to_thread(
                        requests.put,
                        f"{a.url}/api/v1/map/proposals/{proposal.pk}/vote/",
                        json={"value": value},
                        headers={"Authorization": f"Token {token}"},
                        timeout=30,
                    )
                )
            # Coalescing: the first change goes out at once, the others in a trailing message about 0.5 s later.
            latest = None
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 20
            while loop.time() < deadline:
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=deadline - loop.time()))
                except TimeoutError:
                    break
                if message.get("type") == "proposal.votes" and message["id"] == proposal.pk:
                    latest = message
                    if (latest["votes_for"], latest["votes_against"]) == (2, 1):
                        break
            return answers, latest

    answers, latest = asyncio.run(scenario())

    assert [r.status_code for r in answers] == [200, 200, 200], [r.text for r in answers]
    assert answers[-1].json() == {"votes_for": 2, "votes_against": 1, "my_vote": "against"}
    assert latest == {"type": "proposal.votes", "id": proposal.pk, "votes_for": 2, "votes_against": 1}


def test_map_client_reconnecting_to_another_worker_gets_the_true_counts(two_workers):
    """Votes through A while the client is away from B; on reconnection it re-fetches (vote.mjs) and resumes live."""
    from rest_framework.authtoken.models import Token

    from tests.mapvotes.factories import ProposalFactory

    a, b = two_workers
    tokens = [Token.objects.create(user=UserFactory(email=f"absente{n}@example.org")).key for n in range(3)]
    proposal = ProposalFactory(title="Des bancs place de la République")
    vote_url = f"{a.url}/api/v1/map/proposals/{proposal.pk}/vote/"

    def vote(token, value):
        response = requests.put(
            vote_url, json={"value": value}, headers={"Authorization": f"Token {token}"}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def next_votes(ws, expected, timeout=20):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        message = None
        while loop.time() < deadline:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=deadline - loop.time()))
            counts = (message.get("votes_for"), message.get("votes_against"))
            if message.get("type") == "proposal.votes" and message["id"] == proposal.pk and counts == expected:
                return message
        return message

    async def scenario():
        ws_url = b.url.replace("http://", "ws://") + "/ws/map/"
        async with websockets.connect(ws_url, additional_headers={"Origin": b.url}) as ws:
            await asyncio.to_thread(vote, tokens[0], "for")
            first = await next_votes(ws, (1, 0))
        # Away: two more votes through worker A.
        await asyncio.to_thread(vote, tokens[1], "against")
        await asyncio.to_thread(vote, tokens[2], "against")
        await asyncio.sleep(1.5)  # let the coalesced trailing message go out to nobody
        async with websockets.connect(ws_url, additional_headers={"Origin": b.url}) as ws:
            refetched = await asyncio.to_thread(
                requests.get, f"{b.url}/api/v1/map/proposals/{proposal.pk}/", timeout=30
            )
            await asyncio.to_thread(vote, tokens[0], "against")
            live = await next_votes(ws, (0, 3))
        return first, refetched.json()["properties"], live

    first, refetched, live = asyncio.run(scenario())

    assert (first["votes_for"], first["votes_against"]) == (1, 0)
    assert (refetched["votes_for"], refetched["votes_against"]) == (1, 2)
    assert live == {"type": "proposal.votes", "id": proposal.pk, "votes_for": 0, "votes_against": 3}
