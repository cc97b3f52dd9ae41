from django.urls import path

from . import consumers

websocket_urlpatterns = [path("ws/ideas/connections/<int:pk>/", consumers.ConnectionConsumer.as_asgi())]
