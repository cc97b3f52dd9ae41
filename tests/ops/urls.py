"""The real URLs plus one test-only route, used ONLY by the server subprocesses of tests/ops.

`POST /ops-test/notify/` (logged in) calls core.notifications.notify for the current account, so that a test can
trigger a live notification through one worker and watch it arrive on a WebSocket connected to another worker.
The foundation has no public endpoint that notifies the caller, and this must never ship: it lives in tests/.
"""

from django.urls import path
from rest_framework import permissions
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from config.urls import *  # noqa: F403
from config.urls import urlpatterns as base_urlpatterns
from core.notifications import notify


@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def notify_me(request):
    """Session (with CSRF) or token authentication, like every API write."""
    notification = notify(request.user, "ops-test", request.data.get("title", "Test"), email=False)
    return Response({"id": notification.pk})


urlpatterns = [path("ops-test/notify/", notify_me), *base_urlpatterns]
