"""Django's ASGI handler, serving each request as the WSGI handler does: the whole middleware chain and the view in
one thread, taken from a fixed set of reused threads.

Django's own ASGI handler runs the middleware on the event loop; every middleware written the classic way
(`MiddlewareMixin`: security, sessions, locale, CSRF, auth, messages...) then hops to a thread and back for its
`process_request` and again for its `process_response`, and the view hops once more: some fifteen thread
round trips per request, each on a new thread (a `ThreadSensitiveContext` per request). Our views are all sync;
measured in-process on the vote endpoint, a vote cost 10.5 ms of CPU that way against 3.4 ms through the same
stack in one thread (bench/mapvotes_bench.py).

Here the request body is read on the event loop before a thread is taken (a slow upload costs none); then
request_started, `get_response` — the sync middleware chain and the view — and, unless the response streams,
request_finished run in one thread, in one round trip (Django's handler makes three: the signals hop too). Each
request borrows one of `HTTP_THREADS` single-thread executors (the thread is reused, as a WSGI server's pool would
be) and gives it back once answered — after its response is sent, as a WSGI server does, so a slow download holds
its thread (serve static files from a proxy or CDN in a large deployment); more requests than that wait on the
event loop. A client that leaves while its view runs does not hand a
busy thread to the next request: the thread is given back when the view is done. Django's guarantees hold: the sync
code of one request runs in one thread, one request at a time per thread. A synchronous streaming response (an
export, a file) is read in that thread a batch at a time as it is sent — Django's handler reads it whole into memory
first — and stops when the client leaves. WebSockets do not go through here (config/asgi.py routes them to Channels).

The request's thread is entered as asgiref's `sync_to_async(thread_sensitive=True)` would enter it (in a copy of the
request's context, with asgiref's note of the server's event loop, so that `async_to_sync` in a view runs on that
loop, where the channel layer keeps its connections), without the rest of its per-call machinery — choosing an
executor, wrapping, copying the context back: 4 % of a vote's instructions (callgrind, bench/mapvotes_bench.py).
What that takes from asgiref's internals is in serving/asgiref_contract.py, tested on every asgiref upgrade.

Fallback: SERVING_DJANGO_HANDLER=true (environment → settings) serves HTTP with Django's own ASGIHandler instead —
the same answers, slower (serving/asgiref_contract.py says what is lost). get_asgi_application also falls back by
itself, with an error in the log, when the asgiref installed no longer offers what this handler relies on.
"""

import asyncio
import contextlib
import contextvars
import logging
import weakref
from concurrent.futures import ThreadPoolExecutor

from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler
from django.core.handlers.asgi import get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse
from django.urls import set_script_prefix

from . import asgiref_contract, realtime

logger = logging.getLogger(__name__)


class ASGIHandler(DjangoASGIHandler):
    def __init__(self, threads: int):
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)  # the chain of the WSGI handler
        self.threads = max(1, threads)
        self._idle = weakref.WeakKeyDictionary()  # event loop → asyncio.Queue of idle executors

    def _idle_executors(self) -> asyncio.Queue:
        loop = asyncio.get_running_loop()
        idle = self._idle.get(loop)
        if idle is None:
            realtime.serving_on(loop)
            idle = self._idle[loop] = asyncio.Queue()
            for i in range(self.threads):
                idle.put_nowait(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{i}"))
        return idle

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)  # on the event loop: a slow upload takes no thread
        except RequestAborted:
            return
        idle = self._idle_executors()
        executor = await idle.get()
        context = contextvars.copy_context()  # the request's, in its thread, from the view to the last streamed byte
        view = None
        try:
            view = self._in_thread(executor, context, self._respond, scope, body_file)
            response = await asyncio.shield(view)  # a cancelled wait leaves the view to finish in its thread
            if response.streaming:
                await self._stream(response, receive, send, executor, context)
            else:
                await self.send_response(response, send)  # to a client that left: dropped by the server
        finally:
            while view is not None and not view.done():  # the wait was cancelled while the view ran: its thread is busy
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.shield(view)
            if view is not None and not view.cancelled() and view.exception() is None and view.result().streaming:
                # after its last chunk, or never sent (the client left, the iterator raised): request_finished
                await self._in_thread(executor, context, view.result().close)
            body_file.close()
            idle.put_nowait(executor)

    @staticmethod
    def _in_thread(executor, context, func, *args) -> asyncio.Future:
        """func(*args) in the request's thread and context."""
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(executor, asgiref_contract.enter, loop, context, func, args)

    def _respond(self, scope, body_file):
        """What the WSGI handler does, in the request's thread: request_started, the request, the middleware chain
        and the view. A response whose content is all there is closed here too (request_finished: the database
        connection goes back) before it is sent, which saves two thread round trips per request; a streaming one is
        closed by __call__."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        response._handler_class = self.__class__
        if not response.streaming:
            response.close()
        elif isinstance(response, FileResponse):  # as Django's: the ASGI server does the low-level chunking
            response.block_size = self.chunk_size
        return response

    async def _stream(self, response, receive, send, executor, context):
        """A streaming response as Django's handler sends it — stopped when the client leaves; __call__ closes it —
        except that a synchronous iterator (an export, a file) is read in the request's thread STREAM_BATCH bytes at a
        time as it is sent; Django's reads it all into memory first."""
        if not response.is_async:
            response.streaming_content = self._batches(response.streaming_content, executor, context)
        sending = asyncio.ensure_future(self.send_response(response, send))
        listening = asyncio.ensure_future(self.listen_for_disconnect(receive))
        try:
            await asyncio.wait([sending, listening], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sending, listening):
                task.cancel()
            outcomes = await asyncio.gather(sending, listening, return_exceptions=True)
        for outcome in outcomes:  # an error of the iterator reaches the server, as with Django's handler
            if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError | RequestAborted):
                raise outcome

    # Bytes per thread round trip (export.geojson of 100,000 proposals, 45 MB: 2.8-3.5 s; 4.4 s read whole).
    STREAM_BATCH = 256 * 1024

    async def _batches(self, parts, executor, context):
        while batch := await self._in_thread(executor, context, self._read_batch, parts):
            yield batch

    def _read_batch(self, parts) -> bytes:
        batch, size = [], 0
        for part in parts:
            batch.append(part)
            size += len(part)
            if size >= self.STREAM_BATCH:
                break
        return b"".join(batch)


class DjangoASGIHandlerNotingTheLoop(DjangoASGIHandler):
    """Django's own handler (SERVING_DJANGO_HANDLER=true), noting the server's event loop for serving.realtime as
    ours does (the in-memory channel layer of development and browser tests needs it)."""

    async def __call__(self, scope, receive, send):
        realtime.serving_on(asyncio.get_running_loop())
        return await super().__call__(scope, receive, send)


def get_asgi_application():
    """As django.core.asgi.get_asgi_application, with HTTP_THREADS request threads (settings); Django's own handler
    when settings.SERVING_DJANGO_HANDLER is true or when asgiref no longer offers what ours relies on."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    if getattr(settings, "SERVING_DJANGO_HANDLER", False):
        return DjangoASGIHandlerNotingTheLoop()
    problems = asgiref_contract.problems()
    if problems:
        logger.error(
            "Serving HTTP with Django's own ASGI handler (slower): %s. See serving/asgiref_contract.py.",
            "; ".join(problems),
        )
        return DjangoASGIHandlerNotingTheLoop()
    return ASGIHandler(threads=settings.HTTP_THREADS)
