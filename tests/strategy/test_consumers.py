"""ws/strategy/inbox/ is for the mission team only; ws/strategy/figures/ carries counts to anyone."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from serving.realtime import apublish
from strategy.consumers import FiguresConsumer, InboxConsumer
from strategy.services import INBOX_GROUP
from tests.factories import TeamUserFactory, UserFactory


async def _connect(consumer, path, user):
    communicator = WebsocketCommunicator(consumer.as_asgi(), path)
    communicator.scope["user"] = user
    connected, code = await communicator.connect(timeout=20)  # the CI machine is slow
    return communicator, connected, code


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_inbox_socket_refuses_residents_and_anonymous(reference_data):
    from asgiref.sync import sync_to_async

    resident = await sync_to_async(UserFactory)()
    for user in (resident, AnonymousUser()):
        communicator, connected, code = await _connect(InboxConsumer, "/ws/strategy/inbox/", user)
        assert not connected and code == 4403
        await communicator.disconnect(timeout=20)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_inbox_socket_forwards_new_contributions_to_the_team(reference_data):
    from asgiref.sync import sync_to_async

    team = await sync_to_async(TeamUserFactory)()
    communicator, connected, _ = await _connect(InboxConsumer, "/ws/strategy/inbox/", team)
    assert connected
    await apublish(INBOX_GROUP, {"type": "contribution.created", "id": 1, "title": "Arceaux"})
    assert (await communicator.receive_json_from(timeout=20))["title"] == "Arceaux"
    await communicator.disconnect(timeout=20)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_figures_socket_is_public(reference_data):
    communicator, connected, _ = await _connect(FiguresConsumer, "/ws/strategy/figures/", AnonymousUser())
    assert connected
    await communicator.disconnect(timeout=20)
