"""Demo accounts (idempotent). Passwords: settings.PARTICIPE_DEMO_PASSWORD (printed by `make run`)."""

from django.conf import settings

from . import services
from .models import Organization, User

DEMO_ACCOUNTS = [
    # email, display name, role description, options
    ("habitante@participe.demo", "Camille Martin", "resident", {"verified": True}),
    (
        "association@participe.demo",
        "Karim Benali",
        "association admin (Les Jardins Partagés du 11e)",
        {"verified": True, "org": "Les Jardins Partagés du 11e", "org_kind": "association"},
    ),
    (
        "entreprise@participe.demo",
        "Sophie Lambert",
        "partner company (Énergies Citoyennes Paris)",
        {"verified": True, "org": "Énergies Citoyennes Paris", "org_kind": "company"},
    ),
    ("equipe@participe.demo", "Julien Moreau", "mission team", {"team": True}),
    ("referente@participe.demo", "Nadia Haddad", "referent of the Mobility theme", {"referent": "mobilite"}),
    (
        "correspondant-stages@participe.demo",
        "Thomas Nguyen",
        "internship correspondent (Direction des espaces verts et de l'environnement)",
        {
            "verified": True,
            "org": "Direction des espaces verts et de l'environnement",
            "org_kind": "city_service",
            "org_role": "correspondent",
        },
    ),
    # Given the internship office's permission by volunteering/demo.py (the "Bureau des stages" group).
    (
        "bureau-des-stages@participe.demo",
        "Claire Dumas",
        "internship office (all the City's internships)",
        {"team": True},
    ),
]

RESIDENT_NAMES = [
    "Léa Dubois",
    "Hugo Bernard",
    "Chloé Petit",
    "Lucas Robert",
    "Manon Richard",
    "Nathan Durand",
    "Inès Leroy",
    "Théo Moreau",
    "Jade Simon",
    "Louis Laurent",
    "Emma Lefebvre",
    "Gabriel Michel",
    "Zoé Garcia",
    "Arthur David",
    "Alice Bertrand",
    "Raphaël Roux",
    "Lina Vincent",
    "Jules Fournier",
    "Rose Morel",
    "Adam Girard",
    "Sarah Bonnet",
    "Noah Dupont",
    "Louise Lambert",
    "Ethan Fontaine",
    "Anna Rousseau",
    "Paul Blanc",
    "Mila Guerin",
    "Sacha Muller",
    "Eva Henry",
    "Tom Faure",
]

EXTRA_ORGANIZATIONS = [
    ("Paris Vélo Solidaire", "association", "Ateliers de réparation de vélos et remise en selle."),
    ("Les Restos du Cœur — antenne Paris 18", "association", "Aide alimentaire et accompagnement."),
    ("Fab'Lab Belleville", "collective", "Atelier de fabrication numérique ouvert à tous."),
    ("Direction des espaces verts et de l'environnement", "city_service", "Service de la Ville de Paris."),
    ("Fondation Paris Durable", "foundation", "Soutien financier aux projets environnementaux."),
    ("Incubateur Quartiers Numériques", "incubator", "Accompagnement de projets à impact."),
    ("Coop'Énergie Est Parisien", "company", "Coopérative de production d'énergie solaire."),
]


def slug_email(name: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return ascii_name.replace(" ", ".").replace("'", "") + "@participe.demo"


def load(stdout=None):
    password = settings.PARTICIPE_DEMO_PASSWORD
    for email, name, _role, options in DEMO_ACCOUNTS:
        services.create_account(email, password, display_name=name, **options)
    for name in RESIDENT_NAMES:
        if not User.objects.filter(email=slug_email(name)).exists():
            services.create_account(slug_email(name), password, display_name=name, verified=True)
    for name, kind, description in EXTRA_ORGANIZATIONS:
        Organization.objects.get_or_create(
            name=name, defaults={"kind": kind, "description": description, "verified": True}
        )
    if stdout:
        stdout.write(
            f"Demo accounts ready ({User.objects.count()} accounts, {Organization.objects.count()} organisations)."
        )


def accept_current_terms():
    """Every demo account (of every space) has accepted the current terms: whoever tries the demo is not asked on
    every page to accept "changed" terms they never saw."""
    from pages.services import accept_terms

    for user in User.objects.filter(email__endswith="@participe.demo"):
        accept_terms(user)


def accounts_table() -> str:
    lines = [f"  {email:<30} {role}" for email, _name, role, _ in DEMO_ACCOUNTS]
    return "\n".join(lines) + f"\n  password for all: {settings.PARTICIPE_DEMO_PASSWORD}"
