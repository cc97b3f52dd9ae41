from django.core.management.base import BaseCommand, CommandError

from volunteering import tasks

JOBS = {
    "expire": tasks.expire_missions,
    "reminders": tasks.send_reminders,
    "weekly": tasks.send_weekly_matches,
    "retention": tasks.delete_old_cvs,
}


class Command(BaseCommand):
    help = "Enqueue the volunteering periodic jobs (daily: expire, reminders, retention; weekly: weekly)."

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", help="Jobs to run (default: daily ones)")

    def handle(self, *args, jobs=None, **options):
        jobs = jobs or ["expire", "reminders", "retention"]
        unknown = [j for j in jobs if j not in JOBS]
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(unknown)}. Choose among {', '.join(JOBS)}.")
        for name in jobs:
            result = JOBS[name].enqueue()
            self.stdout.write(f"{name}: enqueued ({result.id})")
        self.stdout.write(self.style.SUCCESS(f"{len(jobs)} volunteering job(s) enqueued."))
