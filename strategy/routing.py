from django.urls import path

from .consumers import FiguresConsumer, InboxConsumer

websocket_urlpatterns = [
    path("ws/strategy/inbox/", InboxConsumer.as_asgi()),
    path("ws/strategy/figures/", FiguresConsumer.as_asgi()),
]
