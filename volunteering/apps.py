import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

DAY = datetime.timedelta(days=1)


class VolunteeringConfig(AppConfig):
    name = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self):
        from core import periodic, spaces, territory

        # Registries (no signals): missions as contributions for strategy/, and the GDPR export/erasure.
        from . import contributions, gdpr, tasks  # noqa: F401
        from .models import Mission

        # Stored arrondissement, recomputed by core.territory.relocate_all() when boundaries change.
        territory.register_located(Mission, "location", "district")

        # Periodic jobs, enqueued by `manage.py run_periodic` (started by `make run` and `make serve-prod`).
        # Expiry is cheap (indexed status + end date) and runs hourly so a mission ends within the hour after
        # midnight; the reminders remind "tomorrow" and so must run once a day; the weekly e-mail is weekly and
        # capped at two solicitations a month by the service itself.
        periodic.register("volunteering.expire_missions", datetime.timedelta(hours=1), tasks.expire_missions)
        periodic.register("volunteering.send_reminders", DAY, tasks.send_reminders)
        periodic.register("volunteering.send_weekly_matches", 7 * DAY, tasks.send_weekly_matches)
        periodic.register("volunteering.send_saved_search_alerts", DAY, tasks.send_saved_search_alerts)
        periodic.register("volunteering.delete_old_cvs", DAY, tasks.delete_old_cvs)
        # Within the 5 minutes the office's page may serve figures that were slow to compute (selectors).
        periodic.register(
            "volunteering.refresh_internship_figures", datetime.timedelta(minutes=4), tasks.refresh_internship_figures
        )

        spaces.register(
            spaces.Space(
                key="volunteering",
                title=_("Volunteering"),
                description=_("Find a volunteering mission near you, apply, follow your applications."),
                url_name="volunteering:index",
                position=20,
            )
        )
