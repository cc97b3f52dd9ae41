import os
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from core import places, territory


class Command(BaseCommand):
    help = "Load the territory and the French demo content of every space (idempotent)."

    def handle(self, *args, **options):
        # Demo notifications and e-mails are written in the platform's language, as for real users.
        with translation.override(settings.LANGUAGE_CODE):
            self._load()

    def _load(self):
        files = [f for f in (os.environ.get("PARIS_ARRONDISSEMENTS_FILE"), os.environ.get("PARIS_QUARTIERS_FILE")) if f]
        for path in files:
            kind, created, updated = territory.load_file(path)
            self.stdout.write(f"Official {kind} loaded from {path}.")
        if files:
            territory.relocate_all()  # content placed with the approximations follows the official boundaries
        territory.load_approximate()
        counts = places.load(
            fountains=os.environ.get("PARIS_FOUNTAINS_FILE") or None, velib=os.environ.get("PARIS_VELIB_FILE") or None
        )
        self.stdout.write("Gazetteer: " + ", ".join(f"{n} {source}" for source, n in counts.items()) + ".")
        # Each app may ship `<app>/demo.py` with `load(stdout)`; INSTALLED_APPS order (strategy comes last).
        for config in apps.get_app_configs():
            if config.name.startswith(("django", "allauth", "rest_framework")) or "." in config.name:
                continue
            if find_spec(f"{config.name}.demo") is None:
                continue
            import_module(f"{config.name}.demo").load(stdout=self.stdout)
        from accounts.demo import accept_current_terms, accounts_table

        accept_current_terms()  # last: the demo accounts of every space

        self.stdout.write("Demo accounts:\n" + accounts_table())
