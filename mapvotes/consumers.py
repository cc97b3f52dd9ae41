from serving.consumers import BroadcastConsumer

from .broadcast import GROUP


class MapConsumer(BroadcastConsumer):
    """ws/map/: `proposal.votes` (coalesced) and `proposal.created` for everyone looking at the map.

    A reconnecting client gets true counts from the API (the viewport or the proposal's detail).
    """

    async def get_groups(self):
        return [GROUP]
