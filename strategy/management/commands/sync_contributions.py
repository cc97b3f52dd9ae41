from django.core.management.base import BaseCommand

from core import contributions as registry
from strategy import services


class Command(BaseCommand):
    help = "Rebuild the strategy inbox from every registered contribution source (bulk upsert; triage is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--source", choices=[s.key for s in registry.sources()], help="Only this source.")

    def handle(self, *args, source=None, **options):
        chosen = [s for s in registry.sources() if source in (None, s.key)]
        totals = []
        for s in chosen:
            upserted, removed = services.sync_source(s, stdout=self.stdout)
            totals.append(f"{s.key}: {upserted} synchronised, {removed} removed")
        self.stdout.write(self.style.SUCCESS("Contributions synchronised — " + "; ".join(totals or ["no source"])))
