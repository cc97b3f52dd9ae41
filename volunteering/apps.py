from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self):
        from core import spaces

        # Registries (no signals): missions as contributions for strategy/, and the GDPR export/erasure.
        from . import contributions, gdpr  # noqa: F401

        spaces.register(
            spaces.Space(
                key="volunteering",
                title=_("Volunteering"),
                description=_("Find a volunteering mission near you, apply, follow your applications."),
                url_name="volunteering:index",
                position=20,
            )
        )
