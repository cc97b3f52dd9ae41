"""Django's ASGI handler, serving each request as the WSGI handler does: the whole middleware chain and the view in
one thread, taken from a fixed set of reused threads.

Django's own ASGI handler runs the middleware on the event loop; every middleware written the classic way
(`MiddlewareMixin`: security, sessions, locale, CSRF, auth, messages...) then hops to a thread and back for its
`process_request` and again for its `process_response`, and the view hops once more: some fifteen thread
round trips per request, each on a new thread (a `ThreadSensitiveContext` per request). Our views are all sync;
measured in-process on the vote endpoint, a vote cost 10.5 ms of CPU that way against 3.4 ms through the same
stack in one thread (bench/mapvotes_bench.py).

Here the request body is read on the event loop before a thread is taken (a slow upload costs none); then
`get_response` — the sync middleware chain and the view — runs in one thread. Each request borrows one of
`HTTP_THREADS` single-thread executors (asgiref's ThreadSensitiveContext with an executor: the thread is reused, as a
WSGI server's pool would be) and gives it back once answered — after its response is sent, as a WSGI server does, so
a slow download holds its thread (serve static files from a proxy or CDN in a large deployment); more requests than
that wait on the event loop. A client that leaves while its view runs does not hand a busy thread to the next
request: the thread is given back when the view is done. Django's guarantees hold: the sync code of one request runs
in one thread, one request at a time per thread. WebSockets do not go through here (config/asgi.py routes them to
Channels).
"""

import asyncio
import contextlib
import contextvars
import weakref
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import FileResponse

# This request's body, read before a thread is taken, and its view's task (see __call__).
_request = contextvars.ContextVar("participe_asgi_request")


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
            idle = self._idle[loop] = asyncio.Queue()
            for i in range(self.threads):
                idle.put_nowait(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{i}"))
        return idle

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await super().read_body(receive)  # on the event loop: a slow upload takes no thread
        except RequestAborted:
            return
        state = {"body": body_file, "view": None}
        token = _request.set(state)
        idle = self._idle_executors()
        executor = await idle.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            _request.reset(token)
            view = state["view"]
            if view is not None and not view.done():  # the client left while the view ran: its thread is busy
                with contextlib.suppress(BaseException):
                    await view
            idle.put_nowait(executor)

    async def read_body(self, receive):
        state = _request.get(None)
        if state is not None and state["body"] is not None:
            body_file, state["body"] = state["body"], None
            return body_file
        return await super().read_body(receive)

    async def run_get_response(self, request):
        view = asyncio.ensure_future(sync_to_async(self.get_response, thread_sensitive=True)(request))
        state = _request.get(None)
        if state is not None:
            state["view"] = view
        response = await asyncio.shield(view)  # a disconnect cancels the wait, not the view (its thread goes on)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):  # as Django's: the ASGI server does the low-level chunking
            response.block_size = self.chunk_size
        return response


def get_asgi_application():
    """As django.core.asgi.get_asgi_application, with HTTP_THREADS request threads (settings)."""
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    return ASGIHandler(threads=settings.HTTP_THREADS)
