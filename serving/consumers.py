import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from redis.exceptions import RedisError

from .parsers import JunkData, loads

logger = logging.getLogger(__name__)


class RefuseWhileLayerDown:
    """ASGI middleware around every WebSocket route: with the channel layer (Redis) unreachable, a consumer fails
    before it runs (Channels subscribes its channel first). The socket is then refused — a 403 handshake, or a 1011
    close once open — with one log line instead of a traceback and a 500; the pages reconnect with back-off."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        accepted = False

        async def tracking_send(message):
            nonlocal accepted
            accepted = accepted or message.get("type") == "websocket.accept"
            await send(message)

        try:
            return await self.app(scope, receive, tracking_send)
        except (RedisError, OSError) as exc:
            logger.warning("WebSocket %s refused: channel layer unavailable (%r)", scope.get("path"), exc)
            try:
                await send({"type": "websocket.close", "code": 1011})
            except Exception:  # noqa: BLE001 - the client is already gone
                logger.debug("WebSocket %s already closed", scope.get("path"))


# Close codes of RFC 6455 for what a client may send wrong.
UNSUPPORTED_DATA = 1003  # a binary (or empty) frame: our sockets speak JSON text
INVALID_PAYLOAD = 1007  # not JSON, nested too deeply, NUL or lone surrogates in a string
MESSAGE_TOO_BIG = 1009


class GuardedJsonConsumer(AsyncJsonWebsocketConsumer):
    """Every frame a client sends is checked before dispatch (size, text, JSON, depth and characters, with the rules
    of the API's parser: serving.parsers); junk closes the socket with the matching code and one log line, never an
    exception. Subclasses handle valid frames in receive_json(); every consumer of the project derives from this."""

    max_frame_chars = 16 * 1024  # our clients send nothing but small JSON objects

    async def websocket_receive(self, message):
        text = message.get("text")
        if text is None:
            await self.refuse(UNSUPPORTED_DATA, "a binary or empty frame")
        elif len(text) > self.max_frame_chars:
            await self.refuse(MESSAGE_TOO_BIG, f"a frame of {len(text)} characters")
        else:
            try:
                content = loads(text)
            except JunkData as exc:
                await self.refuse(INVALID_PAYLOAD, exc.reason)
            else:
                await self.receive_json(content)

    async def refuse(self, code: int, what: str) -> None:
        path = self.scope.get("path", "")
        logger.warning("WebSocket %s: closed (%s) on %s from the client", path, code, what)
        await self.close(code=code)


class BroadcastConsumer(GuardedJsonConsumer):
    """Joins fixed groups and forwards every broadcast as JSON. Subclasses choose the groups."""

    async def get_groups(self) -> list[str]:
        return []

    async def connect(self):
        self.joined = await self.get_groups()
        if self.joined is None:
            await self.close(code=4403)
            return
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.on_connected()

    async def on_connected(self):
        """Hook: send the initial state (e.g. true counts after a reconnection)."""

    async def disconnect(self, code):
        for group in getattr(self, "joined", None) or []:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def broadcast(self, event):
        await self.send_json(event["message"])

    async def broadcast_many(self, event):  # serving.realtime.apublish_many
        for message in event["messages"]:
            await self.send_json(message)
