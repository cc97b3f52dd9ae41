"""French demo content for the map: proposals all over Paris, with votes, comments and a few decisions."""

import random

from django.contrib.gis.geos import LineString, Point, Polygon
from django.db import transaction

from accounts.models import User

from . import services
from .models import Proposal

# (title, description, theme, lon, lat, shape) — shape: "point", "line" (bike lane), "polygon" (square)
PROPOSALS = [
    (
        "Piste cyclable protégée rue de Rivoli",
        "Séparer physiquement la piste des voitures entre Châtelet et Bastille.",
        "mobilite",
        2.3560,
        48.8570,
        "line",
    ),
    (
        "Végétaliser la place de la République",
        "Planter des arbres d'ombre et créer des îlots de fraîcheur côté Magenta.",
        "vegetalisation",
        2.3631,
        48.8675,
        "polygon",
    ),
    (
        "Bancs et fontaine square du Temple",
        "Ajouter des bancs et une fontaine à boire pour les familles.",
        "sante",
        2.3605,
        48.8645,
        "point",
    ),
    (
        "Rue aux écoles rue de Charonne",
        "Fermer la rue aux voitures aux heures d'entrée et de sortie de l'école.",
        "education",
        2.3830,
        48.8540,
        "point",
    ),
    (
        "Composteur collectif à Belleville",
        "Installer un composteur partagé au pied des immeubles du bas Belleville.",
        "environnement",
        2.3790,
        48.8710,
        "point",
    ),
    (
        "Éclairage LED sur le canal Saint-Martin",
        "Remplacer l'éclairage des quais par des LED à détection de présence.",
        "energie",
        2.3660,
        48.8720,
        "line",
    ),
    (
        "Jardin partagé sur la petite ceinture",
        "Ouvrir un tronçon de la petite ceinture à un jardin associatif.",
        "vegetalisation",
        2.3950,
        48.8390,
        "polygon",
    ),
    (
        "Stationnement vélo devant la gare de Lyon",
        "Créer un grand parking vélo sécurisé sur le parvis.",
        "mobilite",
        2.3735,
        48.8443,
        "point",
    ),
    (
        "Ralentir la circulation avenue de Clichy",
        "Passer la zone à 30 km/h et élargir les trottoirs.",
        "mobilite",
        2.3250,
        48.8860,
        "line",
    ),
    (
        "Toilettes publiques à Montmartre",
        "Ajouter des sanitaires gratuits près de la place du Tertre.",
        "sante",
        2.3406,
        48.8865,
        "point",
    ),
    (
        "Ombrières solaires sur le parking Bercy",
        "Couvrir le parking de panneaux solaires gérés par une coopérative.",
        "energie",
        2.3820,
        48.8380,
        "polygon",
    ),
    (
        "Bibliothèque de rue à la Butte-aux-Cailles",
        "Une boîte à livres en bois près de la piscine.",
        "culture",
        2.3510,
        48.8270,
        "point",
    ),
    (
        "Cours d'école oasis dans le 13e",
        "Désimperméabiliser les cours et les ouvrir le week-end.",
        "education",
        2.3620,
        48.8300,
        "point",
    ),
    (
        "Fresque participative porte de Vanves",
        "Une fresque peinte avec les habitants sur le mur du périphérique.",
        "culture",
        2.3050,
        48.8270,
        "point",
    ),
    (
        "Piétonniser la rue Mouffetard le dimanche",
        "Réserver la rue aux piétons tous les dimanches.",
        "mobilite",
        2.3496,
        48.8424,
        "line",
    ),
    (
        "Capteurs de qualité de l'air près des écoles",
        "Publier en open data les mesures de particules fines.",
        "donnees",
        2.3300,
        48.8400,
        "point",
    ),
    (
        "Wi-Fi public dans les parcs du 15e",
        "Étendre Paris Wi-Fi aux jardins Georges-Brassens et André-Citroën.",
        "numerique",
        2.3000,
        48.8330,
        "point",
    ),
    (
        "Passage piéton sécurisé avenue de Versailles",
        "Ajouter un feu et un îlot central devant le collège.",
        "mobilite",
        2.2750,
        48.8430,
        "point",
    ),
    (
        "Forêt urbaine au Trocadéro",
        "Planter une micro-forêt sur les pelouses du bas des jardins.",
        "vegetalisation",
        2.2890,
        48.8610,
        "polygon",
    ),
    (
        "Local associatif aux Batignolles",
        "Mettre un local municipal vide à disposition des associations.",
        "solidarite",
        2.3150,
        48.8870,
        "point",
    ),
    (
        "Douches solidaires porte de la Chapelle",
        "Ouvrir des douches gratuites pour les personnes sans abri.",
        "solidarite",
        2.3600,
        48.8980,
        "point",
    ),
    (
        "Navette électrique pour les Buttes-Chaumont",
        "Une petite navette pour les personnes à mobilité réduite.",
        "mobilite",
        2.3820,
        48.8800,
        "point",
    ),
    (
        "Terrain de basket rénové à Ménilmontant",
        "Refaire le revêtement et ajouter un éclairage le soir.",
        "sante",
        2.3900,
        48.8660,
        "point",
    ),
    (
        "Budget participatif expliqué en bas de chez soi",
        "Des panneaux d'affichage pour suivre les projets votés.",
        "participation",
        2.3470,
        48.8600,
        "point",
    ),
    (
        "Marché de producteurs place des Fêtes",
        "Un marché bio le samedi matin.",
        "environnement",
        2.3930,
        48.8770,
        "point",
    ),
    (
        "Rénovation énergétique des écoles du 20e",
        "Isoler les toitures des écoles les plus anciennes.",
        "energie",
        2.4000,
        48.8600,
        "point",
    ),
    (
        "Traversée cyclable du pont d'Austerlitz",
        "Relier les deux rives par une piste continue.",
        "mobilite",
        2.3660,
        48.8430,
        "line",
    ),
    (
        "Arbres fruitiers au parc Montsouris",
        "Un verger partagé près du lac.",
        "vegetalisation",
        2.3380,
        48.8220,
        "point",
    ),
    (
        "Atelier de réparation de vélos aux Halles",
        "Un atelier solidaire sous la Canopée.",
        "mobilite",
        2.3470,
        48.8620,
        "point",
    ),
    (
        "Ouvrir les données des chantiers",
        "Publier le calendrier des travaux de voirie en temps réel.",
        "donnees",
        2.3522,
        48.8566,
        "point",
    ),
    (
        "Musée hors les murs à Saint-Blaise",
        "Des expositions temporaires dans les halls d'immeubles.",
        "culture",
        2.4050,
        48.8560,
        "point",
    ),
    (
        "Zone de rencontre rue des Martyrs",
        "Priorité aux piétons et vitesse limitée à 20 km/h.",
        "mobilite",
        2.3400,
        48.8790,
        "line",
    ),
    (
        "Cantine solidaire dans le 18e",
        "Des repas à prix libre dans une ancienne supérette.",
        "solidarite",
        2.3480,
        48.8920,
        "point",
    ),
    (
        "Borne de recharge pour vélos cargo",
        "Recharger les vélos cargo des artisans près du marché d'Aligre.",
        "energie",
        2.3785,
        48.8490,
        "point",
    ),
    (
        "Parcours sportif le long de la Seine",
        "Des agrès de musculation sur les berges rive gauche.",
        "sante",
        2.3100,
        48.8620,
        "line",
    ),
    (
        "Consultation numérique sur les quartiers",
        "Une carte en ligne pour donner son avis sur les travaux.",
        "participation",
        2.3200,
        48.8700,
        "point",
    ),
    (
        "Îlot de fraîcheur place d'Italie",
        "Brumisateurs et arbres autour de la place.",
        "vegetalisation",
        2.3556,
        48.8310,
        "polygon",
    ),
    (
        "Tiers-lieu numérique à la porte de Clignancourt",
        "Un lieu d'initiation au numérique pour les seniors.",
        "numerique",
        2.3450,
        48.8970,
        "point",
    ),
    (
        "Piste cyclable protégée rue de Rivoli, côté Louvre",
        "Prolonger la piste jusqu'à la Concorde.",
        "mobilite",
        2.3330,
        48.8620,
        "line",
    ),
    (
        "Mobilier urbain en bois du Morvan",
        "Remplacer les bancs métalliques par du bois local.",
        "architecture-urbanisme",
        2.3150,
        48.8450,
        "point",
    ),
]

