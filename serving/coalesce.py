"""Follow-up work coalesced per process: many requests say "this changed", one background thread acts once per key
and per window, in batches.

A vote must not pay for what can wait half a second: the trailing broadcast of a popular proposal's counts
(mapvotes/broadcast.py) and the copy of its support figure into the strategy inbox (core/contributions.py) were one
thread, one query and one connection per vote. Here `add(key, delay)` records the key (a key already waiting is
folded in: it will be handled once), and a daemon thread of the process calls `flush(keys)` with every key whose
delay has passed (and, with `batch`, the keys due within that many seconds after them), then gives its database
connections back; what is still waiting when the process exits is handled then (a management command that votes or
recounts and exits at once). `flush` reads the current state itself, so a folded change is never lost; it should
not raise (an error is logged and the keys are dropped: the support copy has a periodic repair, the broadcasts
retry by themselves).
"""

import atexit
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Hashable

from django.db import connections

logger = logging.getLogger(__name__)


class Coalescer:
    def __init__(self, name: str, flush: Callable[[list], None], batch: float = 0.0):
        """`batch`: when a key is due, the keys due within that many seconds after it are handled with it (fewer,
        larger flushes, each at most that much early)."""
        self.name = name
        self._flush = flush
        self.batch = batch
        self._due: dict[Hashable, float] = {}  # key → when to handle it (time.monotonic())
        self._condition = threading.Condition()
        self._wakes_at = math.inf  # when the thread wakes up next (it is told only of a key due before then)
        self._pid = None  # the process whose thread runs (a forked child starts its own)

    def add(self, key: Hashable, delay: float) -> bool:
        """Handle `key` in `delay` seconds; False if it was already waiting (folded into that one)."""
        with self._condition:
            if key in self._due:
                return False
            due = self._due[key] = time.monotonic() + max(delay, 0.0)
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._wakes_at = math.inf
                threading.Thread(target=self._run, name=self.name, daemon=True).start()
                atexit.register(self.flush_now)  # a command that exits within the delay still does its part
            if due < self._wakes_at:  # else the thread wakes up in time anyway: a vote does not wake it for nothing
                self._wakes_at = due
                self._condition.notify()
            return True

    def pending(self, key: Hashable) -> bool:
        with self._condition:
            return key in self._due

    def flush_now(self) -> None:
        """Handle every waiting key at once, in the calling thread (at exit)."""
        with self._condition:
            keys, self._due = list(self._due), {}
        if keys:
            self._handle(keys)

    def _take_due(self) -> list:
        with self._condition:
            while True:
                now = time.monotonic()
                first = min(self._due.values(), default=None)
                if first is not None and first <= now:
                    due = [key for key, when in self._due.items() if when <= now + self.batch]
                    for key in due:
                        del self._due[key]
                    self._wakes_at = -math.inf  # busy: it looks at every key when it is back, no need to wake it
                    return due
                self._wakes_at = math.inf if first is None else first
                self._condition.wait(None if first is None else first - now)

    def _run(self) -> None:
        while True:
            self._handle(self._take_due())

    def _handle(self, keys: list) -> None:
        try:
            self._flush(keys)
        except Exception:  # noqa: BLE001 - best effort, the thread must live on
            logger.warning("%s: %d change(s) not handled", self.name, len(keys), exc_info=True)
        finally:
            connections.close_all()  # this thread's connections go back to the pool
