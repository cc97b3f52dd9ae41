from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .realtime import user_group


class BroadcastConsumer(AsyncJsonWebsocketConsumer):
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

    async def broadcast_many(self, event):  # core.realtime.apublish_many
        for message in event["messages"]:
            await self.send_json(message)


class NotificationConsumer(BroadcastConsumer):
    """ws/notifications/: live notifications of the logged-in account."""

    async def get_groups(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return None
        return [user_group(user.pk)]
