from channels.db import database_sync_to_async

from serving.consumers import BroadcastConsumer

from .services import INBOX_GROUP, PUBLIC_GROUP


class InboxConsumer(BroadcastConsumer):
    """ws/strategy/inbox/: new and updated contributions, live, for the mission team only."""

    async def get_groups(self):
        user = self.scope.get("user")
        if user is None or not await database_sync_to_async(user.has_perm)("strategy.view_inbox"):
            return None
        return [INBOX_GROUP]


class FiguresConsumer(BroadcastConsumer):
    """ws/strategy/figures/: anonymous change events (source, arrondissement) for the public dashboard."""

    async def get_groups(self):
        return [PUBLIC_GROUP]
