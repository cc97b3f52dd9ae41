"""Periodic jobs of the strategy (enqueue from cron: `manage.py sync_contributions --support` does the same)."""

from django_tasks import task

from . import services


@task()
def sync_contributions() -> dict:
    """Repair the inbox's support figures from the sources' counters (what a lost on-commit refresh missed)."""
    return services.refresh_support()
