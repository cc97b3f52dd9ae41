"""Demo content (idempotent): French missions across Paris, volunteers' profiles and applications."""

import datetime
import random

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from core.geo import OutsideParis, locate
from core.models import Theme

from .models import Application, ApplicationEvent, Mission, VolunteerProfile

# (place name, address, lon, lat)
PLACES = [
    ("Jardin partagé Truillot", "Impasse Truillot, 75011 Paris", 2.3726, 48.8600),
    ("Maison des associations du 11e", "8 rue du Général Renault, 75011 Paris", 2.3795, 48.8606),
    ("Square du Temple", "64 rue de Bretagne, 75003 Paris", 2.3610, 48.8645),
    ("Bibliothèque Goutte d'Or", "2 rue Fleury, 75018 Paris", 2.3535, 48.8845),
    ("Halle Pajol", "20 esplanade Nathalie Sarraute, 75018 Paris", 2.3618, 48.8887),
    ("Centre Paris Anim' Curial", "16 rue Colette Magny, 75019 Paris", 2.3720, 48.8935),
    ("Parc de Belleville", "47 rue des Couronnes, 75020 Paris", 2.3847, 48.8712),
    ("Mairie du 14e", "2 place Ferdinand Brunot, 75014 Paris", 2.3266, 48.8331),
    ("Jardin des Plantes", "57 rue Cuvier, 75005 Paris", 2.3597, 48.8440),
    ("Canal Saint-Martin, quai de Valmy", "Quai de Valmy, 75010 Paris", 2.3660, 48.8720),
    ("Place d'Italie", "Place d'Italie, 75013 Paris", 2.3556, 48.8313),
    ("Parc Montsouris", "2 rue Gazan, 75014 Paris", 2.3380, 48.8220),
    ("Marché d'Aligre", "Place d'Aligre, 75012 Paris", 2.3786, 48.8490),
    ("Square des Batignolles", "144 bis boulevard des Batignolles, 75017 Paris", 2.3175, 48.8870),
    ("Parc André Citroën", "2 rue Cauchy, 75015 Paris", 2.2745, 48.8412),
    ("Hôtel de Ville", "Place de l'Hôtel de Ville, 75004 Paris", 2.3522, 48.8566),
    ("Mairie du 9e", "6 rue Drouot, 75009 Paris", 2.3412, 48.8738),
    ("Jardin du Luxembourg", "Rue de Médicis, 75006 Paris", 2.3372, 48.8462),
    ("Champ-de-Mars", "Allée Thomy Thierry, 75007 Paris", 2.2980, 48.8556),
    ("Parc Monceau", "35 boulevard de Courcelles, 75008 Paris", 2.3090, 48.8796),
    ("Square Louis XVI", "Rue Pasquier, 75008 Paris", 2.3227, 48.8735),
    ("Maison de la vie associative du 16e", "14 rue Nicolo, 75016 Paris", 2.2790, 48.8590),
    ("Forum des Halles", "101 porte Berger, 75001 Paris", 2.3470, 48.8620),
    ("Mairie du 2e", "8 rue de la Banque, 75002 Paris", 2.3405, 48.8680),
]

