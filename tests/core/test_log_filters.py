"""An outage logged by a library is one line in the server's log, not a stack (tests/ops/test_faults.py runs it live)."""

import io
import logging

from redis.exceptions import ConnectionError as RedisConnectionError


def _console_filters():
    (console,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    return console.filters


def _log(logger_name, error):
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    for f in _console_filters():
        handler.addFilter(f)
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        try:
            raise error
        except Exception:
            logger.exception("Unexpected exception while cleaning-up channel:")
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


def test_channels_redis_losing_redis_logs_one_line_naming_the_error():
    logged = _log("channels_redis.pubsub", RedisConnectionError("Error 111 connecting to 127.0.0.1:6379."))
    assert logged.count("\n") == 1 and "Traceback" not in logged
    assert "cleaning-up channel" in logged and "ConnectionError" in logged


def test_a_bug_in_our_code_keeps_its_stack():
    logged = _log("strategy.services", RedisConnectionError("Error 111"))
    assert "Traceback" in logged
    logged = _log("channels_redis.pubsub", ValueError("not an outage"))
    assert "Traceback" in logged
