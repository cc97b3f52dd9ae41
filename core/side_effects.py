"""Side effects never decide the fate of the action that causes them.

A notification, an e-mail, a live broadcast or a strategy-inbox copy follows an application, a message, a vote or a
periodic job; if it fails, the action still succeeds and the failure is logged (logger `core.side_effects`). Two
tools, used by every space:

    with side_effect("notify volunteer of application %s", application.pk):
        ...  # runs in a savepoint: a database error rolls back this block only

    after_commit(send, "e-mail to %s", user.pk)  # runs once the action has committed; an error is logged

`each()` is the same rule for periodic jobs: every item is processed in its own transaction, and one item that
fails (logged) does not stop the others.
"""

import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import transaction

logger = logging.getLogger(__name__)


@contextmanager
def side_effect(what: str, *args):
    """Run the block in a savepoint; any exception is logged with `what % args`, never raised."""
    try:
        with transaction.atomic():
            yield
    except Exception:  # noqa: BLE001 - a side effect must not fail the action; the log says what was lost
        logger.exception("Side effect failed: " + what, *args)


def run_safely(function: Callable, what: str, *args):
    """Call `function()` as a side effect; return its result, or None when it failed (logged)."""
    result = None
    with side_effect(what, *args):
        result = function()
    return result


def after_commit(function: Callable, what: str, *args) -> None:
    """Call `function()` once the surrounding transaction commits (at once outside one); failures are logged."""

    def run():
        try:
            function()
        except Exception:  # noqa: BLE001 - the action has committed; losing its side effect is logged
            logger.exception("Side effect failed after commit: " + what, *args)

    transaction.on_commit(run)


def each(items: Iterable, function: Callable, what: str) -> tuple[int, int]:
    """Periodic jobs: `function(item)` for every item, each in its own transaction; return (done, failed).

    An item that fails is rolled back alone and logged, and the job goes on with the next one."""
    done = failed = 0
    for item in items:
        try:
            with transaction.atomic():
                function(item)
            done += 1
        except Exception:  # noqa: BLE001 - one broken item must not stop the job for every other
            failed += 1
            logger.exception("%s failed for %r", what, item)
    return done, failed