# (title, description, themes, schedule, weekdays, time slots, commitment, hours, places, skills)
MISSIONS = [
    (
        "Entretenir le jardin partagé le samedi matin",
        "Arroser, désherber et préparer les semis avec les jardiniers du quartier. Aucune expérience nécessaire : on vous montre tout.",
        ["vegetalisation", "environnement"],
        "recurring",
        [5],
        ["morning"],
        "hours_per_week",
        3,
        6,
        ["jardinage"],
    ),
    (
        "Accueil du public à la fête des jardins",
        "Accueillir les visiteurs, orienter vers les ateliers et tenir le stand de graines.",
        ["vegetalisation", "participation"],
        "one_off",
        [],
        ["afternoon"],
        "total_hours",
        5,
        8,
        ["accueil"],
    ),
    (
        "Aide aux devoirs pour des collégiens",
        "Accompagner des élèves de 6e à la 3e dans leurs devoirs, deux soirs par semaine, dans une ambiance bienveillante.",
        ["education", "solidarite"],
        "recurring",
        [1, 3],
        ["evening"],
        "hours_per_week",
        4,
        5,
        ["pédagogie", "mathématiques"],
    ),
    (
        "Atelier réparation de vélos",
        "Aider les habitants à réparer leur vélo : crevaisons, freins, dérailleurs. Les outils sont fournis.",
        ["mobilite", "solidarite"],
        "recurring",
        [2, 5],
        ["afternoon"],
        "hours_per_week",
        3,
        4,
        ["mécanique vélo"],
    ),
    (
        "Remise en selle : accompagner des adultes débutants",
        "Encadrer des séances d'apprentissage du vélo pour adultes sur un espace protégé.",
        ["mobilite", "sante"],
        "recurring",
        [6],
        ["morning"],
        "hours_per_week",
        2,
        3,
        ["pédagogie"],
    ),
    (
        "Distribution alimentaire du soir",
        "Préparer les colis, accueillir les bénéficiaires et assurer la distribution dans le respect de chacun.",
        ["solidarite"],
        "recurring",
        [0, 2, 4],
        ["evening"],
        "hours_per_week",
        3,
        10,
        [],
    ),
    (
        "Collecte nationale : tenir un point de collecte",
        "Deux jours de collecte à l'entrée d'un supermarché : accueillir les donateurs et trier les produits.",
        ["solidarite"],
        "period",
        [4, 5],
        ["morning", "afternoon"],
        "total_hours",
        8,
        20,
        [],
    ),
    (
        "Initier des seniors au numérique",
        "Aider des personnes âgées à utiliser leur smartphone, les démarches en ligne et la visio avec leurs proches.",
        ["numerique", "solidarite"],
        "recurring",
        [1],
        ["afternoon"],
        "hours_per_week",
        2,
        4,
        ["informatique", "patience"],
    ),
    (
        "Animer un atelier de fabrication numérique",
        "Co-animer des ateliers découverte de l'impression 3D et de la découpe laser pour des jeunes.",
        ["numerique", "education"],
        "recurring",
        [3],
        ["afternoon"],
        "hours_per_week",
        3,
        2,
        ["impression 3D", "animation"],
    ),
    (
        "Cartographier les îlots de fraîcheur",
        "Relever sur le terrain les lieux frais du quartier (ombre, fontaines, parcs) et compléter la carte ouverte.",
        ["donnees", "environnement"],
        "period",
        [],
        [],
        "total_hours",
        6,
        12,
        ["OpenStreetMap"],
    ),
    (
        "Nettoyage des berges du canal",
        "Une matinée pour ramasser les déchets le long du canal, avec le matériel fourni par la Ville.",
        ["environnement"],
        "one_off",
        [],
        ["morning"],
        "total_hours",
        3,
        30,
        [],
    ),
    (
        "Plantation d'arbres dans une cour d'école",
        "Participer à la végétalisation d'une cour Oasis : plantation, paillage, arrosage.",
        ["vegetalisation", "education"],
        "one_off",
        [],
        ["morning"],
        "total_hours",
        4,
        15,
        [],
    ),
    (
        "Sensibiliser aux économies d'énergie",
        "Animer des stands d'information dans les halls d'immeubles sur les écogestes et les aides à la rénovation.",
        ["energie", "environnement"],
        "recurring",
        [5],
        ["afternoon"],
        "hours_per_week",
        2,
        6,
        ["communication"],
    ),
    (
        "Ambassadeur du solaire citoyen",
        "Présenter le projet de centrale solaire coopérative aux habitants et recueillir leurs questions.",
        ["energie", "participation"],
        "period",
        [],
        [],
        "total_hours",
        10,
        5,
        [],
    ),
    (
        "Lecture à voix haute en bibliothèque",
        "Lire des albums aux enfants de 3 à 6 ans lors de l'heure du conte du mercredi.",
        ["culture", "education"],
        "recurring",
        [2],
        ["morning"],
        "hours_per_week",
        1,
        3,
        ["lecture"],
    ),
    (
        "Accueil au festival de quartier",
        "Accueillir les artistes et le public, tenir la buvette solidaire et aider au montage.",
        ["culture", "participation"],
        "one_off",
        [],
        ["afternoon", "evening"],
        "total_hours",
        6,
        25,
        [],
    ),
    (
        "Conversation en français avec des personnes exilées",
        "Animer des tables de conversation conviviales pour pratiquer le français du quotidien.",
        ["solidarite", "education"],
        "recurring",
        [0],
        ["evening"],
        "hours_per_week",
        2,
        6,
        ["langues"],
    ),
    (
        "Maraude solidaire",
        "Aller à la rencontre des personnes sans abri, proposer boissons chaudes et orientation, en binôme.",
        ["solidarite", "sante"],
        "recurring",
        [3],
        ["evening"],
        "hours_per_week",
        3,
        8,
        ["écoute"],
    ),
    (
        "Relevés de qualité de l'air avec capteurs citoyens",
        "Porter un capteur pendant vos trajets et participer à l'analyse des données collectées.",
        ["donnees", "sante", "environnement"],
        "period",
        [],
        [],
        "hours_per_week",
        1,
        40,
        ["données"],
    ),
    (
        "Traduire des fiches pratiques",
        "Traduire en anglais, arabe ou ukrainien les fiches d'accès aux droits de l'association (à distance).",
        ["solidarite", "numerique"],
        "period",
        [],
        [],
        "total_hours",
        10,
        5,
        ["traduction"],
    ),
    (
        "Compostage collectif : guide composteur",
        "Accompagner les habitants dans l'usage du composteur de quartier et tenir les permanences.",
        ["environnement", "vegetalisation"],
        "recurring",
        [6],
        ["morning"],
        "hours_per_week",
        2,
        4,
        ["compostage"],
    ),
    (
        "Atelier participatif sur le budget participatif",
        "Aider les habitants à formuler leurs projets pour le budget participatif lors d'ateliers en mairie.",
        ["participation"],
        "one_off",
        [],
        ["evening"],
        "total_hours",
        3,
        6,
        ["animation"],
    ),
    (
        "Marche exploratoire de nuit",
        "Participer à une marche exploratoire pour repérer les lieux peu sûrs et proposer des aménagements.",
        ["architecture-urbanisme", "participation"],
        "one_off",
        [],
        ["evening"],
        "total_hours",
        3,
        12,
        [],
    ),
    (
        "Aide à l'inventaire de la biodiversité",
        "Compter les oiseaux et les insectes pollinisateurs avec les naturalistes de la Ville.",
        ["environnement", "donnees"],
        "recurring",
        [5],
        ["morning"],
        "hours_per_week",
        2,
        10,
        ["naturalisme"],
    ),
    (
        "Soutien administratif à distance",
        "Mettre à jour la base de données des bénévoles et préparer les tableaux de suivi (à distance).",
        ["numerique"],
        "period",
        [],
        [],
        "hours_per_week",
        2,
        2,
        ["tableur"],
    ),
    (
        "Accompagnement de personnes malvoyantes au marché",
        "Accompagner une personne malvoyante pour ses courses hebdomadaires au marché.",
        ["solidarite", "sante"],
        "recurring",
        [1],
        ["morning"],
        "hours_per_week",
        2,
        3,
        [],
    ),
    (
        "Vélo-école pour enfants",
        "Encadrer des enfants de 8 à 11 ans pendant les séances de vélo-école du samedi.",
        ["mobilite", "education"],
        "recurring",
        [5],
        ["afternoon"],
        "hours_per_week",
        2,
        4,
        ["vélo"],
    ),
    (
        "Animation d'un repair café",
        "Réparer avec les habitants petits appareils électriques, textiles et objets du quotidien.",
        ["environnement", "solidarite"],
        "recurring",
        [6],
        ["afternoon"],
        "hours_per_week",
        3,
        6,
        ["bricolage", "couture"],
    ),
    (
        "Photographier le patrimoine du quartier",
        "Documenter en photos les façades et lieux remarquables pour une exposition participative.",
        ["culture", "architecture-urbanisme"],
        "period",
        [],
        [],
        "total_hours",
        8,
        5,
        ["photographie"],
    ),
    (
        "Visites de convivialité aux aînés isolés",
        "Rendre visite une fois par semaine à une personne âgée isolée pour discuter, jouer, se promener.",
        ["solidarite", "sante"],
        "recurring",
        [2],
        ["afternoon"],
        "hours_per_week",
        2,
        10,
        ["écoute"],
    ),
    (
        "Atelier cuisine anti-gaspi",
        "Cuisiner avec les habitants des invendus du marché et partager le repas.",
        ["solidarite", "environnement"],
        "recurring",
        [4],
        ["evening"],
        "hours_per_week",
        3,
        5,
        ["cuisine"],
    ),
    (
        "Ouvrir les données de l'association",
        "Aider à publier en open data les données de fréquentation et d'activité de l'association.",
        ["donnees", "numerique"],
        "period",
        [],
        [],
        "total_hours",
        12,
        2,
        ["données", "Python"],
    ),
    (
        "Tenue de la ressourcerie éphémère",
        "Trier, mettre en rayon et vendre les objets donnés lors d'une ressourcerie de deux jours.",
        ["environnement"],
        "period",
        [5, 6],
        ["morning", "afternoon"],
        "total_hours",
        8,
        12,
        [],
    ),
    (
        "Accompagnement scolaire en ligne",
        "Soutenir un lycéen en visio une heure par semaine en français ou en mathématiques.",
        ["education"],
        "recurring",
        [2],
        ["evening"],
        "hours_per_week",
        1,
        8,
        ["pédagogie"],
    ),
    (
        "Aide au déménagement solidaire",
        "Aider une famille relogée à transporter et monter ses meubles.",
        ["solidarite"],
        "one_off",
        [],
        ["morning"],
        "total_hours",
        4,
        6,
        [],
    ),
    (
        "Jardinage thérapeutique à l'hôpital",
        "Animer un atelier de jardinage avec les patients d'un service de soins de suite.",
        ["sante", "vegetalisation"],
        "recurring",
        [3],
        ["afternoon"],
        "hours_per_week",
        2,
        3,
        ["jardinage"],
    ),
]

