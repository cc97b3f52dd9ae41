from django.core.management.base import BaseCommand, CommandError

from core import periodic

PREFIX = "volunteering."
DAILY = ["expire_missions", "send_reminders", "delete_old_cvs"]
# The names this command took before the jobs were registered with core.periodic.
ALIASES = {
    "expire": "expire_missions",
    "reminders": "send_reminders",
    "weekly": "send_weekly_matches",
    "retention": "delete_old_cvs",
}


class Command(BaseCommand):
    help = (
        "Enqueue volunteering periodic jobs now, whatever their schedule (default: the daily ones). "
        "`manage.py run_periodic` schedules them; this is for a manual run."
    )

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", help="Jobs to enqueue (default: daily ones)")

    def handle(self, *args, jobs=None, **options):
        registered = {job.name.removeprefix(PREFIX): job for job in periodic.jobs() if job.name.startswith(PREFIX)}
        jobs = [ALIASES.get(j, j) for j in jobs or DAILY]
        unknown = [j for j in jobs if j not in registered]
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(unknown)}. Choose among {', '.join(sorted(registered))}.")
        for name in jobs:
            result = registered[name].task.enqueue()
            self.stdout.write(f"{name}: enqueued ({result.id})")
        self.stdout.write(self.style.SUCCESS(f"{len(jobs)} volunteering job(s) enqueued."))
