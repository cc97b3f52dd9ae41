from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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

    return [
        (_("published ideas"), Idea.objects.filter(status__in=Idea.PUBLIC_STATUSES, is_hidden=False).count()),
        (_("partners"), PartnerProfile.objects.count()),
        (_("needs covered"), Need.objects.filter(covered=True).count()),
    ]