VOLUNTEER_PROFILES = [
    # email, themes, availability, (lon, lat), radius, skills
    (
        "habitante@participe.demo",
        ["solidarite", "vegetalisation", "education"],
        ["5-morning", "2-afternoon"],
        (2.3700, 48.8590),
        3,
        ["jardinage", "pédagogie"],
    ),
    ("lea.dubois@participe.demo", ["culture", "education"], ["2-morning"], (2.3500, 48.8840), 2, ["lecture"]),
    (
        "hugo.bernard@participe.demo",
        ["mobilite"],
        ["5-afternoon", "6-morning"],
        (2.3650, 48.8700),
        4,
        ["mécanique vélo"],
    ),
    (
        "chloe.petit@participe.demo",
        ["environnement", "donnees"],
        ["5-morning"],
        (2.3400, 48.8300),
        5,
        ["OpenStreetMap"],
    ),
    (
        "lucas.robert@participe.demo",
        ["numerique", "solidarite"],
        ["1-afternoon"],
        (2.3800, 48.8900),
        3,
        ["informatique"],
    ),
]


def _user(email):
    return User.objects.filter(email=email).first()


@transaction.atomic
def load(stdout=None):
    rng = random.Random(2026)
    today = timezone.localdate()
    themes = {t.slug: t for t in Theme.objects.all()}
    # The City bodies added for the internships below are left out, so that the missions keep their organisation
    # from one run to the next (get_or_create by organisation and title).
    organizations = list(
        Organization.objects.filter(verified=True)
        .exclude(kind="company")
        .exclude(name__in=[name for name, _ in CITY_BODIES[1:]])
        .order_by("pk")
    )
    if not organizations:
        if stdout:
            stdout.write("Volunteering: no verified organisation, run accounts demo first.")
        return
    created = 0
    missions = []
    for i, (title, description, slugs, schedule, weekdays, slots, commitment, hours, places, skills) in enumerate(
        MISSIONS
    ):
        organization = organizations[i % len(organizations)]
        place = PLACES[i % len(PLACES)]
        point = Point(place[2], place[3], srid=4326)
        try:
            district = locate(point).district
        except OutsideParis:
            district = None
        start = today + datetime.timedelta(days=3 + (i * 5) % 40)
        end = start if schedule == "one_off" else start + datetime.timedelta(days=30 + (i * 11) % 120)
        remote = "distance" in description
        mission, was_created = Mission.objects.get_or_create(
            organization=organization,
            title=title,
            defaults={
                "description": description,
                "address": place[1],
                "location": None if remote else point,
                "remote": remote,
                "district": None if remote else district,
                "schedule": schedule,
                "start_date": start,
                "end_date": end,
                "weekdays": [start.weekday()] if schedule == "one_off" else weekdays,
                "time_slots": slots,
                "commitment": commitment,
                "commitment_hours": hours,
                "places": places,
                "skills": skills,
                "min_age": 16 if "Maraude" in title else None,
                "accessible": i % 3 == 0,
                "contact_name": organization.name,
                "contact_email": organization.email,
                "status": Mission.Status.PUBLISHED,
                "published_at": timezone.now() - datetime.timedelta(days=i % 10),
                "views_count": rng.randint(5, 300),
            },
        )
        if was_created:
            mission.themes.set([themes[s] for s in slugs if s in themes])
            created += 1
        missions.append(mission)

    for email, slugs, availability, (lon, lat), radius, skills in VOLUNTEER_PROFILES:
        user = _user(email)
        if user is None:
            continue
        profile, was_created = VolunteerProfile.objects.get_or_create(
            user=user,
            defaults={
                "availability": availability,
                "home_location": Point(lon, lat, srid=4326),
                "radius_km": radius,
                "skills": skills,
                "languages": ["français"],
                "weekly_email": True,
            },
        )
        if was_created:
            profile.themes.set([themes[s] for s in slugs if s in themes])

    residents = list(User.objects.filter(email__endswith="@participe.demo", organizations__isnull=True, is_team=False))
    applications = 0
    statuses = ["submitted", "submitted", "shortlisted", "invited", "declined", "accepted"]
    messages = [
        "Bonjour, je suis disponible et très motivé·e par cette mission.",
        "J'habite à côté et j'aimerais donner un peu de mon temps.",
        "J'ai déjà fait du bénévolat dans une association similaire.",
        "Bonjour ! Je peux venir dès la semaine prochaine.",
    ]
    already = Application.objects.filter(mission__in=missions).exists()
    for mission in [] if already else missions[:18]:
        for volunteer in rng.sample(residents, k=min(len(residents), rng.randint(2, 5))):
            status = rng.choice(statuses)
            if status == "accepted" and mission.accepted_count >= mission.places:
                status = "shortlisted"
            application, was_created = Application.objects.get_or_create(
                volunteer=volunteer,
                mission=mission,
                defaults={"organization": mission.organization, "message": rng.choice(messages), "status": status},
            )
            if not was_created:
                continue
            applications += 1
            ApplicationEvent.objects.create(application=application, actor=volunteer, to_status="submitted")
            if status != "submitted":
                application.first_response_at = application.created_at + datetime.timedelta(hours=rng.randint(3, 96))
                if status == "invited":
                    application.convocation_at = timezone.now() + datetime.timedelta(days=rng.randint(2, 10))
                    application.convocation_place = mission.address
                application.save()
                ApplicationEvent.objects.create(application=application, from_status="submitted", to_status=status)
            if status == "accepted":
                mission.accepted_count += 1
                if mission.accepted_count >= mission.places:
                    mission.status = Mission.Status.FULL
                mission.save(update_fields=["accepted_count", "status"])
    if stdout:
        stdout.write(f"Volunteering: {created} missions created ({len(missions)} in all), {applications} applications.")
    load_internships(stdout, rng, residents)


