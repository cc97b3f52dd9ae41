"""Demo: "Paris intelligente et durable" v1 and v2, offline contributions, comments and triage (idempotent).

Runs last (strategy is last in INSTALLED_APPS), so the map proposals, ideas and missions of the other apps exist:
their inbox rows are synchronised from the registry first.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from core.models import District, Theme

from . import services
from .models import Chapter, Contribution, Document, Section, SectionComment, Version

TITLE = "Paris intelligente et durable — perspectives 2020 et au-delà"

# (theme slug, chapter title, [(section slug, title, v1 body, v2 body or None)])
CHAPTERS = [
    (
        "donnees",
        "Données : une ville qui partage ce qu'elle sait",
        [
            (
                "donnees-ouvertes",
                "Ouvrir les données par défaut",
                "La Ville de Paris publie ses données sur sa plateforme d'open data depuis 2011. Nous faisons de "
                "l'ouverture la règle : toute donnée produite par un service municipal, qui ne relève ni de la vie "
                "privée ni de la sécurité, a vocation à être publiée dans un format réutilisable.\n\n"
                "- un inventaire des jeux de données de chaque direction, mis à jour chaque année ;\n"
                "- des données de qualité, documentées et datées ;\n"
                "- une licence ouverte (ODbL) pour tous les jeux publiés.",
                "La Ville de Paris publie ses données sur sa plateforme d'open data depuis 2011. Nous faisons de "
                "l'ouverture la règle : toute donnée produite par un service municipal, qui ne relève ni de la vie "
                "privée ni de la sécurité, est publiée dans un format réutilisable, **dans un délai de trois mois**.\n\n"
                "- un inventaire des jeux de données de chaque direction, mis à jour chaque année ;\n"
                "- des données de qualité, documentées, datées et **accompagnées d'un contact** ;\n"
                "- une licence ouverte (ODbL) pour tous les jeux publiés ;\n"
                "- des données en temps réel pour les transports, la qualité de l'air et les chantiers, "
                "comme l'ont demandé les participants de l'atelier du 12e.",
            ),
            (
                "donnees-gouvernance",
                "Une gouvernance éthique de la donnée",
                "Les données personnelles des Parisiennes et des Parisiens ne sont ni vendues ni cédées. Un comité "
                "d'éthique de la donnée, associant élus, chercheurs et habitants tirés au sort, rend un avis public "
                "sur tout projet qui croise des données personnelles ou recourt à un algorithme de décision.",
                None,
            ),
        ],
    ),
    (
        "participation",
        "Participation : décider avec les habitants",
        [
            (
                "participation-budget",
                "Le budget participatif, pilier de la démocratie locale",
                "Chaque année, 5 % du budget d'investissement est décidé par les Parisiennes et les Parisiens. "
                "Les projets sont proposés en ligne et lors d'ateliers de quartier, étudiés par les services, "
                "puis soumis au vote de toutes et tous à partir de 7 ans.",
                "Chaque année, 5 % du budget d'investissement est décidé par les Parisiennes et les Parisiens. "
                "Les projets sont proposés en ligne et lors d'ateliers de quartier, étudiés par les services, "
                "puis soumis au vote de toutes et tous à partir de 7 ans.\n\n"
                "Nous renforçons l'accompagnement des quartiers populaires : des permanences dans les centres "
                "sociaux et les bibliothèques aident à déposer un projet, et une part du budget leur est réservée.",
            ),
            (
                "participation-suivi",
                "Rendre compte de chaque contribution",
                "Une contribution qui reste sans réponse décourage. Chaque proposition reçue par la Ville reçoit "
                "un statut public : en analyse, retenue, intégrée à la stratégie, ou non retenue avec une raison "
                "explicite. Les auteurs sont prévenus à chaque étape.",
                None,
            ),
        ],
    ),
    (
        "mobilite",
        "Mobilité : une ville apaisée et accessible",
        [
            (
                "mobilite-velo",
                "Une ville 100 % cyclable",
                "Le Plan vélo prévoit un réseau continu et sécurisé de pistes cyclables, des stationnements "
                "sécurisés près des gares et des stations de métro, et l'aide à l'achat de vélos à assistance "
                "électrique et de vélos cargos.",
                "Le Plan vélo prévoit un réseau continu et sécurisé de pistes cyclables, des stationnements "
                "sécurisés près des gares, des stations de métro **et des écoles**, et l'aide à l'achat de vélos "
                "à assistance électrique et de vélos cargos.\n\n"
                "Les carrefours les plus accidentogènes signalés par les habitants sur la carte participative "
                "sont réaménagés en priorité, à commencer par les abords des places de la République et de la "
                "Bastille.",
            ),
            (
                "mobilite-rues-enfants",
                "Des rues aux écoles",
                "Les rues qui bordent les écoles sont progressivement fermées à la circulation motorisée aux heures "
                "d'entrée et de sortie, puis végétalisées et rendues aux piétons.",
                "Les rues qui bordent les écoles sont fermées à la circulation motorisée, puis végétalisées et "
                "rendues aux piétons : **300 rues aux écoles d'ici 2026**, choisies avec les conseils d'école et "
                "les conseils de quartier.",
            ),
        ],
    ),
    (
        "architecture-urbanisme",
        "Architecture et urbanisme : transformer sans démolir",
        [
            (
                "urbanisme-reemploi",
                "Réhabiliter plutôt que reconstruire",
                "Le bâtiment le plus sobre est celui qui existe déjà. La Ville privilégie la réhabilitation, la "
                "surélévation et le réemploi des matériaux, et impose un diagnostic ressources avant toute "
                "démolition de ses propres bâtiments.",
                None,
            ),
            (
                "urbanisme-cours-oasis",
                "Des cours d'école oasis",
                "Les cours d'écoles et de collèges sont désimperméabilisées, plantées et ombragées pour devenir "
                "des îlots de fraîcheur ouverts aux habitants le week-end.",
                "Les cours d'écoles et de collèges sont désimperméabilisées, plantées et ombragées pour devenir "
                "des îlots de fraîcheur ouverts aux habitants le week-end **et pendant les épisodes de canicule**.",
            ),
        ],
    ),
    (
        "energie",
        "Énergie : sobriété et production locale",
        [
            (
                "energie-renovation",
                "Rénover 40 000 logements par an",
                "La rénovation thermique des logements est le premier levier de réduction des émissions. "
                "L'Agence parisienne du climat accompagne gratuitement les copropriétés, du diagnostic au "
                "financement des travaux.",
                None,
            ),
            (
                "energie-solaire",
                "Produire une énergie renouvelable et citoyenne",
                "Les toits des équipements municipaux accueillent des panneaux solaires. La Ville soutient les "
                "coopératives citoyennes d'énergie qui associent les habitants au financement et aux bénéfices.",
                "Les toits des équipements municipaux accueillent des panneaux solaires : **20 hectares de toitures "
                "d'ici 2030**. La Ville soutient les coopératives citoyennes d'énergie qui associent les habitants "
                "au financement et aux bénéfices, et leur ouvre en priorité les toits des écoles et des gymnases.",
            ),
        ],
    ),
    (
        "numerique",
        "Numérique : responsable et inclusif",
        [
            (
                "numerique-inclusion",
                "Personne ne reste au bord du numérique",
                "Un Parisien sur six est éloigné du numérique. Chaque démarche en ligne garde une alternative "
                "humaine, et des conseillers numériques accueillent le public dans les mairies d'arrondissement "
                "et les bibliothèques.",
                "Un Parisien sur six est éloigné du numérique. Chaque démarche en ligne garde une alternative "
                "humaine **au guichet et par téléphone**, et des conseillers numériques accueillent le public "
                "dans les mairies d'arrondissement, les bibliothèques et les centres sociaux.",
            ),
            (
                "numerique-sobriete",
                "Un numérique sobre",
                "Les équipements informatiques de la Ville sont conservés plus longtemps, reconditionnés puis "
                "donnés aux associations. Les services numériques municipaux sont conçus pour être légers et "
                "accessibles (RGAA).",
                None,
            ),
        ],
    ),
    (
        "vegetalisation",
        "Végétalisation : une ville-jardin face au climat",
        [
            (
                "vegetalisation-arbres",
                "Planter 170 000 arbres",
                "D'ici 2026, 170 000 arbres sont plantés dans les rues, les parcs, les cours et les bois, en "
                "choisissant des essences adaptées au climat futur.",
                "D'ici 2026, 170 000 arbres sont plantés dans les rues, les parcs, les cours et les bois, en "
                "choisissant des essences adaptées au climat futur. Des **forêts urbaines** sont créées sur les "
                "grandes places, et les habitants peuvent proposer des emplacements sur la carte participative.",
            ),
            (
                "vegetalisation-permis",
                "Le permis de végétaliser",
                "Tout habitant peut obtenir un permis de végétaliser pour jardiner un pied d'arbre, une jardinière "
                "ou un mur. Les jardins partagés sont soutenus par la Ville.",
                None,
            ),
        ],
    ),
]

OFFLINE = [
    (
        "Des capteurs de qualité de l'air près des écoles",
        "Les parents demandent que les mesures de qualité de l'air devant les écoles soient publiées en temps réel.",
        "donnees",
        12,
        "Atelier « Données et santé », mairie du 12e",
        45,
        28,
    ),
    (
        "Publier le calendrier des chantiers",
        "Les riverains veulent connaître à l'avance les chantiers de voirie et leur durée.",
        "donnees",
        12,
        "Atelier « Données et santé », mairie du 12e",
        45,
        28,
    ),
    (
        "Sécuriser le carrefour de la place de la République",
        "Plusieurs cyclistes décrivent des conflits avec les bus au débouché du boulevard Magenta.",
        "mobilite",
        10,
        "Marche exploratoire vélo, 10e",
        60,
        19,
    ),
    (
        "Plus de stationnement vélo devant les écoles",
        "Les familles qui accompagnent les enfants à vélo ne trouvent pas d'arceaux.",
        "mobilite",
        11,
        "Courrier",
        75,
        1,
    ),
    (
        "Ouvrir les toits des gymnases aux coopératives solaires",
        "Proposition d'une coopérative citoyenne de l'Est parisien.",
        "energie",
        20,
        "Courrier",
        80,
        1,
    ),
    (
        "Accueil humain pour les démarches en ligne",
        "Des personnes âgées ne peuvent pas faire leurs démarches sans aide.",
        "numerique",
        19,
        "Atelier de co-construction « Numérique pour tous », centre social Riquet",
        50,
        22,
    ),
    (
        "Ouvrir les cours oasis pendant les canicules",
        "Les habitants sans climatisation demandent un accès aux cours fraîches l'été.",
        "architecture-urbanisme",
        18,
        "Atelier « Chaleur en ville », Goutte d'Or",
        55,
        31,
    ),
    (
        "Permanences budget participatif dans les centres sociaux",
        "Beaucoup ne savent pas comment déposer un projet.",
        "participation",
        20,
        "Réunion publique, conseil de quartier Belleville",
        90,
        64,
    ),
    (
        "Créer une forêt urbaine place de Catalogne",
        "Remplacer le minéral par un boisement dense.",
        "vegetalisation",
        14,
        "Courrier",
        40,
        1,
    ),
    (
        "Un cadastre solaire ouvert",
        "Savoir quels toits de mon quartier se prêtent au solaire.",
        "energie",
        13,
        "Atelier « Énergie citoyenne », mairie du 13e",
        20,
        17,
    ),
]

COMMENTS = [
    (
        "mobilite-velo",
        "des stationnements sécurisés près des gares",
        "Et près des écoles ! Les parents n'ont nulle part où attacher les vélos cargos.",
    ),
    ("numerique-inclusion", "", "L'alternative humaine doit aussi exister par téléphone, pas seulement au guichet."),
    (
        "donnees-ouvertes",
        "",
        "Pourquoi ne pas fixer un délai maximal de publication ? Trois mois me paraîtraient raisonnables.",
    ),
    ("vegetalisation-arbres", "", "Pourrait-on proposer des emplacements d'arbres directement sur la carte ?"),
    ("energie-solaire", "", "Un objectif chiffré de surface de toitures rendrait l'engagement vérifiable."),
]


def _say(stdout, msg):
    if stdout:
        stdout.write(msg)


def _team():
    return User.objects.filter(email="equipe@participe.demo").first() or User.objects.filter(is_team=True).first()


def _residents():
    return list(User.objects.filter(email__endswith="@participe.demo", is_team=False).order_by("pk")[:30])


def load(stdout=None):
    team = _team()
    if team is None:
        _say(stdout, "Strategy demo skipped: no team account (load accounts first).")
        return
    # Make sure the strategy themes have referents, so new contributions get assigned.
    referente = User.objects.filter(email="referente@participe.demo").first()
    for theme in Theme.objects.filter(slug__in=[c[0] for c in CHAPTERS], referent__isnull=True):
        theme.referent = referente if theme.slug == "mobilite" and referente else team
        theme.save(update_fields=["referent"])
    # The sources' services keep the inbox in sync; this only repairs rows for data loaded without signals.
    services.sync_all()
    if Version.objects.filter(number__gte=2).exists():
        _say(stdout, "Strategy demo already loaded; contributions synchronised.")
        return

    document, _created = Document.objects.get_or_create(slug="paris-intelligente-et-durable", defaults={"title": TITLE})
    for position, (theme_slug, chapter_title, sections) in enumerate(CHAPTERS):
        theme = Theme.objects.get(slug=theme_slug)
        chapter, _c = Chapter.objects.get_or_create(
            document=document, title=chapter_title, defaults={"theme": theme, "position": position}
        )
        for spos, (slug, title, v1, _v2) in enumerate(sections):
            Section.objects.get_or_create(
                slug=slug, defaults={"chapter": chapter, "title": title, "theme": theme, "body": v1, "position": spos}
            )
    if not Version.objects.exists():
        services.publish_version(
            team,
            "Première version de la stratégie, issue des états généraux de la ville intelligente et durable : "
            "sept chapitres, quatorze engagements.",
        )
        Version.objects.filter(number=1).update(published_at=timezone.now() - timedelta(days=120))

    residents = _residents()
    districts = {d.number: d for d in District.objects.all()}
    today = timezone.localdate()
    offline = []
    for i, (title, text, theme, arr, event, days_ago, participants) in enumerate(OFFLINE):
        c = Contribution.objects.filter(source="offline", title=title).first()
        if c is None:
            c = services.add_offline_contribution(
                team,
                title=title,
                text=text,
                theme=theme,
                district=districts.get(arr),
                event=event,
                event_date=today - timedelta(days=days_ago),
                participants=participants if participants > 1 else None,
            )
            Contribution.objects.filter(pk=c.pk).update(created_at=timezone.now() - timedelta(days=days_ago, hours=i))
        offline.append(c)
    for i, (slug, quote, body) in enumerate(COMMENTS):
        section = Section.objects.get(slug=slug)
        author = residents[i % len(residents)] if residents else team
        if not SectionComment.objects.filter(section=section, body=body).exists():
            services.add_comment(section, author, body, quote)

    # Triage: link what fed v2, reject and mark duplicates with public reasons.
    def link(contribution, *slugs):
        services.triage(contribution, team, sections=list(slugs))

    link(offline[0], "donnees-ouvertes")
    link(offline[1], "donnees-ouvertes")
    link(offline[2], "mobilite-velo")
    link(offline[3], "mobilite-velo")
    link(offline[4], "energie-solaire")
    link(offline[5], "numerique-inclusion")
    link(offline[6], "urbanisme-cours-oasis")
    link(offline[7], "participation-budget")
    link(offline[8], "vegetalisation-arbres")
    for comment in Contribution.objects.filter(source="comment").order_by("pk")[:4]:
        slug = SectionComment.objects.get(pk=comment.source_id).section.slug
        link(comment, slug)
    services.triage(offline[9], team, status="reviewing")
    # A few contributions from the other spaces, if they shipped demo data.
    others = list(Contribution.objects.filter(source__in=["map", "idea", "mission"], status="new").order_by("-support"))
    sections_by_theme = {s.theme.slug: s.slug for s in Section.objects.select_related("theme")}
    for c in others[:6]:
        if c.theme and c.theme.slug in sections_by_theme:
            link(c, sections_by_theme[c.theme.slug])
    for c in others[6:10]:
        services.triage(c, team, status="reviewing")
    reasons = [
        "Ce projet relève du budget d'investissement de l'arrondissement plutôt que de la stratégie de la Ville : "
        "nous l'avons transmis à la mairie d'arrondissement.",
        "Une action de la stratégie couvre déjà ce besoin : nous y avons rattaché votre contribution pour le suivi.",
        "Cette demande concerne un équipement qui n'appartient pas à la Ville ; nous l'avons transmise à son "
        "gestionnaire.",
    ]
    for c, reason in zip(others[10:13], reasons, strict=False):
        services.triage(c, team, status="rejected", public_reason=reason)

    for _theme, _chapter, sections in CHAPTERS:
        for slug, _title, _v1, v2 in sections:
            if v2:
                section = Section.objects.select_related("theme__referent").get(slug=slug)
                # Each section is edited by its owner, the referent of its theme.
                owner = section.theme.referent
                editor = owner if owner and owner.has_perm("strategy.edit_section", section) else team
                services.edit_section(section, editor, v2, section.revision)
    services.publish_version(
        team,
        "Version enrichie par les contributions : délai de publication des données, stationnement vélo près des "
        "écoles, objectifs chiffrés pour le solaire et les rues aux écoles, accueil humain par téléphone, "
        "ouverture des cours oasis pendant les canicules, forêts urbaines.",
    )
    Version.objects.filter(number=2).update(published_at=timezone.now() - timedelta(days=5))
    # After v2: new work in progress for v3.
    if len(others) > 13:
        link(others[13], "participation-suivi")
    _say(
        stdout,
        f"Strategy demo loaded: {Section.objects.count()} sections, {Version.objects.count()} versions, "
        f"{Contribution.objects.count()} contributions in the inbox.",
    )
