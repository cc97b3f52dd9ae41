"""Publish events to Channels groups. Never fails the caller: a down channel layer is logged, not raised."""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_server_loop = None  # the event loop of this process's ASGI server (serving_on)


def serving_on(loop) -> None:
    """Called by the ASGI handler (serving/asgi.py) with its event loop. The in-memory channel layer (one process:
    development, browser tests) keeps its queues on that loop: a message published from a background thread (the vote
    broadcasts) must be sent from there, or the consumers waiting on it would not wake up."""
    global _server_loop
    _server_loop = loop


def user_group(user_id) -> str:
    return f"user-{user_id}"


async def _agroup_send(group: str, event: dict, what: str) -> bool:
    try:
        layer = get_channel_layer()
        if layer is None:
            return False
        await layer.group_send(group, event)
        return True
    except (RedisError, OSError) as exc:  # Redis down: expected, one line (the write already succeeded)
        logger.warning("Channel layer unavailable; %s to %s dropped (%r)", what, group, exc)
        return False
    except Exception:  # noqa: BLE001 - realtime is best effort; the write already succeeded
        logger.warning("Channel layer unavailable; %s to %s dropped", what, group, exc_info=True)
        return False


async def apublish(group: str, message: dict) -> bool:
    """Send `message` (a JSON-able dict with a "type") to every consumer of `group`."""
    return await _agroup_send(group, {"type": "broadcast", "message": message}, "live update")


async def apublish_many(group: str, messages: list[dict]) -> bool:
    """Several messages to every consumer of `group` in one channel-layer event; consumers send them in order."""
    event = {"type": "broadcast.many", "messages": messages}
    return await _agroup_send(group, event, f"{len(messages)} live updates")


def publish(group: str, message: dict) -> bool:
    loop = _server_loop
    if loop is not None and loop.is_running() and isinstance(get_channel_layer(), InMemoryChannelLayer):
        asyncio.run_coroutine_threadsafe(apublish(group, message), loop)
        return True
    try:
        return async_to_sync(apublish)(group, message)
    except Exception:  # noqa: BLE001 - e.g. called from a running event loop
        logger.warning("Could not publish to %s", group, exc_info=True)
        return False


def publish_on_commit(group: str, message: dict) -> None:
    """Publish once the surrounding transaction has committed (immediately outside a transaction)."""
    transaction.on_commit(lambda: publish(group, message))


def channel_layer_status() -> str:
    try:
        layer = get_channel_layer()
        if layer is None:
            return "unavailable"
        async_to_sync(layer.group_send)("healthz", {"type": "broadcast", "message": {}})
        return "ok"
    except Exception:  # noqa: BLE001
        return "unavailable"
