from django.core.management.base import BaseCommand, CommandError

from core import places


class Command(BaseCommand):
    help = (
        "Fill the gazetteer that address search uses without GEOCODER_URL: arrondissements, quartiers, landmarks, "
        "and optionally street names (drinking-fountain export) and Vélib stations (Ville de Paris open data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fountains", help="fontaines-a-boire JSON export (street names)")
        parser.add_argument("--velib", help="velib-emplacement-des-stations GeoJSON export")

    def handle(self, *args, fountains=None, velib=None, **options):
        try:
            counts = places.load(fountains=fountains, velib=velib)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        summary = ", ".join(f"{n} {source}" for source, n in counts.items())
        self.stdout.write(f"Gazetteer loaded: {summary}.")
