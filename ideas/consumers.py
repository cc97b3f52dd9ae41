from channels.db import database_sync_to_async

from serving.consumers import BroadcastConsumer

from .services import connection_group


class ConnectionConsumer(BroadcastConsumer):
    """ws/ideas/connections/<id>/: live messages of a conversation, for its two sides only."""

    async def get_groups(self):
        user = self.scope.get("user")
        connection_id = self.scope["url_route"]["kwargs"]["pk"]
        if user is None or not user.is_authenticated or not await self._may_view(user, connection_id):
            return None
        return [connection_group(connection_id)]

    @database_sync_to_async
    def _may_view(self, user, connection_id):
        from .models import Connection

        connection = Connection.objects.select_related("idea", "partner").filter(pk=connection_id).first()
        return connection is not None and user.has_perm("ideas.view_connection", connection)
