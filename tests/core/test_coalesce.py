"""Follow-up work done once per key and window (serving/coalesce.py), and cache.add of many keys at once (serving/cache.py),
which the vote broadcasts (mapvotes/broadcast.py) rest on."""

import threading
import time

import pytest

from serving.cache import add_many, set_many
from serving.coalesce import Coalescer
from tests.polling import eventually


def _recorder():
    flushes, done = [], threading.Event()

    def flush(keys):
        flushes.append(sorted(keys))
        done.set()

    return flushes, done, flush


def test_a_key_added_again_while_it_waits_is_handled_once():
    flushes, done, flush = _recorder()
    coalescer = Coalescer("test-once", flush)

    assert coalescer.add("a", 0.2) is True
    assert coalescer.add("a", 0.2) is False  # folded into the waiting one
    assert coalescer.pending("a")
    assert done.wait(5)
    eventually(lambda: not coalescer.pending("a"), what="the key is no longer pending")
    assert flushes == [["a"]]


def test_keys_due_within_the_batch_are_handled_together_the_others_later():
    flushes, done, flush = _recorder()
    coalescer = Coalescer("test-batch", flush, batch=0.3)

    coalescer.add("now", 0.05)
    coalescer.add("soon", 0.2)  # due 0.15 s after the first: in its batch
    coalescer.add("later", 1.0)  # beyond the batch: a flush of its own
    eventually(lambda: len(flushes) >= 2, timeout=5, what="two flushes")
    assert flushes == [["now", "soon"], ["later"]]


def test_a_key_due_before_the_ones_waiting_is_handled_on_time_and_later_ones_are_not_early():
    """The thread sleeps until the first key is due; only a key due before that wakes it."""
    flushes, done, flush = _recorder()
    coalescer = Coalescer("test-wake", flush)

    coalescer.add("late", 3.0)
    time.sleep(0.1)  # the thread now sleeps until "late" is due
    started = time.monotonic()
    coalescer.add("early", 0.1)
    coalescer.add("middle", 0.6)  # due after "early": the thread is not woken for it
    assert done.wait(2)
    early_after = time.monotonic() - started
    eventually(lambda: len(flushes) >= 2, timeout=3, what="two flushes")
    middle_after = time.monotonic() - started

    assert flushes[:2] == [["early"], ["middle"]]
    assert early_after < 1.0 and 0.5 < middle_after < 2.0
    assert coalescer.pending("late")


def test_without_a_batch_each_key_goes_when_it_is_due():
    flushes, done, flush = _recorder()
    coalescer = Coalescer("test-no-batch", flush)

    coalescer.add("first", 0.05)
    coalescer.add("second", 0.4)
    eventually(lambda: len(flushes) >= 2, timeout=5, what="two flushes")
    assert flushes == [["first"], ["second"]]


def _gates_are_taken_once_until_they_expire():
    assert add_many(["gate:1", "gate:2"], timeout=0.5) == [True, True]
    assert add_many(["gate:2", "gate:3"], timeout=0.5) == [False, True]  # gate:2 is taken
    time.sleep(0.7)
    assert add_many(["gate:1", "gate:2", "gate:3"], timeout=0.5) == [True, True, True]  # expired
    set_many(["gate:3", "gate:4"], timeout=0.5)  # taken again, whoever held them
    assert add_many(["gate:3", "gate:4", "gate:5"], timeout=0.5) == [False, False, True]
    time.sleep(0.7)
    assert add_many(["gate:3", "gate:4"], timeout=0.5) == [True, True]


def test_add_many_on_redis_takes_each_key_once_until_it_expires(private_redis_cache):
    _gates_are_taken_once_until_they_expire()


def test_add_many_on_the_local_cache_says_the_same(settings):
    from django.core.cache import cache

    cache.clear()
    _gates_are_taken_once_until_they_expire()


def test_add_many_raises_when_redis_is_down_even_if_the_cache_ignores_errors(cache_down):
    with pytest.raises(Exception):  # noqa: B017, PT011 - the caller decides (the broadcasts then read the database)
        add_many(["gate:1"], timeout=0.5)
