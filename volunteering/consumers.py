from channels.db import database_sync_to_async

from serving.consumers import BroadcastConsumer

from .services import org_group


class OrganizationApplicationsConsumer(BroadcastConsumer):
    """ws/volunteering/organizations/<id>/: new applications and status changes, for the organisation's members."""

    async def get_groups(self):
        user = self.scope.get("user")
        organization_id = self.scope["url_route"]["kwargs"]["organization_id"]
        if user is None or not user.is_authenticated or not await self._is_member(user, organization_id):
            return None
        return [org_group(organization_id)]

    @database_sync_to_async
    def _is_member(self, user, organization_id):
        return user.memberships.filter(organization_id=organization_id).exists()
