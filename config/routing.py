from core.routing import websocket_urlpatterns as core_ws
from ideas.routing import websocket_urlpatterns as ideas_ws
from mapvotes.routing import websocket_urlpatterns as mapvotes_ws
from strategy.routing import websocket_urlpatterns as strategy_ws
from volunteering.routing import websocket_urlpatterns as volunteering_ws

websocket_urlpatterns = core_ws + mapvotes_ws + volunteering_ws + ideas_ws + strategy_ws
