"""A test-only URLconf for tests/core/test_serving.py: a view that says which thread served it."""

import threading
import time

from django.http import JsonResponse
from django.urls import path

seen = []  # (view thread, middleware thread) of every request, filled by the view


def where(request):
    time.sleep(0.05)  # long enough for the requests to overlap
    seen.append((threading.current_thread().name, getattr(request, "middleware_thread", None)))
    return JsonResponse({"thread": threading.current_thread().name})


class RecordThreadMiddleware:
    """Notes the thread the middleware chain runs in (installed by the test, outermost)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.middleware_thread = threading.current_thread().name
        return self.get_response(request)


urlpatterns = [path("where/", where)]
