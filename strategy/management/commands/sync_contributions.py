from django.core.management.base import BaseCommand

from core import contributions as registry
from strategy import services


class Command(BaseCommand):
    help = (
        "Rebuild the strategy inbox from every registered contribution source (bulk upsert; triage is kept). "
        "With --support, only repair the support figures (one UPDATE per source: cheap, cron-able every minute)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", choices=[s.key for s in registry.sources()], help="Only this source.")
        parser.add_argument(
            "--support", action="store_true", help="Only refresh support figures (votes, supporters, applications)."
        )

    def handle(self, *args, source=None, support=False, **options):
        if support:
            changed = services.refresh_support(keys=[source] if source else None)
            summary = "; ".join(f"{k}: {n} changed" for k, n in changed.items())
            self.stdout.write(self.style.SUCCESS("Support figures refreshed — " + (summary or "no source")))
            return
        chosen = [s for s in registry.sources() if source in (None, s.key)]
        totals = []
        for s in chosen:
            upserted, removed = services.sync_source(s, stdout=self.stdout)
            totals.append(f"{s.key}: {upserted} synchronised, {removed} removed")
        self.stdout.write(self.style.SUCCESS("Contributions synchronised — " + "; ".join(totals or ["no source"])))
