"""What serving/asgi.py takes from asgiref's internals (serving/asgiref_contract.py), and the fallback to Django's own
handler (SERVING_DJANGO_HANDLER). A failure here after an asgiref upgrade says what changed: update
serving/asgiref_contract.py to match, or serve with SERVING_DJANGO_HANDLER=true until then."""

import asyncio
import contextvars
import json
import logging
import os
import threading

import asgiref
from asgiref.sync import SyncToAsync, async_to_sync

from serving import asgi, asgiref_contract, realtime

from .test_serving import _get

UPGRADE = (
    f"asgiref {asgiref.__version__} no longer does what serving/asgi.py relies on "
    "(serving/asgiref_contract.py, point {point}): {what}. Update serving/asgiref_contract.py, or serve with "
    "SERVING_DJANGO_HANDLER=true meanwhile."
)


def _in_new_thread(func):
    """func() in a thread of its own (the thread state under test is per thread); its result."""
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", func()))
    thread.start()
    thread.join()
    return result["value"]


def _thread_state():
    return dict(vars(SyncToAsync.threadlocal))


def test_asgiref_still_has_the_thread_local_and_the_handler_serving_copies():
    assert asgiref_contract.problems() == [], UPGRADE.format(point="1-2", what=asgiref_contract.problems())


def test_the_thread_state_serving_writes_is_the_one_sync_to_async_writes():
    loop = asyncio.new_event_loop()
    try:
        task_context = []
        theirs = _in_new_thread(
            lambda: SyncToAsync(lambda: None).thread_handler(loop, (None, None, None), task_context, _thread_state)
        )
        ours = _in_new_thread(lambda: asgiref_contract.enter(loop, contextvars.copy_context(), _thread_state, ()))
    finally:
        loop.close()

    what = f"SyncToAsync.thread_handler writes {sorted(theirs)} in the thread, serving writes {sorted(ours)}"
    assert set(theirs) == set(ours) == set(asgiref_contract.THREAD_STATE), UPGRADE.format(point=2, what=what)
    assert theirs["main_event_loop"] is ours["main_event_loop"] is loop, UPGRADE.format(point=2, what=what)
    assert theirs["main_event_loop_pid"] == ours["main_event_loop_pid"] == os.getpid(), UPGRADE.format(
        point=2, what=what
    )
    assert theirs["task_context"] is task_context and ours["task_context"] == [], UPGRADE.format(point=2, what=what)


def test_async_to_sync_in_a_thread_serving_entered_runs_on_the_servers_loop():
    async def running_loop():
        return asyncio.get_running_loop()

    def view():
        return async_to_sync(running_loop)()

    async def serve():
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        seen = await loop.run_in_executor(None, asgiref_contract.enter, loop, context, view, ())
        return loop, seen

    server_loop, seen = asyncio.run(serve())

    what = "async_to_sync no longer runs its coroutine on the loop noted in the thread (it made a loop of its own)"
    assert seen is server_loop, UPGRADE.format(point=3, what=what)


# --- The fallback: Django's own handler -------------------------------------------------------------------------------


def test_by_default_our_handler_serves(settings):
    settings.SERVING_DJANGO_HANDLER = False
    settings.HTTP_THREADS = 3

    app = asgi.get_asgi_application()

    assert isinstance(app, asgi.ASGIHandler)
    assert app.threads == 3


def test_the_setting_falls_back_to_djangos_handler_which_serves_the_same(settings):
    settings.SERVING_DJANGO_HANDLER = True
    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    realtime.serving_on(None)

    app = asgi.get_asgi_application()

    assert not isinstance(app, asgi.ASGIHandler)

    async def serve():
        answer = await _get(app, "/loop/")
        return id(asyncio.get_running_loop()), answer

    server_loop, (status, headers, body) = asyncio.run(serve())

    assert status == 200
    assert json.loads(body) == {"loop": server_loop}  # async_to_sync in a view: on the server's loop, as with ours
    assert realtime._server_loop is not None  # noted for the in-memory channel layer, as ours does
    assert b"content-security-policy" in {name.lower() for name in headers}  # the whole middleware chain ran


def test_an_asgiref_that_breaks_the_contract_falls_back_to_djangos_handler_with_an_error(settings, monkeypatch):
    settings.SERVING_DJANGO_HANDLER = False
    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    original = SyncToAsync.thread_handler

    def thread_handler(self, loop, exc_info, task_context, func, *args, new_in_asgiref=None, **kwargs):
        """An asgiref whose thread handler changed its signature (Django's handler, public API, still works)."""
        return original(self, loop, exc_info, task_context, func, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "thread_handler", thread_handler)
    errors = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = lambda record: errors.append(record.getMessage())
    logger = logging.getLogger("serving.asgi")  # django.setup() reconfigures the root logger: caplog would miss it
    logger.addHandler(handler)
    try:
        app = asgi.get_asgi_application()
    finally:
        logger.removeHandler(handler)
    status, _headers, _body = asyncio.run(_get(app, "/where/"))

    assert not isinstance(app, asgi.ASGIHandler)
    assert status == 200
    assert len(errors) == 1
    assert "Django's own ASGI handler" in errors[0]
    assert "SyncToAsync.thread_handler takes" in errors[0]
    assert "new_in_asgiref" in errors[0]
