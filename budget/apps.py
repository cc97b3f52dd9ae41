from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = _("Participatory budget")

    def ready(self):
        # Registries only, no signals: the stored arrondissement/quartier of projects, the names of the team's
        # actions in the audit log.
        from core import moderation, territory

        from . import contributions, gdpr, rules  # noqa: F401
        from .models import Project
        from .services import AUDIT_LABELS

        territory.register_located(Project, "geometry", "district", "quartier")
        moderation.register_action_labels(AUDIT_LABELS)
