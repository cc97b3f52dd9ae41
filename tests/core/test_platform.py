import asyncio

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.test import override_settings

from config.asgi import application
from core.models import Notification
from core.notifications import notify
from serving import realtime

pytestmark = pytest.mark.django_db


def test_themes_endpoint_lists_the_strategy_themes(api_client):
    themes = api_client.get("/api/v1/themes/").json()
    slugs = [t["slug"] for t in themes]
    for slug in [
        "donnees",
        "participation",
        "mobilite",
        "architecture-urbanisme",
        "energie",
        "numerique",
        "vegetalisation",
    ]:
        assert slug in slugs
    assert {"slug": "mobilite", "name": "Mobilité"}.items() <= next(
        t for t in themes if t["slug"] == "mobilite"
    ).items()


def test_districts_endpoint_is_a_geojson_feature_collection(api_client):
    data = api_client.get("/api/v1/districts/").json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 20
    props = sorted((f["properties"]["number"], f["properties"]["insee"]) for f in data["features"])
    assert props[0] == (1, "75101") and props[-1] == (20, "75120")
    assert data["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_simplified_districts_keep_every_arrondissement_with_fewer_vertices(api_client):
    def vertices(collection):
        return sum(
            len(ring) for f in collection["features"] for polygon in f["geometry"]["coordinates"] for ring in polygon
        )

    full = api_client.get("/api/v1/districts/").json()
    simple = api_client.get("/api/v1/districts/?simplified=1").json()
    assert [f["properties"] for f in simple["features"]] == [f["properties"] for f in full["features"]]
    assert {f["geometry"]["type"] for f in simple["features"]} == {"MultiPolygon"}
    assert vertices(simple) <= vertices(full)


def test_healthz_reports_database_and_channel_layer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["channel_layer"] == "ok"


def test_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable."}


def test_openapi_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_pagination_rejects_bad_page_size(api_client, resident):
    from tests.conftest import client_for

    response = client_for(resident).get("/api/v1/notifications/?page_size=abc")
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


REDIS_LAYERS = ["channels_redis.pubsub.RedisPubSubChannelLayer", "channels_redis.core.RedisChannelLayer"]


@pytest.mark.parametrize("backend", REDIS_LAYERS, ids=["pubsub", "core"])
def test_publish_never_raises_when_the_channel_layer_is_down(backend):
    with override_settings(
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": backend,
                "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
            }
        }
    ):
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        assert realtime.publish("map", {"type": "test"}) is False
    channel_layers.backends.clear()


def test_notify_stores_sends_email_through_the_task_queue_and_in_recipient_language(
    django_capture_on_commit_callbacks, resident
):
    resident.preferred_language = "en"
    resident.save()
    from django.utils.translation import gettext_lazy as _

    with django_capture_on_commit_callbacks(execute=True):
        notify(resident, "test", _("Your profile has been saved."), url="/comptes/profil/")
    assert Notification.objects.get(recipient=resident).title == "Your profile has been saved."
    assert mail.outbox[-1].to == [resident.email]
    assert "Your profile has been saved." in mail.outbox[-1].subject


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_notifications_websocket_refuses_anonymous_and_delivers_to_the_user(resident_async):
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, code = await communicator.connect()
    assert not connected
    await communicator.disconnect()

    from channels.auth import AuthMiddlewareStack  # noqa: F401

    from core.consumers import NotificationConsumer

    app = NotificationConsumer.as_asgi()
    communicator = WebsocketCommunicator(app, "/ws/notifications/")
    communicator.scope["user"] = resident_async
    connected, _ = await communicator.connect()
    assert connected
    await get_channel_layer().group_send(
        realtime.user_group(resident_async.pk),
        {"type": "broadcast", "message": {"type": "notification", "title": "Salut"}},
    )
    assert await communicator.receive_json_from(timeout=3) == {"type": "notification", "title": "Salut"}
    await communicator.disconnect()


@pytest.fixture
def resident_async(transactional_db):
    from tests.factories import UserFactory

    return UserFactory(email="ws@example.org")


@pytest.mark.asyncio
@pytest.mark.redis
@pytest.mark.parametrize("backend", REDIS_LAYERS, ids=["pubsub", "core"])
async def test_publish_reaches_a_consumer_through_redis(settings, backend):
    """Same delivery through the Redis channel layer (the one several workers share)."""
    import os

    from channels.layers import channel_layers

    redis_url = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": backend, "CONFIG": {"hosts": [redis_url]}}}
    channel_layers.backends.clear()
    try:
        layer = get_channel_layer()
        assert type(layer).__name__ == backend.rsplit(".", 1)[1]
        channel = await layer.new_channel()
        await layer.group_add(realtime.user_group(424242), channel)
        assert await realtime.apublish(realtime.user_group(424242), {"type": "notification", "title": "Par Redis"})
        event = await asyncio.wait_for(layer.receive(channel), 5)
        assert event == {"type": "broadcast", "message": {"type": "notification", "title": "Par Redis"}}
    finally:
        channel_layers.backends.clear()