COMMENTS = [
    ("Très bonne idée, je passe ici tous les jours.", "for"),
    ("Attention au stationnement des livraisons.", "against"),
    ("Qui financera l'entretien ?", "question"),
    ("Enfin ! On en parle depuis des années.", "for"),
    ("Il faudrait consulter les commerçants d'abord.", ""),
]


def _shape(kind, lon, lat):
    if kind == "line":
        return LineString((lon - 0.003, lat - 0.001), (lon + 0.003, lat + 0.001), srid=4326)
    if kind == "polygon":
        d = 0.0012
        return Polygon(
            ((lon - d, lat - d), (lon + d, lat - d), (lon + d, lat + d), (lon - d, lat + d), (lon - d, lat - d)),
            srid=4326,
        )
    return Point(lon, lat, srid=4326)


def load(stdout=None):
    residents = list(
        User.objects.filter(email__endswith="@participe.demo", email_verified=True, is_team=False).order_by("pk")
    )
    team = User.objects.filter(email="equipe@participe.demo").first()
    if not residents:
        if stdout:
            stdout.write("mapvotes: no demo accounts, skipped.")
        return
    rng = random.Random(2026)
    created = 0
    for i, (title, description, theme, lon, lat, kind) in enumerate(PROPOSALS):
        if Proposal.objects.filter(title=title).exists():
            continue
        author = residents[i % len(residents)]
        with transaction.atomic():
            proposal = services.create_proposal(
                author, title=title, description=description, theme=theme, geometry=_shape(kind, lon, lat)
            )
            for voter in rng.sample(residents, k=min(len(residents), rng.randint(3, 25))):
                services.cast_vote(voter, proposal.pk, "for" if rng.random() < 0.7 else "against")
            for body, stance in rng.sample(COMMENTS, k=rng.randint(0, 3)):
                services.add_comment(rng.choice(residents), proposal.pk, body, stance)
            if team and i % 7 == 0:
                services.change_status(
                    team, proposal, "under_study", "La direction de la voirie étudie la faisabilité."
                )
            if team and i % 11 == 0:
                services.change_status(team, proposal, "retained", "Inscrit au programme d'investissement 2027.")
        created += 1
    if team:
        dup = Proposal.objects.filter(
            title="Piste cyclable protégée rue de Rivoli, côté Louvre", merged_into__isnull=True
        ).first()
        kept = Proposal.objects.filter(title="Piste cyclable protégée rue de Rivoli").first()
        if dup and kept and created:
            services.merge_proposals(team, dup, kept, "Même demande pour la rue de Rivoli.")
    if stdout:
        stdout.write(f"mapvotes: {created} proposals created ({Proposal.objects.count()} in all).")
