"""Live updates of the map over `ws/map/`, with vote broadcasts coalesced per proposal.

A popular proposal may get hundreds of votes a second; clients get at most one `proposal.votes` message
per proposal every `MAPVOTES_BROADCAST_INTERVAL` seconds (0.5 s by default): the first change is sent at
once (within the publisher's 50 ms batch), later ones within the window are folded into one trailing message carrying the counts read from
the database when it is sent. The gate is a cache key (shared between processes when Redis is the
cache); trailing sends are handled by one thread of the process that saw the change (core.coalesce: the counts of all
the proposals due are read in one query). A process that set the key itself, or has a trailing send waiting, folds
further changes without asking the cache (no round trip per vote); messages go out from a publisher thread of the
process (_Publisher), so that a vote never waits for the channel layer. Nothing here can fail a vote:
`core.realtime.publish` logs and swallows channel-layer errors.
"""

import asyncio
import logging
import os
import threading
import time

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core.coalesce import Coalescer
from core.realtime import apublish, apublish_many, publish

logger = logging.getLogger(__name__)

GROUP = "map"
_gate_held_until: dict[int, float] = {}  # this process set the gate key: no need to ask the cache before then
_lock = threading.Lock()


def interval() -> float:
    return float(getattr(settings, "MAPVOTES_BROADCAST_INTERVAL", 0.5))


class _Publisher:
    """A daemon thread with its own event loop, per process: vote messages are published from there, so that a vote
    never waits for the channel layer, and the layer's connections are kept from one message to the next. Messages
    that come within BATCH_WINDOW of each other go out as one `broadcast.many` event (one publish for the many
    proposals voted on at once; core.consumers.BroadcastConsumer sends each to its client as before)."""

    BATCH_WINDOW = 0.05  # seconds: at most this much later than alone

    def __init__(self):
        self._loop = None
        self._pid = None
        self._lock = threading.Lock()
        self._queue: list[dict] = []

    def _running_loop(self):
        if self._loop is None or self._pid != os.getpid():  # first use, or a forked worker
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="mapvotes-broadcast", daemon=True).start()
            self._loop, self._pid, self._queue = loop, os.getpid(), []
        return self._loop

    def send(self, message: dict) -> None:
        with self._lock:
            loop = self._running_loop()
            self._queue.append(message)
            first = len(self._queue) == 1
        if first:  # the others join the batch this one starts
            loop.call_soon_threadsafe(loop.call_later, self.BATCH_WINDOW, self._flush)

    def _flush(self) -> None:
        with self._lock:
            messages, self._queue = self._queue, []
        if len(messages) == 1:
            self._loop.create_task(apublish(GROUP, messages[0]))
        elif messages:
            self._loop.create_task(apublish_many(GROUP, messages))


_publisher = _Publisher()


def _send(message: dict) -> None:
    """Publish without waiting; the in-memory layer (one process: development, tests) is bound to the caller's loop."""
    if isinstance(get_channel_layer(), InMemoryChannelLayer):
        publish(GROUP, message)
    else:
        _publisher.send(message)


def votes_message(proposal_id, counts) -> dict:
    return {
        "type": "proposal.votes",
        "id": proposal_id,
        "votes_for": counts["votes_for"],
        "votes_against": counts["votes_against"],
    }


def votes_changed(proposal_id: int, counts: dict) -> None:
    """Called once the vote is committed (or inside the transaction: then after commit)."""
    transaction.on_commit(lambda: _coalesced_send(proposal_id, counts))


def _coalesced_send(proposal_id: int, counts: dict) -> None:
    window = interval()
    if window > 0 and _fold_locally(proposal_id):
        return
    try:
        first = cache.add(_gate_key(proposal_id), 1, timeout=max(window, 0.001))
    except Exception:  # noqa: BLE001 - a cache outage must not fail a vote: send without coalescing
        first = True
    if first or window <= 0:
        _held(proposal_id, window)
        _send(votes_message(proposal_id, counts))
        return
    _trailing.add(proposal_id, window)  # already waiting: it will carry the latest counts


def _fold_locally(proposal_id: int) -> bool:
    """Fold the change into a send this process already knows of, without a cache round trip: a trailing send is
    waiting (it reads the counts when it goes), or this process holds the gate and schedules one."""
    if _trailing.pending(proposal_id):
        return True
    with _lock:
        held_until = _gate_held_until.get(proposal_id, 0)
    if held_until <= time.monotonic():
        return False
    _trailing.add(proposal_id, held_until - time.monotonic())
    return True


def _held(proposal_id: int, window: float) -> None:
    with _lock:
        if len(_gate_held_until) > 10_000:  # forget the proposals whose window has passed
            now = time.monotonic()
            for key in [k for k, until in _gate_held_until.items() if until <= now]:
                del _gate_held_until[key]
        _gate_held_until[proposal_id] = time.monotonic() + window


def _gate_key(proposal_id: int) -> str:
    return f"mapvotes:votes-sent:{proposal_id}"


def _send_trailing(proposal_ids: list[int]) -> None:
    """The trailing messages of every proposal due, with the counts the database holds now."""
    from .models import Proposal

    rows = Proposal.objects.filter(pk__in=proposal_ids).values_list("pk", "votes_for", "votes_against")
    counts = {pk: {"votes_for": f, "votes_against": a} for pk, f, a in rows}
    if not counts:
        return
    window = interval()
    try:
        cache.set_many({_gate_key(pk): 1 for pk in counts}, timeout=window)
    except Exception:  # noqa: BLE001 - the messages still go; other processes may send one more
        logger.warning("Vote broadcast gates not set", exc_info=True)
    for pk, figures in counts.items():
        _held(pk, window)
        _send(votes_message(pk, figures))


_trailing = Coalescer("mapvotes-trailing-votes", _send_trailing)


def proposal_created(proposal_id: int) -> None:
    from .selectors import feature_of

    feature = feature_of(proposal_id)
    if feature is not None:
        publish(GROUP, {"type": "proposal.created", "feature": feature})
