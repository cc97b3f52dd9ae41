"""The WebSocket consumer of the shared domain: live notifications (core.notifications publishes to it)."""

from serving.consumers import BroadcastConsumer
from serving.realtime import user_group


class NotificationConsumer(BroadcastConsumer):
    """ws/notifications/: live notifications of the logged-in account."""

    async def get_groups(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return None
        return [user_group(user.pk)]
