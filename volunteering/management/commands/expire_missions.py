from django.core.management.base import BaseCommand

from volunteering import services


class Command(BaseCommand):
    help = "Mark published or full missions past their end date as expired and tell their organisations."

    def handle(self, *args, **options):
        count = services.expire_missions()
        self.stdout.write(self.style.SUCCESS(f"{count} mission(s) expired."))