# --- Internships at the City (stages.paris.fr): directions and partner bodies, their offers, candidates ----------

# (name, description): the City's directions and partner bodies, organisations of kind city service.
CITY_BODIES = [
    ("Direction des espaces verts et de l'environnement", "Parcs, jardins, bois et cimetières de la Ville de Paris."),
    ("Direction des affaires culturelles", "Bibliothèques, conservatoires, musées et patrimoine de la Ville."),
    ("Direction de la propreté et de l'eau", "Nettoiement des rues, collecte des déchets, eau et assainissement."),
    ("Direction de la voirie et des déplacements", "Rues, ponts, pistes cyclables et stationnement."),
    ("Direction des finances et des achats", "Budget, comptabilité et marchés publics de la Ville."),
    ("Direction des solidarités", "Action sociale, autonomie, protection de l'enfance."),
    # Partner bodies: the social action centre, a community centre, an arrondissement's town hall.
    ("Centre d'action sociale de la Ville de Paris", "Établissement public : aide sociale, résidences, accueil."),
    ("Centre Paris Anim' Curial", "Centre d'animation du 19e: ateliers, jeunesse, vie de quartier."),
    ("Mairie du 11e arrondissement", "Accueil des habitants, état civil, conseils de quartier."),
]

# (body, title, trade, level, paid, weeks, hours, places, address, lon, lat, tasks, description)
INTERNSHIPS = [
    (
        0,
        "Stage jardinier au parc Monceau",
        "Jardinier paysagiste",
        "cap_bac",
        True,
        12,
        35,
        2,
        "35 boulevard de Courcelles, 75008 Paris",
        2.3090,
        48.8796,
        "Tailler, planter et arroser les massifs ; entretenir les pelouses ; accueillir le public.",
        "Rejoignez l'équipe des jardiniers du parc Monceau pour la saison des plantations.",
    ),
    (
        0,
        "Stage en gestion écologique des bois",
        "Écologie, biodiversité",
        "bac_5",
        True,
        24,
        35,
        1,
        "Bois de Vincennes, route de la Pyramide, 75012 Paris",
        2.4560,
        48.8350,
        "Inventaires faune et flore, plan de gestion différenciée, cartographie sous QGIS.",
        "Un stage de fin d'études à la division du bois de Vincennes.",
    ),
    (
        0,
        "Stage d'observation de 3e : métiers du jardin",
        "Jardinier paysagiste",
        "observation_3e",
        False,
        1,
        30,
        4,
        "Jardin des Plantes, 57 rue Cuvier, 75005 Paris",
        2.3597,
        48.8440,
        "Découvrir les métiers des parcs : serres, arboriculture, accueil du public.",
        "Une semaine pour découvrir les métiers des espaces verts.",
    ),
    (
        1,
        "Stage médiation culturelle en bibliothèque",
        "Médiation culturelle",
        "bac_3",
        False,
        8,
        35,
        1,
        "2 rue Fleury, 75018 Paris",
        2.3535,
        48.8845,
        "Préparer les ateliers jeunesse, accueillir les classes, animer le club lecture.",
        "À la bibliothèque Goutte d'Or, avec l'équipe jeunesse.",
    ),
    (
        1,
        "Stage assistant régie de conservatoire",
        "Régie de spectacle",
        "bac_2",
        True,
        10,
        35,
        1,
        "Conservatoire du 14e, 26 rue Mouton-Duvernet, 75014 Paris",
        2.3266,
        48.8331,
        "Préparer les salles, le son et la lumière des auditions ; suivre le planning.",
        "Au conservatoire municipal, avec le régisseur général.",
    ),
    (
        2,
        "Stage technicien qualité de l'eau",
        "Analyses de l'eau",
        "bac_2",
        True,
        16,
        35,
        2,
        "Quai de Valmy, 75010 Paris",
        2.3660,
        48.8720,
        "Prélèvements, analyses en laboratoire, suivi des fontaines et des canaux.",
        "Au service technique de l'eau et de l'assainissement.",
    ),
    (
        3,
        "Stage ingénieur mobilités cyclables",
        "Aménagement urbain",
        "bac_5",
        True,
        24,
        35,
        1,
        "Place d'Italie, 75013 Paris",
        2.3556,
        48.8313,
        "Comptages vélo, études d'aménagement de pistes, concertation avec les habitants.",
        "À la section des déplacements du 13e.",
    ),
    (
        4,
        "Stage contrôle de gestion",
        "Comptabilité publique",
        "bac_5",
        True,
        20,
        35,
        1,
        "Hôtel de Ville, place de l'Hôtel de Ville, 75004 Paris",
        2.3522,
        48.8566,
        "Tableaux de bord budgétaires, analyse des écarts, préparation du budget participatif.",
        "Au service du contrôle de gestion de la direction des finances.",
    ),
    (
        5,
        "Stage assistant de service social",
        "Travail social",
        "bac_3",
        True,
        12,
        35,
        2,
        "Mairie du 14e, 2 place Ferdinand Brunot, 75014 Paris",
        2.3266,
        48.8331,
        "Accueil et accompagnement des familles, visites à domicile avec les assistants sociaux.",
        "Au service social de proximité du 14e.",
    ),
    (
        6,
        "Stage accueil en résidence autonomie",
        "Travail social",
        "cap_bac",
        False,
        6,
        30,
        2,
        "5 boulevard Diderot, 75012 Paris",
        2.3737,
        48.8449,
        "Accueillir les résidents, animer des ateliers, accompagner les sorties.",
        "Dans une résidence autonomie du Centre d'action sociale.",
    ),
    (
        7,
        "Stage animation jeunesse",
        "Animation socioculturelle",
        "cap_bac",
        False,
        8,
        30,
        2,
        "16 rue Colette Magny, 75019 Paris",
        2.3720,
        48.8935,
        "Co-animer les ateliers du mercredi, préparer la fête de quartier.",
        "Au centre Paris Anim' Curial, avec l'équipe d'animation.",
    ),
    (
        8,
        "Stage communication de la mairie d'arrondissement",
        "Communication",
        "bac_3",
        True,
        12,
        35,
        1,
        "12 place Léon Blum, 75011 Paris",
        2.3795,
        48.8590,
        "Rédiger le journal de l'arrondissement, animer les réseaux sociaux, couvrir les conseils de quartier.",
        "Au cabinet de la mairie du 11e.",
    ),
]

