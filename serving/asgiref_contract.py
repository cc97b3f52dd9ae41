"""Everything serving/asgi.py takes from asgiref beyond its public API, in one place.

serving/asgi.py runs each request in a thread of its own pool, entered as asgiref's `sync_to_async` would enter it
but without the rest of that call's machinery (4 % of a vote's instructions: see its docstring). It relies on three
things asgiref does not document (checked against asgiref 3.13, pinned in requirements.txt):

1. `SyncToAsync.threadlocal` is the `threading.local` where the sync side of asgiref keeps its thread state.
2. In the thread, before running a function, `SyncToAsync.thread_handler(self, loop, exc_info, task_context, func,
   *args, **kwargs)` writes exactly THREAD_STATE there: the server's event loop, the process id (a forked child must
   not use its parent's loop) and the list to which `async_to_sync` adds the task it starts (for cancellation).
   `enter()` below writes the same.
3. `async_to_sync` called in such a thread (a view publishing to the channel layer) reads `main_event_loop` and
   `main_event_loop_pid` and runs its coroutine on that loop, where the channel layer keeps its connections.

tests/core/test_asgiref_contract.py checks all three, and fails saying which one an asgiref upgrade broke.
`problems()` checks what can be checked without running anything (1 and the signature of 2); at start-up
serving.asgi.get_asgi_application falls back to Django's own handler, with an error in the log, when it finds one.

The fallback by hand: SERVING_DJANGO_HANDLER=true (environment, read by config/settings.py) serves HTTP with Django's
own ASGIHandler, which uses asgiref's public API only. Everything answers the same; what is lost is speed — Django's
handler hops between the event loop and a new thread for each classic middleware, and reads a streaming response
whole before sending it (measured on the vote: 10.5 ms of CPU against 3.4 ms, bench/mapvotes_bench.py) — and
HTTP_THREADS no longer caps the request threads (DB_POOL_MAX still caps their database connections).
"""

import inspect
import os
import threading

import asgiref
from asgiref.sync import SyncToAsync

THREAD_STATE = ("main_event_loop", "main_event_loop_pid", "task_context")
THREAD_HANDLER_PARAMETERS = ("self", "loop", "exc_info", "task_context", "func", "args", "kwargs")


def enter(loop, context, func, args):
    """func(*args) in `context`, the calling thread noted as serving `loop` as SyncToAsync.thread_handler notes it."""
    state = SyncToAsync.threadlocal
    state.main_event_loop = loop
    state.main_event_loop_pid = os.getpid()
    state.task_context = []
    return context.run(func, *args)


def problems() -> list[str]:
    """What no longer holds of points 1 and 2 in this asgiref (empty: all of it holds)."""
    found = []
    version = getattr(asgiref, "__version__", "?")
    if not isinstance(getattr(SyncToAsync, "threadlocal", None), threading.local):
        found.append(f"asgiref {version}: SyncToAsync.threadlocal is no longer a threading.local")
    handler = getattr(SyncToAsync, "thread_handler", None)
    if handler is None:
        found.append(f"asgiref {version}: SyncToAsync.thread_handler is gone")
    else:
        parameters = tuple(inspect.signature(handler).parameters)
        if parameters != THREAD_HANDLER_PARAMETERS:
            found.append(
                f"asgiref {version}: SyncToAsync.thread_handler takes {parameters}, "
                f"serving/asgiref_contract.py was written for {THREAD_HANDLER_PARAMETERS}"
            )
    return found
