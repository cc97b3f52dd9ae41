from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        # Signal: allauth's email_confirmed marks the account verified (accounts.signals).
        from . import gdpr, signals  # noqa: F401
