from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.spaces import figure


class MapvotesConfig(AppConfig):
    name = "mapvotes"
    verbose_name = _("Participatory map")

    def ready(self):
        # Registries only, no signals: contributions (strategy inbox) and GDPR export/erasure.
        from core import spaces, territory

        from . import contributions, gdpr  # noqa: F401
        from .models import Proposal

        # Stored arrondissement/quartier, recomputed by core.territory.relocate_all() when boundaries change.
        territory.register_located(Proposal, "geometry", "district", "quartier")

        spaces.register(
            spaces.Space(
                key="mapvotes",
                title=_("Participatory map"),
                description=_("Propose on a map of Paris, vote for or against, comment."),
                url_name="mapvotes:index",
                position=10,
                figures=_figures,
            )
        )


def _figures():
    from .models import Proposal

    n = Proposal.objects.filter(is_hidden=False, merged_into__isnull=True).count()
    return [figure(ngettext("%(n)s proposal", "%(n)s proposals", n), n)]
