from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = _("Legal and trust pages")

    def ready(self):
        # No signals: registry entries only (GDPR export of the terms accepted by an account).
        from . import gdpr  # noqa: F401
