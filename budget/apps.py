from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = _("Participatory budget")

    def ready(self):
        # Registries only, no signals: the stored arrondissement/quartier of projects.
        from core import territory

        from . import contributions, gdpr, rules  # noqa: F401
        from .models import Project

        territory.register_located(Project, "geometry", "district", "quartier")