# Spontaneous applications: (body or None for the DEVE, trade, level, months from now, weeks, letter)
SPONTANEOUS = [
    (
        0,
        "Jardinier paysagiste",
        "cap_bac",
        2,
        10,
        "Je prépare un CAP jardinier paysagiste et cherche un stage au printemps.",
    ),
    (0, "Jardinier paysagiste", "cap_bac", 2, 8, "Passionnée de plantes, je voudrais découvrir les parcs de Paris."),
    (0, "Jardinier paysagiste", "bac_2", 3, 12, "En BTS aménagements paysagers, je cherche un stage de 12 semaines."),
    (
        1,
        "Médiation culturelle",
        "bac_3",
        1,
        8,
        "En licence de médiation culturelle, j'aimerais travailler en bibliothèque.",
    ),
    (5, "Travail social", "bac_3", 2, 12, "Étudiante assistante de service social, je cherche mon stage de 2e année."),
    (5, "Travail social", "bac_3", 2, 12, "Je souhaite faire mon stage en polyvalence de secteur."),
    (3, "Aménagement urbain", "bac_5", 4, 24, "En master d'urbanisme, je cherche mon stage de fin d'études."),
    (2, "Analyses de l'eau", "bac_2", 1, 8, "En BTS métiers de l'eau, disponible dès le mois prochain."),
    (1, "Médiation culturelle", "bac_5", 1, 24, "En master de politiques culturelles, je cherche un stage long."),
    (3, "Aménagement urbain", "bac_5", 4, 24, "Élève ingénieur, je souhaite travailler sur les pistes cyclables."),
    (0, "Écologie, biodiversité", "bac_5", 3, 24, "En master d'écologie, je voudrais contribuer aux plans de gestion."),
    (0, "Écologie, biodiversité", "bac_3", 3, 12, "En licence de biologie, passionné de biodiversité urbaine."),
]


