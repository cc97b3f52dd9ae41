"""A test-only URLconf for tests/core/test_serving.py: views that say which thread served them, and a stream."""

import asyncio
import threading
import time

from asgiref.sync import async_to_sync
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import path
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

seen = []  # (view thread, middleware thread) of every request, filled by the view
events = []  # what happened, in order: ("view", thread), ("chunk", n), ("stream closed", None)...


@csrf_exempt  # a slow POST body is one of the tests; its CSRF refusal page needs the site's URLconf
def where(request):
    time.sleep(0.05)  # long enough for the requests to overlap
    seen.append((threading.current_thread().name, getattr(request, "middleware_thread", None)))
    return JsonResponse({"thread": threading.current_thread().name})


def slow(request):
    events.append(("view starts", threading.current_thread().name))
    time.sleep(0.4)
    events.append(("view ends", threading.current_thread().name))
    return JsonResponse({"thread": threading.current_thread().name})


def stream(request):
    def chunks():
        try:
            size = int(request.GET.get("size", "0"))
            for n in range(int(request.GET.get("n", "3"))):
                events.append(("chunk", n))
                if n == int(request.GET.get("fail_at", "-1")):
                    raise RuntimeError("the export failed")
                yield f"line {n}\n".encode() + b"." * size
        finally:
            events.append(("stream closed", None))

    return StreamingHttpResponse(chunks(), content_type="text/plain")


def loop(request):
    """Which event loop async_to_sync() runs a coroutine on, from a view (realtime.publish does so)."""

    async def running_loop():
        return id(asyncio.get_running_loop())

    return JsonResponse({"loop": async_to_sync(running_loop)()})


def stream_language(request):
    """A stream whose every chunk says the language active when it is produced (set by LocaleMiddleware)."""
    return StreamingHttpResponse((f"{translation.get_language()}\n" for _ in range(3)), content_type="text/plain")


class RecordThreadMiddleware:
    """Notes the thread the middleware chain runs in (installed by the test, outermost)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.middleware_thread = threading.current_thread().name
        return self.get_response(request)


class SlowMiddleware:
    """Makes every view slow (installed by the test): time for its client to leave before the response is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        time.sleep(0.3)
        return self.get_response(request)


urlpatterns = [
    path("where/", where),
    path("slow/", slow),
    path("stream/", stream),
    path("loop/", loop),
    path("stream-language/", stream_language),
]
