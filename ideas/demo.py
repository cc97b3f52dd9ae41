"""Demo content of Paris Idée (idempotent): believable ideas with needs, partner profiles, connections, messages."""

from django.db import transaction

from accounts.demo import RESIDENT_NAMES, slug_email
from accounts.models import Organization, User

from . import services
from .models import Connection, Idea, Offer, PartnerProfile

# title, pitch, themes, districts, stage, needs [(kind, description, amount)], holder index or org name
IDEAS = [
    (
        "Toits solaires sur les écoles du 11e",
        "Équiper les toits des écoles de panneaux solaires financés par les habitants.",
        ["energie"],
        [11],
        "building",
        [
            ("funding", "Achat et pose de 60 m² de panneaux", 45000),
            ("institutional", "Accord de la mairie d'arrondissement", None),
            ("skills", "Un bureau d'études pour la structure", None),
        ],
        0,
    ),
    (
        "Composteur partagé square Gardette",
        "Un composteur collectif géré par les voisins, au cœur du square.",
        ["environnement", "vegetalisation"],
        [11],
        "prototype",
        [
            ("equipment", "Trois bacs de compostage en bois", None),
            ("volunteers", "Une dizaine de référents composteurs", None),
        ],
        "Les Jardins Partagés du 11e",
    ),
    (
        "Atelier vélo mobile dans le 19e",
        "Un triporteur-atelier qui répare les vélos au pied des immeubles.",
        ["mobilite", "solidarite"],
        [19],
        "idea",
        [
            ("funding", "Achat du triporteur équipé", 8500),
            ("place", "Un local pour ranger le triporteur la nuit", None),
            ("volunteers", "Des mécaniciens bénévoles le samedi", None),
        ],
        1,
    ),
    (
        "Cartographie des îlots de fraîcheur",
        "Une carte collaborative des lieux frais accessibles pendant les canicules.",
        ["donnees", "environnement"],
        [],
        "building",
        [("skills", "Un développeur cartographe", None), ("communication", "Relais auprès des seniors isolés", None)],
        2,
    ),
    (
        "Ruelle végétalisée passage Josset",
        "Transformer le passage en ruelle verte avec jardinières et plantes grimpantes.",
        ["vegetalisation"],
        [11],
        "idea",
        [
            ("equipment", "Jardinières et treillages", None),
            ("funding", "Terre et plants", 2500),
            ("institutional", "Autorisation de la voirie", None),
        ],
        3,
    ),
    (
        "Repair café de la Goutte d'Or",
        "Un samedi par mois, on répare ensemble petit électroménager et vêtements.",
        ["solidarite", "environnement"],
        [18],
        "running",
        [
            ("place", "Une salle de 60 m² un samedi par mois", None),
            ("volunteers", "Des bricoleurs et couturières", None),
        ],
        4,
    ),
    (
        "Boîtes à livres dans les halls HLM",
        "Des boîtes à livres dans dix halls d'immeubles sociaux du 20e.",
        ["culture", "education"],
        [20],
        "prototype",
        [("equipment", "Dix meubles de récupération", None), ("communication", "Affiches et flyers bilingues", None)],
        5,
    ),
    (
        "Capteurs de qualité de l'air citoyens",
        "Cent capteurs posés aux fenêtres pour mesurer les particules fines rue par rue.",
        ["donnees", "sante", "environnement"],
        [10, 11],
        "building",
        [
            ("funding", "Achat de 100 capteurs", 12000),
            ("skills", "Analyse des données", None),
            ("communication", "Restitution publique des résultats", None),
        ],
        6,
    ),
    (
        "Cantine solidaire du 13e",
        "Une cantine à prix libre tenue par des habitants, ouverte à tous.",
        ["solidarite"],
        [13],
        "idea",
        [
            ("place", "Une cuisine professionnelle", None),
            ("funding", "Équipement de cuisine", 18000),
            ("volunteers", "Cuisiniers et serveurs bénévoles", None),
        ],
        7,
    ),
    (
        "Fresque participative sur le mur du gymnase",
        "Une fresque peinte avec les jeunes du quartier sur le thème de la Seine.",
        ["culture", "architecture-urbanisme"],
        [15],
        "idea",
        [("funding", "Peinture et nacelle", 4000), ("institutional", "Accord du propriétaire du mur", None)],
        8,
    ),
    (
        "Coin numérique à la bibliothèque",
        "Des permanences pour aider les seniors à faire leurs démarches en ligne.",
        ["numerique", "solidarite"],
        [14],
        "running",
        [("volunteers", "Aidants numériques bénévoles", None), ("equipment", "Cinq ordinateurs reconditionnés", None)],
        9,
    ),
    (
        "Potager sur le toit du marché",
        "Cultiver légumes et aromatiques sur le toit du marché couvert.",
        ["vegetalisation", "environnement"],
        [12],
        "idea",
        [
            ("place", "Accès au toit du marché", None),
            ("skills", "Un ingénieur structure", None),
            ("funding", "Bacs et irrigation", 9000),
        ],
        10,
    ),
    (
        "Rue aux écoles rue de Tanger",
        "Fermer la rue aux voitures aux heures d'entrée et de sortie des classes.",
        ["mobilite", "education"],
        [19],
        "building",
        [("institutional", "Arrêté de circulation", None), ("communication", "Concertation avec les riverains", None)],
        11,
    ),
    (
        "Festival de quartier zéro déchet",
        "Un festival de rue où tout est consigné, réparé ou composté.",
        ["environnement", "culture"],
        [3, 4],
        "idea",
        [
            ("funding", "Scène et sonorisation", 6000),
            ("volunteers", "Bénévoles pour le tri", None),
            ("communication", "Campagne d'affichage", None),
        ],
        12,
    ),
    (
        "Bornes de recharge vélo-cargo",
        "Des bornes de recharge pour vélos-cargos des artisans du Marais.",
        ["mobilite", "energie"],
        [3],
        "idea",
        [("funding", "Quatre bornes", 16000), ("institutional", "Emplacements sur l'espace public", None)],
        13,
    ),
    (
        "Ateliers d'éloquence pour collégiens",
        "Des ateliers de prise de parole animés par des étudiants.",
        ["education"],
        [18, 19],
        "running",
        [("volunteers", "Étudiants animateurs", None), ("place", "Salle de classe le mercredi", None)],
        14,
    ),
    (
        "Ombrières végétales place de la Réunion",
        "Des ombrières couvertes de plantes grimpantes pour les étés caniculaires.",
        ["vegetalisation", "architecture-urbanisme"],
        [20],
        "idea",
        [("skills", "Un paysagiste concepteur", None), ("funding", "Structure et plantations", 30000)],
        15,
    ),
    (
        "Coopérative d'énergie des Batignolles",
        "Produire et partager l'électricité solaire entre voisins.",
        ["energie"],
        [17],
        "building",
        [
            ("skills", "Juriste pour les statuts coopératifs", None),
            ("funding", "Premières installations", 60000),
            ("communication", "Réunions d'information", None),
        ],
        16,
    ),
    (
        "Bibliothèque d'outils partagée",
        "Emprunter une perceuse plutôt que l'acheter : une outilthèque de quartier.",
        ["solidarite", "environnement"],
        [10],
        "prototype",
        [("place", "Un local de 20 m²", None), ("equipment", "Outillage de base", None)],
        17,
    ),
    (
        "Balades sonores du patrimoine",
        "Des parcours audio racontant l'histoire des rues du 5e.",
        ["culture", "numerique"],
        [5],
        "idea",
        [("skills", "Ingénieur du son", None), ("funding", "Production des épisodes", 5000)],
        18,
    ),
    (
        "Laverie solidaire mobile",
        "Une camionnette-laverie pour les personnes sans domicile.",
        ["solidarite", "sante"],
        [],
        "idea",
        [
            ("funding", "Aménagement de la camionnette", 40000),
            ("volunteers", "Accueillants bénévoles", None),
            ("institutional", "Soutien du CASS", None),
        ],
        19,
    ),
    (
        "Jardin de pluie rue Championnet",
        "Désimperméabiliser un trottoir pour absorber l'eau de pluie.",
        ["vegetalisation", "environnement"],
        [18],
        "idea",
        [("institutional", "Accord de la DVD", None), ("skills", "Hydrologue urbain", None)],
        20,
    ),
    (
        "Apprendre à coder au centre social",
        "Des ateliers de code pour les 10-14 ans le samedi matin.",
        ["numerique", "education"],
        [13],
        "running",
        [("equipment", "Quinze ordinateurs portables", None), ("volunteers", "Développeurs bénévoles", None)],
        21,
    ),
    (
        "Marché de producteurs en circuit court",
        "Un marché mensuel de producteurs franciliens place des Fêtes.",
        ["environnement"],
        [19],
        "idea",
        [("place", "Emplacement sur la place", None), ("communication", "Communication auprès des habitants", None)],
        22,
    ),
    (
        "Piétonnisation de la rue Mouffetard le dimanche",
        "Rendre la rue aux piétons chaque dimanche.",
        ["mobilite"],
        [5],
        "idea",
        [("institutional", "Arrêté municipal", None), ("volunteers", "Bénévoles pour l'animation", None)],
        23,
    ),
    (
        "Ressourcerie de quartier à Belleville",
        "Collecter, réparer et revendre à petit prix meubles et objets.",
        ["environnement", "solidarite"],
        [20],
        "building",
        [("place", "Un local de 150 m²", None), ("funding", "Camion de collecte", 25000)],
        24,
    ),
    (
        "Ateliers d'autoréparation énergie",
        "Apprendre à réduire sa facture : isolation, réglages, petits travaux.",
        ["energie", "solidarite"],
        [18, 19, 20],
        "idea",
        [("skills", "Conseillers en rénovation", None), ("funding", "Kits d'économie d'énergie", 7000)],
        25,
    ),
    (
        "Données ouvertes des fontaines",
        "Signaler en temps réel les fontaines en panne grâce aux habitants.",
        ["donnees", "numerique"],
        [],
        "prototype",
        [("skills", "Développeur mobile", None), ("institutional", "Accès aux données d'Eau de Paris", None)],
        26,
    ),
    (
        "Terrasses fraîches pour les seniors",
        "Des bancs ombragés et des brumisateurs devant les résidences seniors.",
        ["sante", "architecture-urbanisme"],
        [16],
        "idea",
        [("funding", "Bancs et brumisateurs", 14000), ("institutional", "Accord des bailleurs", None)],
        27,
    ),
    (
        "Chorale intergénérationnelle du 9e",
        "Une chorale qui réunit écoliers et résidents d'EHPAD.",
        ["culture", "solidarite"],
        [9],
        "running",
        [("place", "Salle de répétition", None), ("communication", "Concert de fin d'année", None)],
        28,
    ),
]

