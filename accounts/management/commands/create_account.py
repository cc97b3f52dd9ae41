from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import Organization


class Command(BaseCommand):
    help = "Create (or update) an account and print its id."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", required=True)
        parser.add_argument("--verified", action="store_true")
        parser.add_argument("--team", action="store_true", help="Member of the mission team.")
        parser.add_argument("--referent", metavar="THEME_SLUG", help="Referent of this theme (implies --team).")
        parser.add_argument("--org", metavar="NAME", help="Make the account a member of this organisation.")
        parser.add_argument("--org-kind", choices=[k for k, _ in Organization.Kind.choices], default="association")
        parser.add_argument("--display-name", default="")

    def handle(self, *args, **options):
        try:
            user = services.create_account(
                options["email"],
                options["password"],
                verified=options["verified"],
                team=options["team"],
                referent=options["referent"],
                org=options["org"],
                org_kind=options["org_kind"],
                display_name=options["display_name"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(str(user.pk))
