"""Periodic jobs of the volunteering space, scheduled by `manage.py run_periodic` (see apps.py for the intervals)."""

from django_tasks import task

from . import selectors, services


@task()
def expire_missions() -> int:
    return services.expire_missions()


@task()
def send_reminders() -> dict:
    return {
        "unanswered": services.remind_unanswered(),
        "untouched": services.remind_untouched(),
        "upcoming": services.remind_upcoming(),
    }


@task()
def send_weekly_matches() -> int:
    return services.send_weekly_matches()


@task()
def send_saved_search_alerts() -> int:
    return services.send_saved_search_alerts()


@task()
def delete_old_cvs() -> int:
    return services.delete_old_cvs()


@task()
def refresh_internship_figures() -> int:
    """The whole City's figures, recomputed in the background: the office's page reads them from the cache."""
    return selectors.cached_internship_figures(refresh=True)["totals"]["applications"]