# organisation name -> (description, themes, districts, offers [(kind, description)], capacity)
PARTNERS = {
    "Énergies Citoyennes Paris": (
        "Entreprise de l'économie sociale qui finance et installe des équipements d'énergie renouvelable citoyens.",
        ["energie", "environnement"],
        [],
        [
            ("funding", "Cofinancement jusqu'à 50 000 €"),
            ("skills", "Ingénieurs en énergie solaire"),
            ("equipment", "Panneaux et onduleurs"),
        ],
        5,
    ),
    "Fondation Paris Durable": (
        "Fondation qui soutient financièrement les projets environnementaux portés par les habitants.",
        ["environnement", "vegetalisation", "energie"],
        [],
        [("funding", "Subventions de 2 000 à 30 000 €"), ("communication", "Mise en avant dans notre lettre")],
        10,
    ),
    "Fab'Lab Belleville": (
        "Atelier de fabrication numérique : découpe laser, impression 3D, électronique.",
        ["numerique", "education"],
        [19, 20],
        [
            ("equipment", "Machines et outillage"),
            ("skills", "Électronique et prototypage"),
            ("place", "Atelier ouvert le soir"),
        ],
        3,
    ),
    "Incubateur Quartiers Numériques": (
        "Incubateur de projets à impact social et numérique.",
        ["numerique", "donnees", "solidarite"],
        [],
        [
            ("skills", "Accompagnement et mentorat"),
            ("communication", "Réseau de partenaires"),
            ("place", "Bureaux partagés"),
        ],
        8,
    ),
    "Coop'Énergie Est Parisien": (
        "Coopérative de production d'énergie solaire dans l'est parisien.",
        ["energie"],
        [11, 12, 19, 20],
        [("funding", "Investissement citoyen"), ("skills", "Montage de coopératives")],
        4,
    ),
    "Direction des espaces verts et de l'environnement": (
        "Service de la Ville de Paris chargé des parcs, jardins et de la végétalisation.",
        ["vegetalisation", "environnement"],
        [],
        [
            ("institutional", "Autorisations et accompagnement"),
            ("equipment", "Prêt de bacs et de terre"),
            ("skills", "Jardiniers de la Ville"),
        ],
        20,
    ),
    "Paris Vélo Solidaire": (
        "Ateliers de réparation de vélos et remise en selle.",
        ["mobilite", "solidarite"],
        [18, 19, 20],
        [("volunteers", "Mécaniciens bénévoles"), ("skills", "Formation à la mécanique vélo")],
        2,
    ),
}

