"""Live updates of the map over `ws/map/`, with vote broadcasts coalesced per proposal.

A popular proposal may get hundreds of votes a second; clients get at most one `proposal.votes` message
per proposal every `MAPVOTES_BROADCAST_INTERVAL` seconds (0.5 s by default): the first change is sent at
once (within FIRST_DELAY), later ones within the window are folded into one trailing message carrying the counts
read from the database when it is sent. The gate is a cache key per proposal (shared between processes when Redis
is the cache; while the cache is down, changes are coalesced within each process only). A vote itself only notes the
change: threads of the process (serving.coalesce) take the gates of every proposal changed within a few tens of
milliseconds in one cache round trip, send the first messages, and later the trailing ones (their counts read in one
query). A process that holds a proposal's gate, or has a send of it waiting, folds further changes without asking
the cache; messages go out from a publisher thread of the process (_Publisher), so that a vote never waits for the
cache or the channel layer. Nothing here can fail a vote: `serving.realtime` logs and swallows channel-layer errors, and
a cache or database error delays a message, never a vote.
"""

import asyncio
import logging
import os
import threading
import time

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import DatabaseError, transaction

from serving.cache import add_many, set_many
from serving.coalesce import Coalescer
from serving.realtime import apublish, apublish_many, publish

logger = logging.getLogger(__name__)

GROUP = "map"
FIRST_DELAY = 0.025  # seconds: a first message waits this much at most, so that it joins the others of that time
_gate_held_until: dict[int, float] = {}  # this process set the gate key: no need to ask the cache before then
_first_counts: dict[int, dict | None] = {}  # the counts of a first send; None: changed again, read the database
_lock = threading.Lock()


def interval() -> float:
    return float(getattr(settings, "MAPVOTES_BROADCAST_INTERVAL", 0.5))


class _Publisher:
    """A daemon thread with its own event loop, per process: vote messages are published from there, so that a vote
    never waits for the channel layer, and the layer's connections are kept from one message to the next. The
    messages of one batch go out as one `broadcast.many` event (serving.consumers.BroadcastConsumer sends each to its
    client as before)."""

    def __init__(self):
        self._loop = None
        self._pid = None
        self._lock = threading.Lock()

    def _running_loop(self):
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # first use, or a forked worker
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="mapvotes-broadcast", daemon=True).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def publish(self, messages: list[dict]) -> None:
        loop = self._running_loop()
        send = apublish(GROUP, messages[0]) if len(messages) == 1 else apublish_many(GROUP, messages)
        asyncio.run_coroutine_threadsafe(send, loop)


_publisher = _Publisher()


def _send(messages: list[dict]) -> None:
    """Publish without waiting; the in-memory layer (one process: development, tests) is bound to the caller's loop."""
    if not messages:
        return
    if isinstance(get_channel_layer(), InMemoryChannelLayer):
        for message in messages:
            publish(GROUP, message)
    else:
        _publisher.publish(messages)


def votes_message(proposal_id, counts) -> dict:
    return {
        "type": "proposal.votes",
        "id": proposal_id,
        "votes_for": counts["votes_for"],
        "votes_against": counts["votes_against"],
    }


def votes_changed(proposal_id: int, counts: dict) -> None:
    """Called once the vote is committed (or inside the transaction: then after commit)."""
    transaction.on_commit(lambda: _changed(proposal_id, counts))


def _changed(proposal_id: int, counts: dict) -> None:
    if interval() <= 0:  # no coalescing
        _send([votes_message(proposal_id, counts)])
        return
    if _fold_locally(proposal_id):
        return
    with _lock:  # a second change before the first send: that send reads the counts from the database
        _first_counts[proposal_id] = None if proposal_id in _first_counts else counts
    _first.add(proposal_id, FIRST_DELAY)


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


def _held(proposal_ids, window: float) -> None:
    with _lock:
        now = time.monotonic()
        if len(_gate_held_until) > 10_000:  # forget the proposals whose window has passed
            for key in [k for k, until in _gate_held_until.items() if until <= now]:
                del _gate_held_until[key]
        for proposal_id in proposal_ids:
            _gate_held_until[proposal_id] = now + window


def _gate_key(proposal_id: int) -> str:
    return f"mapvotes:votes-sent:{proposal_id}"


def _counts_from_database(proposal_ids, window: float) -> dict[int, dict]:
    """The counts the database holds now; after a database error, none now and another try when the window ends."""
    from .selectors import vote_counts

    if not proposal_ids:
        return {}
    try:
        return vote_counts(proposal_ids)
    except DatabaseError:
        logger.warning("Vote counts not read for their broadcast; another try in %.1f s", window, exc_info=True)
        _send_later(proposal_ids, window)
        return {}


def _send_later(proposal_ids, window: float) -> None:
    """A trailing message for each, when the window ends (with the counts of that time)."""
    for pk in proposal_ids:
        _trailing.add(pk, window)


def _send_counts(counts: dict[int, dict]) -> None:
    _send([votes_message(pk, figures) for pk, figures in counts.items()])


def _send_first(proposal_ids: list[int]) -> None:
    """The first message of every proposal changed lately whose gate no other process holds (one cache round trip);
    the others get a trailing send. Counts noted by the vote were committed before the gate was taken, so a later
    vote finds it taken and is sent after."""
    window = interval()
    with _lock:
        known = {pk: _first_counts.pop(pk, None) for pk in proposal_ids}
    try:
        taken = add_many([_gate_key(pk) for pk in proposal_ids], timeout=window)
    except Exception as exc:  # noqa: BLE001 - a cache outage must not stop the broadcasts
        # No gate shared with the other processes, whose messages may then arrive in any order: the counts read from
        # the database, now and once more when the window ends.
        logger.warning("Vote broadcast gates unavailable (%r): coalescing within this process only", exc)
        taken, known = [True] * len(proposal_ids), {}
        _send_later(proposal_ids, window)
    first = [pk for pk, mine in zip(proposal_ids, taken, strict=True) if mine]
    _send_later(set(proposal_ids) - set(first), window)  # another process sent one lately
    _held(first, window)
    counts = {pk: known[pk] for pk in first if known.get(pk) is not None}
    counts.update(_counts_from_database([pk for pk in first if known.get(pk) is None], window))
    _send_counts(counts)


def _send_trailing(proposal_ids: list[int]) -> None:
    """The trailing messages of every proposal due, with the counts the database holds once the gates are taken (a
    vote committed after the read finds them taken: it is sent when the window ends)."""
    window = interval()
    _held(proposal_ids, window)
    try:
        set_many([_gate_key(pk) for pk in proposal_ids], timeout=window)
    except Exception as exc:  # noqa: BLE001 - the messages still go; other processes may send one more
        logger.warning("Vote broadcast gates not set (%r)", exc)
    _send_counts(_counts_from_database(proposal_ids, window))


_first = Coalescer("mapvotes-first-votes", _send_first, batch=FIRST_DELAY)
_trailing = Coalescer("mapvotes-trailing-votes", _send_trailing, batch=FIRST_DELAY)


def proposal_created(proposal_id: int) -> None:
    from .selectors import feature_of

    feature = feature_of(proposal_id)
    if feature is not None:
        publish(GROUP, {"type": "proposal.created", "feature": feature})