def _month_start(today, months):
    index = today.year * 12 + today.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def load_internships(stdout, rng, residents):
    """The City's directions and partner bodies with their internship offers, applications and spontaneous
    applications (idempotent: found by name and title; applications only the first time)."""
    from django.contrib.auth.models import Group, Permission

    today = timezone.localdate()
    bodies = []
    for name, description in CITY_BODIES:
        body, _ = Organization.objects.get_or_create(
            name=name, defaults={"kind": "city_service", "description": description, "verified": True}
        )
        bodies.append(body)
    office = Group.objects.get_or_create(name="Bureau des stages")[0]
    office.permissions.add(Permission.objects.get(codename="internship_office", content_type__app_label="volunteering"))
    desk = _user("bureau-des-stages@participe.demo")
    if desk is not None:
        desk.groups.add(office)
    offers, created = [], 0
    for i, row in enumerate(INTERNSHIPS):
        body, title, trade, level, paid, weeks, hours, places, address, lon, lat, tasks, description = row
        point = Point(lon, lat, srid=4326)
        try:
            district = locate(point).district
        except OutsideParis:
            district = None
        start = today + datetime.timedelta(days=20 + (i * 9) % 90)
        offer, was_created = Mission.objects.get_or_create(
            organization=bodies[body],
            title=title,
            defaults={
                "kind": Mission.Kind.INTERNSHIP,
                "description": description,
                "tasks": tasks,
                "trade": trade,
                "level": level,
                "paid": paid,
                "duration_weeks": weeks,
                "weekly_hours": hours,
                "places": places,
                "address": address,
                "location": point,
                "district": district,
                "schedule": Mission.Schedule.PERIOD,
                "start_date": start,
                "end_date": start + datetime.timedelta(weeks=weeks, days=-1),
                "tutor_name": "Dominique Lefèvre",
                "tutor_email": "tuteur.stages@paris.fr",
                "publication_start": today - datetime.timedelta(days=30),
                "publication_end": start - datetime.timedelta(days=7),
                "contact_name": bodies[body].name,
                "status": Mission.Status.PUBLISHED,
                # Published over the last months, so that the office's month-by-month figures have a history.
                "published_at": timezone.now() - datetime.timedelta(days=10 + (i * 23) % 200),
                "views_count": rng.randint(20, 400),
            },
        )
        created += was_created
        offers.append(offer)
    applications = 0
    if residents and not Application.objects.filter(kind=Mission.Kind.INTERNSHIP).exists():
        letters = [
            "Madame, Monsieur, votre offre correspond exactement à ma formation et à mon projet professionnel.",
            "Bonjour, je suis très intéressé·e par ce stage et disponible aux dates indiquées.",
            "Je souhaite découvrir le service public parisien : ce stage serait une belle première expérience.",
        ]
        for i, offer in enumerate(offers):
            for volunteer in rng.sample(residents, k=min(len(residents), 1 + (i * 7) % 6)):
                status = rng.choice(["submitted", "submitted", "shortlisted", "invited", "declined", "accepted"])
                if status == "accepted" and offer.accepted_count >= offer.places:
                    status = "shortlisted"
                application = Application.objects.create(
                    volunteer=volunteer,
                    mission=offer,
                    kind=Mission.Kind.INTERNSHIP,
                    organization=offer.organization,
                    message=rng.choice(letters),
                    status=status,
                )
                # Applied over the offer's publication; answered within hours or weeks, depending on the body.
                age = (timezone.now() - offer.published_at).days
                applied = offer.published_at + datetime.timedelta(days=rng.randint(0, min(20, age - 8)))
                answered = applied + datetime.timedelta(hours=rng.randint(4, 24 * (1 + offer.organization_id % 7)))
                Application.objects.filter(pk=application.pk).update(
                    created_at=min(applied, timezone.now()),
                    first_response_at=None if status == "submitted" else min(answered, timezone.now()),
                )
                ApplicationEvent.objects.create(application=application, actor=volunteer, to_status="submitted")
                if status != "submitted":
                    ApplicationEvent.objects.create(application=application, from_status="submitted", to_status=status)
                if status == "accepted":
                    offer.accepted_count += 1
                    offer.save(update_fields=["accepted_count"])
                applications += 1
        for j, (body, trade, level, months, weeks, letter) in enumerate(SPONTANEOUS):
            Application.objects.create(
                volunteer=residents[(j * 5) % len(residents)],
                organization=bodies[body],
                kind=Mission.Kind.INTERNSHIP,
                message=letter,
                wished_trade=trade,
                wished_level=level,
                available_from=_month_start(today, months),
                available_weeks=weeks,
            )
            applications += 1
    if stdout:
        stdout.write(
            f"Internships: {len(bodies)} directions and partner bodies, {created} offers created ({len(offers)} in "
            f"all), {applications} applications."
        )
