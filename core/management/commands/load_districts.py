from django.core.management.base import BaseCommand, CommandError

from core import territory


class Command(BaseCommand):
    help = (
        "Import the Ville de Paris open-data GeoJSON export of arrondissements or quartiers "
        "(updates in place when run again), or --approximate boundaries for the demo."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="arrondissements and/or quartiers GeoJSON files")
        parser.add_argument("--approximate", action="store_true", help="Generate approximate boundaries.")

    def handle(self, *args, **options):
        if not options["files"] and not options["approximate"]:
            raise CommandError("Give a GeoJSON file, or --approximate.")
        if options["approximate"]:
            territory.load_approximate()
            self.stdout.write("Approximate boundaries ready (official ones, if loaded, are kept).")
        # arrondissements first, whatever the order given
        files = sorted(options["files"], key=lambda f: "quartier" in f.lower())
        for path in files:
            try:
                kind, created, updated = territory.load_file(path)
            except territory.BoundaryFileError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{path}: {kind}, {created} created, {updated} updated.")
        if options["files"]:
            changed = territory.relocate_all()
            moved = ", ".join(f"{n} {label}" for label, n in changed.items() if n) or "none"
            self.stdout.write(f"Stored arrondissements and quartiers recomputed from the new boundaries: {moved}.")
