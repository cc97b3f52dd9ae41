"""The periodic scheduler: `run_periodic` enqueues due jobs once, even with several schedulers at the same time."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tasks import task

from core import periodic
from tests.volunteering.factories import MissionFactory, in_days
from volunteering.models import Mission

VOLUNTEERING_JOBS = {
    "volunteering.expire_missions",
    "volunteering.send_reminders",
    "volunteering.send_weekly_matches",
    "volunteering.delete_old_cvs",
}


@task()
def _noop() -> int:
    return 0


@pytest.fixture(autouse=True)
def _never_run():
    """The local-memory cache outlives a test: start each one with every job due."""
    for job in periodic.jobs():
        periodic.forget(job)
    yield
    for job in periodic.jobs():
        periodic.forget(job)


def run_once(*args) -> str:
    out = StringIO()
    call_command("run_periodic", "--once", *args, stdout=out)
    return out.getvalue()


def enqueued_names(output: str) -> list[str]:
    return [line.split(" enqueued ")[1].split(" ")[0] for line in output.splitlines() if " enqueued " in line]


def ended_mission():
    return MissionFactory(start_date=in_days(-30), end_date=in_days(-1))


def test_volunteering_registers_its_periodic_jobs():
    assert {job.name for job in periodic.jobs()} >= VOLUNTEERING_JOBS
    assert periodic.get("volunteering.send_weekly_matches").interval == datetime.timedelta(days=7)


def test_run_once_enqueues_due_jobs_and_an_ended_mission_expires(db, organization):
    mission = ended_mission()
    current = MissionFactory()

    output = run_once()

    assert set(enqueued_names(output)) >= VOLUNTEERING_JOBS
    assert "periodic job(s) enqueued" in output
    mission.refresh_from_db()
    current.refresh_from_db()
    assert mission.status == Mission.Status.EXPIRED
    assert current.status == Mission.Status.PUBLISHED


def test_second_run_right_after_enqueues_nothing(db):
    run_once()
    ended = ended_mission()

    output = run_once()

    assert enqueued_names(output) == []
    assert "0 periodic job(s) enqueued." in output
    ended.refresh_from_db()
    assert ended.status == Mission.Status.PUBLISHED  # waits for the next hourly expiry


def test_a_job_falls_due_again_when_its_interval_has_elapsed(db):
    now = timezone.now()
    periodic.run_due(now=now)

    later = [job.name for job, _ in periodic.run_due(now=now + datetime.timedelta(hours=1, minutes=1))]

    assert "volunteering.expire_missions" in later  # hourly
    assert "volunteering.send_reminders" not in later  # daily
    assert "volunteering.send_weekly_matches" not in later  # weekly


def test_only_the_chosen_job_runs(db):
    assert enqueued_names(run_once("--job", "volunteering.expire_missions")) == ["volunteering.expire_missions"]


def test_unknown_job_is_refused(db):
    with pytest.raises(CommandError, match="Unknown job"):
        run_once("--job", "nope")


def test_nothing_is_enqueued_when_the_cache_that_records_runs_is_down(db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ended = ended_mission()

    assert enqueued_names(run_once()) == []
    ended.refresh_from_db()
    assert ended.status == Mission.Status.PUBLISHED


def test_registering_is_idempotent_and_refuses_a_different_job_under_the_same_name():
    try:
        job = periodic.register("tests.noop", datetime.timedelta(minutes=5), _noop)
        assert periodic.register("tests.noop", datetime.timedelta(minutes=5), _noop) == job
        with pytest.raises(ValueError, match="already registered"):
            periodic.register("tests.noop", datetime.timedelta(minutes=10), _noop)
        with pytest.raises(TypeError):
            periodic.register("tests.plain", datetime.timedelta(minutes=5), lambda: None)
        with pytest.raises(ValueError, match="positive"):
            periodic.register("tests.never", datetime.timedelta(0), _noop)
    finally:
        periodic.unregister("tests.noop")


def test_two_schedulers_at_the_same_time_enqueue_each_job_once(transactional_db, reference_data):
    """Two `run_periodic --once` on their own database connections, started together."""
    ended = ended_mission()
    start = threading.Barrier(2)
    outputs, errors = [], []

    def scheduler():
        try:
            start.wait(timeout=10)
            outputs.append(run_once())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(outputs) == 2
    names = enqueued_names(outputs[0]) + enqueued_names(outputs[1])
    assert sorted(names) == sorted(job.name for job in periodic.jobs())  # each registered job exactly once
    ended.refresh_from_db()
    assert ended.status == Mission.Status.EXPIRED
