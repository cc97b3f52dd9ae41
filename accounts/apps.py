from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        # Signals (accounts.signals): allauth's email_confirmed marks the account verified; saving a new password or
        # e-mail address revokes the account's API tokens; after `migrate`, the sites framework's Site is SITE_URL's.
        from django.db.models.signals import post_migrate

        from . import gdpr, signals  # noqa: F401

        post_migrate.connect(signals.sync_site_with_site_url, sender=self)