CONVERSATIONS = [
    # idea title, partner org, need kind, accepted?, messages [(side, text)]
    (
        "Toits solaires sur les écoles du 11e",
        "Énergies Citoyennes Paris",
        "funding",
        False,
        [
            (
                "partner",
                "Bonjour, votre projet correspond exactement à notre fonds de cofinancement. Pouvons-nous en parler ?",
            ),
            ("holder", "Avec plaisir ! Nous avons déjà l'accord de deux directrices d'école."),
            ("partner", "Parfait. Je vous propose un rendez-vous mardi à 18 h à la mairie du 11e."),
        ],
    ),
    (
        "Coopérative d'énergie des Batignolles",
        "Énergies Citoyennes Paris",
        "skills",
        True,
        [
            ("holder", "Bonjour, pourriez-vous nous aider à rédiger les statuts de la coopérative ?"),
            ("partner", "Oui, notre juriste peut vous accompagner sur trois séances. J'accepte volontiers."),
        ],
    ),
    (
        "Atelier vélo mobile dans le 19e",
        "Paris Vélo Solidaire",
        "volunteers",
        False,
        [("holder", "Bonjour, auriez-vous des mécaniciens disponibles le samedi matin ?")],
    ),
]


def _residents():
    emails = [slug_email(name) for name in RESIDENT_NAMES]
    by_email = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [by_email[e] for e in emails if e in by_email]


