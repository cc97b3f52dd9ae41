"""Log filters of the console handler (config/settings.py LOGGING)."""

import logging

from redis.exceptions import RedisError

# Libraries that log a whole stack when Redis goes away under them (channels_redis unsubscribing a socket's channel
# while Redis is down); the outage itself is already said once by serving.cache and serving.consumers.
OUTAGE_LOGGERS = ("channels_redis",)


class OneLineOutages(logging.Filter):
    """A Redis or network failure logged by a library with its stack becomes one warning line naming the error:
    an outage is an expected event of operations (docs/operations.md), not a bug to debug. Other records pass as
    they are, stacks included."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, (RedisError, OSError)) and record.name.startswith(OUTAGE_LOGGERS):
            record.msg = f"{record.getMessage()} {error!r}"
            record.args = ()
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
