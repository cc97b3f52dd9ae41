from django.urls import path

from .consumers import OrganizationApplicationsConsumer

websocket_urlpatterns = [
    path("ws/volunteering/organizations/<int:organization_id>/", OrganizationApplicationsConsumer.as_asgi()),
]
