import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from core import periodic


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs that apps register (core.periodic) whenever their interval has elapsed: "
        "loops every minute, or checks once with --once (tests, cron). Safe to run in several processes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check once, enqueue what is due, and exit.")
        parser.add_argument(
            "--every", type=int, default=60, metavar="SECONDS", help="Seconds between two checks (default: 60)."
        )
        parser.add_argument("--job", action="append", dest="only", metavar="NAME", help="Only this job (repeatable).")
        parser.add_argument(
            "--list", action="store_true", dest="list_jobs", help="List the registered jobs and when they last ran."
        )

    def handle(self, *args, once=False, every=60, only=None, list_jobs=False, **options):
        known = {job.name for job in periodic.jobs()}
        unknown = sorted(set(only or ()) - known)
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(unknown)}. Registered: {', '.join(sorted(known))}.")
        if every < 1:
            raise CommandError("--every must be at least 1 second.")
        if list_jobs:
            for job in periodic.jobs():
                last = periodic.last_run(job)
                self.stdout.write(f"{job.name}: every {job.interval}, last enqueued {last or 'never'}")
            return
        if once:
            count = self.tick(only)
            self.stdout.write(self.style.SUCCESS(f"{count} periodic job(s) enqueued."))
            return

        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"Periodic scheduler: {len(known)} job(s), checking every {every} s (Ctrl-C to stop).")
        while not stop.is_set():
            close_old_connections()  # a restarted PostgreSQL must not leave the loop with a dead connection
            try:
                self.tick(only)
            except Exception as exc:  # noqa: BLE001 - the loop must survive a database outage and retry
                self.stderr.write(f"Periodic check failed ({exc}); retrying in {every} s.")
            stop.wait(every)
        self.stdout.write("Periodic scheduler stopped.")

    def tick(self, only) -> int:
        enqueued = periodic.run_due(only=set(only) if only else None)
        stamp = timezone.now().isoformat(timespec="seconds")
        for job, result in enqueued:
            self.stdout.write(f"{stamp} enqueued {job.name} ({result.id})")
        return len(enqueued)
