from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Territory and platform")

    def ready(self):
        from . import territory
        from .models import Place

        # The gazetteer's arrondissements follow the boundaries too (core.territory.relocate_all()).
        territory.register_located(Place, "point", "district")