def _partner_member(org):
    return User.objects.filter(memberships__organization=org).order_by("pk").first()


@transaction.atomic
def load(stdout=None):
    residents = _residents()
    if not residents:
        if stdout:
            stdout.write("Ideas: demo accounts missing, run accounts demo first.")
        return
    created_ideas = created_partners = 0
    for name, (description, themes, districts, offers, capacity) in PARTNERS.items():
        org = Organization.objects.filter(name=name).first()
        if org is None or PartnerProfile.objects.filter(organization=org).exists():
            continue
        member = _partner_member(org)
        if member is not None:
            services.create_partner(
                member,
                organization=org,
                description=description,
                themes=themes,
                districts=districts,
                offers=[{"kind": k, "description": d} for k, d in offers],
                capacity=capacity,
            )
        else:  # organisations of the demo without accounts: the profile is set up directly
            partner = PartnerProfile.objects.create(organization=org, description=description, capacity=capacity)
            partner.themes.set(services._themes(themes))
            partner.districts.set(services._districts(districts))
            Offer.objects.bulk_create([Offer(partner=partner, kind=k, description=d) for k, d in offers])
            services._refresh_partner_search(partner)
        created_partners += 1
    association = Organization.objects.filter(name="Les Jardins Partagés du 11e").first()
    for title, pitch, themes, districts, stage, needs, who in IDEAS:
        if Idea.objects.filter(title=title).exists():
            continue
        if isinstance(who, str):
            org = Organization.objects.get(name=who) if who != association.name else association
            holder, organization = _partner_member(org), org
        else:
            holder, organization = residents[who % len(residents)], None
        if holder is None:
            continue
        services.create_idea(
            holder,
            organization=organization,
            title=title,
            pitch=pitch,
            description=f"{pitch}\n\nNous cherchons des partenaires pour **passer à l'action** rapidement.",
            themes=themes,
            districts=districts,
            stage=stage,
            needs=[{"kind": k, "description": d, "amount": a} for k, d, a in needs],
        )
        created_ideas += 1
    for title, org_name, kind, accepted, thread in CONVERSATIONS:
        idea = Idea.objects.filter(title=title).first()
        partner = PartnerProfile.objects.filter(organization__name=org_name).first()
        if idea is None or partner is None or Connection.objects.filter(idea=idea, partner=partner).exists():
            continue
        need = idea.needs.filter(kind=kind, covered=False).first()
        partner_user = _partner_member(partner.organization)
        holder = idea.holder
        if need is None or holder is None:
            continue
        first_side, first_text = thread[0]
        if first_side == "partner" and partner_user is None:
            continue
        initiator = partner_user if first_side == "partner" else holder
        connection = services.propose_connection(initiator, idea, partner=partner, need=need, message=first_text)
        for side, text in thread[1:]:
            author = partner_user if side == "partner" else holder
            if author is not None:
                services.post_message(author, connection, text)
        if accepted:
            decider = holder if first_side == "partner" else partner_user
            if decider is not None:
                services.decide_connection(decider, connection, "accepted")
    for resident in residents[:12]:
        for idea in Idea.objects.filter(status__in=Idea.OPEN_STATUSES).order_by("pk")[: 3 + resident.pk % 5]:
            services.support(resident, idea)
    if stdout:
        stdout.write(
            f"Ideas: {created_ideas} ideas and {created_partners} partner profiles created "
            f"({Idea.objects.count()} ideas, {PartnerProfile.objects.count()} partners, "
            f"{Connection.objects.count()} connections)."
        )
