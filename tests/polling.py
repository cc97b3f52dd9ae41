"""Waiting for something that happens in another thread, process or browser: poll under a deadline, never a fixed
sleep followed by an assert (too short on a busy machine, too long everywhere else)."""

import time


def eventually(condition, timeout: float = 10.0, interval: float = 0.02, what: str = "", ignoring=()):
    """Call `condition()` until it returns a true value, which is returned; fail after `timeout` seconds.
    Exceptions of the types in `ignoring` count as "not yet" (a server still starting)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except ignoring as error:
            last = error
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what or 'the condition'} still not true after {timeout} s"
                + (f" (last error: {last!r})" if last else "")
            )
        time.sleep(interval)


def received(layer, channel: str, timeout: float = 5.0) -> dict:
    """The next event on a channel layer's `channel`, or a failure after `timeout` seconds (a message that never
    comes must fail the test, not hang it)."""
    import asyncio

    from asgiref.sync import async_to_sync

    async def receive():
        try:
            return await asyncio.wait_for(layer.receive(channel), timeout)
        except TimeoutError:
            raise AssertionError(f"no message on {channel} after {timeout} s") from None

    return async_to_sync(receive)()
