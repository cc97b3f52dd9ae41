from django.core.management.base import BaseCommand, CommandError

from budget import imports


class Command(BaseCommand):
    help = (
        "Import the City's open-data export of winning participatory-budget projects (bp_projets_gagnants CSV); "
        "run again, it updates the projects in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="bp_projets_gagnants.csv (;-separated, UTF-8 with BOM)")

    def handle(self, *args, **options):
        try:
            summary = imports.load(options["file"], progress=lambda n: self.stdout.write(f"{n} rows read…"))
        except imports.ImportFileError as error:
            raise CommandError(str(error)) from error
        for problem in summary.problems[:20]:
            self.stderr.write(f"Skipped {problem}")
        self.stdout.write(
            f"{summary.loaded} projects loaded, {summary.unplaced} could not be placed "
            f"(put at their arrondissement and flagged), {summary.skipped} rows skipped."
        )
