from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Territory and platform")

    def ready(self):
        import datetime

        from . import periodic, tasks, territory
        from .models import Place

        # The gazetteer's arrondissements follow the boundaries too (core.territory.relocate_all()).
        territory.register_located(Place, "point", "district")
        # The notifications that people chose to receive "in a weekly e-mail" (core.notifications).
        periodic.register("core.send_weekly_digests", datetime.timedelta(days=7), tasks.send_weekly_digests)
