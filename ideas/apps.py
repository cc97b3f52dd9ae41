from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.spaces import figure


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = _("Ideas marketplace")

    def ready(self):
        from core import spaces

        from . import contributions, gdpr  # noqa: F401 - registry entries

        spaces.register(
            spaces.Space(
                key="ideas",
                title=_("Ideas marketplace"),
                description=_("Project holders meet the partners who can help their ideas happen."),
                url_name="ideas:index",
                position=30,
                recent=_recent,
                figures=_figures,
            )
        )


def _recent():
    from .models import Idea

    return [
        (i.title, i.get_absolute_url())
        for i in Idea.objects.filter(status__in=Idea.OPEN_STATUSES, is_hidden=False).order_by("-published_at")[:3]
    ]


def _figures():
    from .models import Idea, Need, PartnerProfile

    ideas = Idea.objects.filter(status__in=Idea.PUBLIC_STATUSES, is_hidden=False).count()
    partners = PartnerProfile.objects.count()
    covered = Need.objects.filter(covered=True).count()
    return [
        figure(ngettext("%(n)s published idea", "%(n)s published ideas", ideas), ideas),
        figure(ngettext("%(n)s partner", "%(n)s partners", partners), partners),
        figure(ngettext("%(n)s need covered", "%(n)s needs covered", covered), covered),
    ]
