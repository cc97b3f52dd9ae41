"""Periodic jobs: a registry that apps fill from AppConfig.ready(), run by `manage.py run_periodic`.

    from core import periodic
    periodic.register("volunteering.expire_missions", datetime.timedelta(days=1), tasks.expire_missions)

Each tick enqueues (through django-tasks) every job whose interval has elapsed since it was last enqueued.
The time of the last enqueue is kept in the default cache, which every process shares in production (Redis);
the check-enqueue-record sequence runs under a PostgreSQL advisory lock, so schedulers running side by side
(or a cron `--once` overlapping the loop) enqueue each job once. Jobs must be idempotent: a lost cache (a
restart with the local-memory cache of `make run`) only makes each of them run once more, early.
"""

import datetime
import logging
import uuid
import zlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.base import Task

logger = logging.getLogger(__name__)

# Any constant works as long as no other code takes the same advisory lock: derive it from a name.
LOCK_KEY = zlib.crc32(b"participe.core.periodic")
CACHE_PREFIX = "periodic:last-run:"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval: datetime.timedelta
    task: Task

    @property
    def cache_key(self) -> str:
        return CACHE_PREFIX + self.name


_registry: dict[str, PeriodicJob] = {}


def register(name: str, interval: datetime.timedelta, task: Task) -> PeriodicJob:
    """Declare a periodic job; registering the same job again (e.g. ready() run twice) changes nothing."""
    if not isinstance(task, Task):
        raise TypeError(f"{name}: {task!r} is not a django-tasks task (decorate it with @task()).")
    if interval <= datetime.timedelta(0):
        raise ValueError(f"{name}: the interval must be positive.")
    job = PeriodicJob(name, interval, task)
    existing = _registry.get(name)
    if existing is not None and existing != job:
        raise ValueError(f"A different periodic job is already registered as {name!r}.")
    _registry[name] = job
    return job


def unregister(name: str) -> None:
    _registry.pop(name, None)


def jobs() -> list[PeriodicJob]:
    return sorted(_registry.values(), key=lambda job: job.name)


def get(name: str) -> PeriodicJob:
    return _registry[name]


def last_run(job: PeriodicJob) -> datetime.datetime | None:
    return cache.get(job.cache_key)


def forget(job: PeriodicJob) -> None:
    """Make a job due at the next tick."""
    cache.delete(job.cache_key)


def is_due(job: PeriodicJob, now: datetime.datetime) -> bool:
    last = last_run(job)
    return last is None or now - last >= job.interval


def _cache_works() -> bool:
    # The Redis cache ignores its errors (a get answers None): without this probe an outage would make every job
    # look due at every tick.
    probe = CACHE_PREFIX + "probe:" + uuid.uuid4().hex
    cache.set(probe, 1, timeout=60)
    works = cache.get(probe) == 1
    cache.delete(probe)
    return works


def run_due(now=None, only=None) -> list[tuple[PeriodicJob, object]]:
    """Enqueue every due job (or the due ones among `only`, names); return [(job, task result)]."""
    selected = [job for job in jobs() if only is None or job.name in only]
    if not _cache_works():
        logger.warning("Periodic jobs skipped: the cache that records their last run is unavailable.")
        return []
    enqueued = []
    with transaction.atomic():
        # Held until the end of the transaction: a second scheduler waits here, then finds the jobs recorded.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        now = now or timezone.now()
        for job in selected:
            if not is_due(job, now):
                continue
            try:
                with transaction.atomic():
                    result = job.task.enqueue()
            except Exception:
                # One broken job must not stop the others; it stays due and is retried at the next tick.
                logger.exception("Could not enqueue the periodic job %s", job.name)
                continue
            # Recorded while the lock is held (not on commit, which releases it first).
            cache.set(job.cache_key, now, timeout=None)
            enqueued.append((job, result))
    return enqueued
