"""The words of a French public service: what a resident reads, in French, on every page.

One world holds objects in every status and kind (missions, applications, proposals, ideas, connections,
contributions…). Every page of the URLconf that answers GET is rendered in French for each role (anonymous,
resident with applications in every status, association member, mission team), and its visible text — not its
attributes, URLs, scripts or option values — must not contain:
- an internal choice value (`submitted`, `in_partnership`…: every `field.choices` value of every model, unless it
  is also a French word such as "place" or "question"),
- "(s)" instead of a real plural, "12ème" or "Ardt" instead of "12e arr.",
- an ordinary space before ; : ! ? or inside « » (French typography wants a non-breaking one).
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation

from accounts.models import Membership, Organization
from budget.models import Project as BudgetProject
from core import follows, notifications
from core.models import District, Notification
from ideas import services as ideas_services
from ideas.models import Comment as IdeaComment
from ideas.models import Connection, Idea, NeedKind
from ideas.models import TimelineEvent as IdeaEvent
from mapvotes import services as mapvotes_services
from mapvotes.models import Comment as ProposalComment
from mapvotes.models import Proposal
from mapvotes.models import TimelineEvent as ProposalEvent
from pages.models import Page
from strategy import consultations
from strategy import services as strategy_services
from strategy.models import Contribution
from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UserFactory, district
from tests.ideas.factories import make_idea, make_partner
from tests.mapvotes.factories import CommentFactory, ProposalFactory, VoteFactory
from tests.strategy.factories import ChapterFactory, ContributionFactory, SectionFactory
from tests.volunteering.factories import MINIMAL_PDF, InternshipFactory, MissionFactory, VolunteerProfileFactory
from volunteering import services as volunteering_services
from volunteering.models import Application, ApplicationEvent, Mission

PARIS = ZoneInfo("Europe/Paris")
PROJECT_APPS = ("core", "accounts", "mapvotes", "volunteering", "ideas", "strategy", "budget")

# Choice values that are also ordinary French words (or proper names) a page may rightly say.
FRENCH_WORDS = {
    "annotation",
    "arrondissement",
    "association",
    "budget",  # "Budget participatif": also the strategy inbox's source key of its projects
    "collective",
    "comment",
    "correspondent",  # "qui correspondent à…": also the value of Membership.Role.CORRESPONDENT
    "communication",
    "en",
    "fr",
    "mission",
    "place",
    "prototype",
    "quartier",
    "question",
    "station",
}


def choice_values() -> set[str]:
    """Every internal value of every choice field of the project's models (array fields' items included)."""
    values = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.get_fields():
            choices = getattr(field, "choices", None) or getattr(getattr(field, "base_field", None), "choices", None)
            for value, _label in choices or ():
                if isinstance(value, str) and value and value not in FRENCH_WORDS:
                    values.add(value)
    return values


# --- what a reader sees ---------------------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """Text nodes a reader sees: no attribute values, no script, style or template content."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden_depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    # Each text node on its own line: words of two nodes never run into one.
    return "\n".join(part for part in parser.parts if part.strip())


NBSP = "\u00a0\u202f"
BAD_SPACE_BEFORE = re.compile(r"\w ([;:!?])(?=\s|$)")  # "Statut : x" with an ordinary space
BAD_SPACE_GUILLEMETS = re.compile(r"« | »")


def offences(text: str, values: set[str], typography: bool = True) -> list[str]:
    found = []
    for value in values:
        if re.search(rf"(?<![\w\-/.@]){re.escape(value)}(?![\w\-/@]|\.\w)", text, re.IGNORECASE):
            found.append(f"choice value {value!r}")
    if re.search(r"(?<!%)\(s\)", text):  # "%(s)s" is a placeholder
        found.append("'(s)' instead of a plural")
    if re.search(r"\d\s*(ème|eme)\b", text) or re.search(r"\bArdt\b", text):
        found.append("'ème'/'Ardt' instead of '12e arr.'")
    if not typography:
        return found
    for match in BAD_SPACE_BEFORE.finditer(text):
        found.append(f"ordinary space before {match.group(1)!r}: …{text[max(0, match.start() - 25) : match.end()]!r}")
    for match in BAD_SPACE_GUILLEMETS.finditer(text):
        found.append(f"ordinary space inside « »: …{text[max(0, match.start() - 25) : match.end() + 25]!r}")
    return found


# English words that are not French ones ("but", "on", "me", "sept" are left out): one on a French page is a string
# that missed the catalog or a template that forgot {% translate %}.
ENGLISH_WORDS = {
    "about", "and", "are", "back", "been", "cancel", "could", "delete", "deleted", "don't", "edit", "edited",
    "follow", "from", "has", "have", "here", "hidden", "hide", "into", "is", "it's", "my", "not", "please", "reply",
    "save", "search", "should", "show", "submit", "that", "the", "their", "there", "these", "they", "this", "those",
    "unfollow", "view", "was", "were", "what", "when", "where", "which", "who", "will", "with", "would", "yet", "you",
    "your",
}  # fmt: skip
ENGLISH = re.compile(r"(?<![\w\-/.@'’])(" + "|".join(map(re.escape, sorted(ENGLISH_WORDS))) + r")(?![\w\-/@'’])", re.I)


def english_words(text: str) -> list[str]:
    return [
        f"English word {m.group(1)!r}: …{text[max(0, m.start() - 30) : m.end() + 30]!r}" for m in ENGLISH.finditer(text)
    ]


# --- the world ---------------------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    organization: Organization
    missions: dict
    applications: dict
    proposals: dict
    ideas: dict
    connections: list
    partner: object
    contributions: list
    section: object
    versions: tuple
    direction: Organization = None  # a City direction; the member is its internship correspondent
    internship: Mission = None
    internship_application: Application = None
    budget: dict = None  # the budget participatif: a campaign in its vote phase and a past one with its results


def _status_of(application, status, actor):
    """Bring an application to `status` through the services where a path exists (events and notifications)."""
    S = Application.Status
    paths = {
        S.SUBMITTED: [],
        S.SHORTLISTED: [S.SHORTLISTED],
        S.INVITED: [S.INVITED],
        S.ACCEPTED: [S.ACCEPTED],
        S.DECLINED: [S.DECLINED],
    }
    if status == S.WITHDRAWN:
        volunteering_services.withdraw(application.volunteer, application)
        return
    if status == S.WAITLISTED:
        Application.objects.filter(pk=application.pk).update(status=status)
        ApplicationEvent.objects.create(application=application, from_status=S.SUBMITTED, to_status=status)
        return
    convocation = {"convocation_at": timezone.now() + datetime.timedelta(days=3), "convocation_place": "Au jardin"}
    for step in paths[status]:
        volunteering_services.change_status(actor, application, step, "Merci pour votre candidature !", convocation)


def _cv():
    return SimpleUploadedFile("cv.pdf", MINIMAL_PDF, content_type="application/pdf")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), MAPVOTES_BROADCAST_INTERVAL=0)
    media.enable()
    with django_db_blocker.unblock(), transaction.atomic(), translation.override("fr"):
        users = {
            "resident": UserFactory(email="habitante@example.org", display_name="Camille Habitante"),
            "member": UserFactory(email="jardins@example.org", display_name="Alex Jardinier"),
            "team": TeamUserFactory(email="equipe@paris.fr", display_name="Mission ville intelligente"),
        }
        organization = OrganizationFactory(name="Les Jardins Partagés du 11e")
        MembershipFactory(organization=organization, user=users["member"], role=Membership.Role.ADMIN)
        for kind in Organization.Kind.values:
            OrganizationFactory(name=f"Organisation {kind.replace('_', ' ')}", kind=kind)
        VolunteerProfileFactory(user=users["resident"], themes=["solidarite"])

        missions = {}
        for status in Mission.Status.values:
            missions[status] = MissionFactory(
                organization=organization, title=f"Mission {len(missions) + 1}", status=status
            )
        recurring = MissionFactory(
            organization=organization,
            title="Mission récurrente",
            schedule=Mission.Schedule.RECURRING,
            weekdays=[0, 5],
            time_slots=["morning", "afternoon", "evening"],
            commitment=Mission.Commitment.TOTAL_HOURS,
        )
        MissionFactory(organization=organization, title="Mission ponctuelle", schedule=Mission.Schedule.ONE_OFF)
        applications = {}
        for status in Application.Status.values:
            mission = MissionFactory(organization=organization, title=f"Mission pour une candidature {status[:3]}")
            application = volunteering_services.apply(users["resident"], mission, "Je suis disponible le samedi.")
            _status_of(application, status, users["member"])
            applications[status] = Application.objects.get(pk=application.pk)
        volunteering_services.apply(users["resident"], recurring, "Le samedi matin me convient.")
        volunteering_services.apply_spontaneously(users["resident"], organization, "Je peux aider au jardin.")

        # Map: a proposal in every status, votes both ways, comments of every stance, every kind of event.
        proposals = {}
        for status in Proposal.Status.values:
            proposal = ProposalFactory(title=f"Proposition {len(proposals) + 1}", author=users["resident"])
            if status != Proposal.Status.PUBLISHED:
                mapvotes_services.change_status(users["team"], proposal, status, "Décision de l'équipe.")
            proposals[status] = proposal
        published = proposals[Proposal.Status.PUBLISHED]
        VoteFactory(proposal=published, user=users["resident"], value="for")
        VoteFactory(proposal=published, user=users["member"], value="against")
        for stance in ("", "for", "against", "question"):
            CommentFactory(proposal=published, author=users["resident"], stance=stance, body="Mon avis")
        top = mapvotes_services.add_comment(users["member"], published.pk, "Pourquoi pas ?")
        reply = mapvotes_services.add_comment(users["resident"], published.pk, "Oui !", parent=top.pk)
        mapvotes_services.edit_comment(users["resident"], reply, "Oui, d'accord.")
        gone = mapvotes_services.add_comment(users["resident"], published.pk, "Un mot de trop", parent=top.pk)
        mapvotes_services.delete_comment(users["resident"], gone)
        duplicate = ProposalFactory(title="Doublon", author=users["resident"])
        mapvotes_services.merge_proposals(users["team"], duplicate, published, "Même demande.")
        hidden = ProposalFactory(title="Proposition masquée", author=users["resident"])
        mapvotes_services.set_hidden(users["team"], hidden, True, "Hors charte.")
        mapvotes_services.set_hidden(users["team"], hidden, False, "Rétablie.")
        assert {e.kind for e in ProposalEvent.objects.all()} >= {"status", "merged_into", "merged_from", "hidden"}

        # Ideas: every status and stage, every kind of need, connections in every status.
        ideas = {}
        for i, status in enumerate(Idea.Status.values):
            idea = make_idea(
                users["member"],
                organization=organization,
                title=f"Idée {i + 1}",
                stage=Idea.Stage.values[i % len(Idea.Stage.values)],
                needs=[{"kind": kind, "description": "Un besoin", "amount": 100} for kind in NeedKind.values],
            )
            Idea.objects.filter(pk=idea.pk).update(status=status)
            ideas[status] = idea
        open_idea = ideas[Idea.Status.PUBLISHED]
        for kind in IdeaEvent.Kind.values:
            IdeaEvent.objects.create(idea=open_idea, kind=kind, text="Un événement")
        partner, partner_member = make_partner(offers=NeedKind.values)
        partner.offers.update(description="Ce que nous offrons")  # the factory writes "Offre funding"
        connections = []
        needs = list(open_idea.needs.all())
        for i, status in enumerate(Connection.Status.values):
            connection = ideas_services.propose_connection(
                users["member"], open_idea, partner=partner, need=needs[i], message="Pouvez-vous nous aider ?"
            )
            if status != Connection.Status.PENDING:
                ideas_services.decide_connection(partner_member, connection, status)
            connections.append(connection)
        ideas_services.propose_connection(
            partner_member, open_idea, partner=partner, need=needs[4], message="Nous pouvons aider."
        )
        idea_comment = ideas_services.add_comment(users["resident"], open_idea, "Très bonne idée !")
        ideas_services.add_comment(users["member"], open_idea, "Merci !", parent=idea_comment.pk)
        ideas_services.edit_comment(users["resident"], idea_comment, "Très bonne idée, vraiment !")
        gone = ideas_services.add_comment(users["resident"], open_idea, "Un mot de trop")
        ideas_services.delete_comment(users["resident"], gone)

        # Strategy: two versions, contributions of every source and status.
        chapter = ChapterFactory(title="Mobilité : une ville apaisée")
        section = SectionFactory(
            chapter=chapter, slug="mobilite-velo", title="Une ville cyclable", body="Des pistes. Des arceaux."
        )
        v1 = strategy_services.publish_version(users["team"], "Première version.")
        # A consultation whose amendment is accepted: v2 credits it, its contribution shows what v2 changed.
        consultations.open_consultation(
            users["team"],
            title="Consultation vélo",
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            ends_at=timezone.now() + datetime.timedelta(days=10),
            sections=[section.slug],
        )
        amendment = consultations.annotate(
            section, users["resident"], quote="", paragraph=0, kind="amendment", replacement="Un réseau express vélo."
        )
        section.refresh_from_db()
        consultations.accept_amendment(users["team"], amendment, section.revision)
        v2 = strategy_services.publish_version(users["team"], "Le réseau express vélo.")
        contributions = []
        contributions.append(ContributionFactory(title="Contribution d'origine", author=users["resident"]))
        for source in Contribution.Sources.values:
            for status in Contribution.Status.values:
                contributions.append(
                    ContributionFactory(
                        source=source,
                        source_id=None if source == "offline" else 9000 + len(contributions),
                        status=status,
                        public_reason="Hors du champ de la stratégie." if status == "rejected" else "",
                        duplicate_of=contributions[0] if status == "duplicate" else None,
                        title=f"Contribution {len(contributions) + 1}",
                        author=users["resident"],
                        district=district(1 + len(contributions) % 20),
                        location=Point(2.35, 48.85, srid=4326),
                    )
                )
        contributions.append(Contribution.objects.get(source="annotation", source_id=amendment.pk))
        Notification.objects.create(recipient=users["resident"], kind="test", title="Bienvenue", url="/")

        # What a resident keeps: follows, notification settings, the conversation of an accepted application.
        for target in (published, open_idea, missions[Mission.Status.PUBLISHED], section):
            follows.follow(users["resident"], target)
        notifications.save_settings(users["resident"], {"comments": "digest", "followed": "none"})
        accepted = applications[Application.Status.ACCEPTED]
        volunteering_services.post_application_message(users["member"], accepted, "Rendez-vous samedi à 9 h.")
        volunteering_services.post_application_message(users["resident"], accepted, "Parfait, merci !")
        import_module("pages.migrations.0002_initial_french_texts").create_pages(apps, None)
        budget = _budget_world(users)

        # Internships: the member is a City direction's correspondent, the team has the internship office's
        # permission; an offer, an application with a CV (invited) and a spontaneous internship application.
        direction = OrganizationFactory(name="Direction des espaces verts et de l'environnement", kind="city_service")
        MembershipFactory(organization=direction, user=users["member"], role=Membership.Role.CORRESPONDENT)
        users["team"].user_permissions.add(Permission.objects.get(codename="internship_office"))
        internship = InternshipFactory(organization=direction, title="Stage jardinier au parc Monceau")
        internship_application = volunteering_services.apply(
            users["resident"], internship, "Je prépare un CAP jardinier.", _cv()
        )
        _status_of(internship_application, Application.Status.INVITED, users["member"])
        volunteering_services.apply_spontaneously(
            users["resident"],
            direction,
            "Je cherche un stage de jardinier.",
            _cv(),
            internship={"wished_trade": "Jardinier", "wished_level": "cap_bac", "available_from": None},
        )

        yield World(
            users=users,
            organization=organization,
            missions=missions,
            applications=applications,
            proposals=proposals,
            ideas=ideas,
            connections=connections,
            partner=partner,
            contributions=contributions,
            section=section,
            versions=(v1, v2),
            direction=direction,
            internship=internship,
            internship_application=internship_application,
            budget=budget,
        )
        transaction.set_rollback(True)
    media.disable()


def _budget_world(users) -> dict:
    """A campaign in its vote phase (a project under study, one put to the vote) and a past one with its results, a
    quartiers populaires share, a validated paper count, a winner in works with a picture, notes and followers."""
    from budget import services as budget_services
    from budget.models import Project, Scope
    from tests.budget.conftest import make_campaign, make_project
    from tests.factories import ResidentFactory

    team, second = users["team"], TeamUserFactory(email="agent2@paris.fr")
    current = make_campaign(2026, phase="vote")
    trees = make_project(current, "paris", 300_000, "Des arbres rue de Rivoli")
    benches = make_project(current, 11, None, "Des bancs place Léon-Blum", status="submitted")
    # every status a project goes through: not admissible (with its public reason), merged into another
    refused = make_project(current, 11, None, "Un téléphérique", status="submitted")
    budget_services.study_verdict(team, refused, admissible=False, reason="Hors des compétences de la Ville.")
    twin = make_project(current, "paris", None, "Des arbres rue de Rivoli, côté Louvre", status="submitted")
    budget_services.merge_projects(team, twin, trees, "Le même projet.")
    past = make_campaign(2025, phase="vote")
    Scope.objects.filter(campaign=past, district__isnull=True).update(popular_share=400_000)
    winner = make_project(past, "paris", 400_000, "Un gymnase à la Goutte-d'Or")
    Project.objects.filter(pk=winner.pk).update(popular_quartier=True)
    loser = make_project(past, "paris", 900_000, "Une grande halle")
    abandoned = make_project(past, 18, 100_000, "Une serre sur le toit")
    budget_services.cast_ballot(ResidentFactory(), past, [winner.pk])
    budget_services.cast_ballot(ResidentFactory(), past, [abandoned.pk], 18)
    budget_services.validate_paper_count(second, budget_services.enter_paper_count(team, loser, "Mairie du 18e", 2))
    budget_services.compute_results(team, past)
    winner = Project.objects.get(pk=winner.pk)
    follows.follow(users["resident"], winner)
    budget_services.add_note(team, winner, "Atelier de co-construction avec les riverains.")
    budget_services.follow_up(team, winner, stage="works", progress=30, reason="Le chantier commence.")
    abandoned = Project.objects.get(pk=abandoned.pk)
    budget_services.follow_up(team, abandoned, stage="abandoned", reason="Le toit ne peut pas porter la serre.")
    day = datetime.timedelta(days=1)
    type(past).objects.filter(pk=past.pk).update(
        submission_opens=past.submission_opens - 400 * day,
        study_opens=past.study_opens - 400 * day,
        vote_opens=past.vote_opens - 400 * day,
        results_on=past.results_on - 400 * day,
        delivery_opens=past.delivery_opens - 400 * day,
    )
    return {"current": current, "past": past, "projects": [winner, loser, trees, benches, refused, twin, abandoned]}


# --- the pages ---------------------------------------------------------------------------------------------------

SKIPPED_PREFIXES = ("api/", "admin/", "i18n/", "media/", "static/", "healthz")


def page_patterns():
    """(route, name, parameter names) of every page of the URLconf outside the API and the admin."""

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, route, ns)
            elif isinstance(p, URLPattern) and not route.lstrip("^").startswith(SKIPPED_PREFIXES):
                name = f"{namespace}{p.name}" if p.name else None
                yield route, name, tuple(p.pattern.regex.groupindex)

    return list(walk(get_resolver().url_patterns))


def page_urls(w: World) -> list[str]:
    """Every GET page with its parameters filled from the world, list pages once per status filter."""
    from django.urls import reverse

    m = w.missions[Mission.Status.PUBLISHED]
    open_idea = w.ideas[Idea.Status.PUBLISHED]
    contribution = w.contributions[0]
    with_args = {
        "mapvotes:detail": [reverse("mapvotes:detail", args=[p.pk]) for p in w.proposals.values()],
        "volunteering:mission": [reverse("volunteering:mission", args=[x.pk]) for x in w.missions.values()]
        + [reverse("volunteering:mission", args=[w.internship.pk])],
        "volunteering:mission_edit": [reverse("volunteering:mission_edit", args=[m.pk])],
        "volunteering:dashboard": [reverse("volunteering:dashboard", args=[w.organization.slug])]
        + [
            reverse("volunteering:dashboard", args=[w.organization.slug]) + f"?status={s}"
            for s in Application.Status.values
        ]
        + [reverse("volunteering:dashboard", args=[w.organization.slug]) + "?mission=spontaneous"]
        + [reverse("volunteering:dashboard", args=[w.direction.slug]) + q for q in ("", "?mission=spontaneous")],
        "ideas:detail": [reverse("ideas:detail", args=[i.pk]) for i in w.ideas.values()],
        "ideas:edit": [reverse("ideas:edit", args=[open_idea.pk])],
        "ideas:partner": [reverse("ideas:partner", args=[w.partner.pk])],
        "ideas:connection": [reverse("ideas:connection", args=[c.pk]) for c in w.connections],
        "strategy:version": [reverse("strategy:version", args=[v.number]) for v in w.versions],
        "strategy:section-history": [reverse("strategy:section-history", args=[w.section.slug])],
        "strategy:section-edit": [reverse("strategy:section-edit", args=[w.section.slug])],
        "strategy:contribution": [reverse("strategy:contribution", args=[c.pk]) for c in w.contributions],
        "strategy:contribution-triage": [reverse("strategy:contribution-triage", args=[contribution.pk])],
        # Pages added with "Mon compte", the trust pages, own content and application conversations.
        "volunteering:application": [reverse("volunteering:application", args=[a.pk]) for a in w.applications.values()]
        + [reverse("volunteering:application", args=[w.internship_application.pk])],
        "volunteering:application_withdraw": [
            reverse("volunteering:application_withdraw", args=[w.applications["submitted"].pk])
        ],
        "mapvotes:edit": [reverse("mapvotes:edit", args=[w.proposals["published"].pk])],
        "mapvotes:withdraw": [reverse("mapvotes:withdraw", args=[w.proposals["published"].pk])],
        "mapvotes:edit-comment": [
            reverse("mapvotes:edit-comment", args=[c.pk])
            for c in ProposalComment.objects.filter(author=w.users["resident"], deleted_at__isnull=True)[:2]
        ],
        "ideas:edit-comment": [
            reverse("ideas:edit-comment", args=[c.pk])
            for c in IdeaComment.objects.filter(author=w.users["resident"], deleted_at__isnull=True)
        ],
        **{
            f"budget:{name}": [
                reverse(f"budget:{name}", args=[c.year]) for c in w.budget.values() if hasattr(c, "year")
            ]
            for name in ("campaign", "ballot", "submit", "results", "team", "paper")
        },
        "budget:project": [reverse("budget:project", args=[p.pk]) for p in w.budget["projects"]],
        "pages:edit": [reverse("pages:edit", args=[slug]) for slug in Page.Slug.values],
        "pages:history": [reverse("pages:history", args=[slug]) for slug in Page.Slug.values],
    }
    # the ballot with an arrondissement chosen: its projects and what is left of its envelope
    with_args["budget:ballot"].append(reverse("budget:ballot", args=[w.budget["current"].year]) + "?arrondissement=11")
    extra = {
        "mapvotes:list": [f"?status={s}" for s in Proposal.Status.values],
        "ideas:index": [f"?status={s}" for s in Idea.Status.values],
        "strategy:inbox": [f"?status={s}" for s in Contribution.Status.values]
        + [f"?source={s}" for s in Contribution.Sources.values],
        "strategy:diff": [f"?from={w.versions[0].number}&to={w.versions[1].number}"],
        "volunteering:internships": ["?level=cap_bac&paid=true", "?level=master&duration_max=zéro"],
        "volunteering:internship_office": [f"?direction={w.direction.slug}"],
        "budget:list": [f"?status={s}" for s in BudgetProject.Status.values]
        + [f"?stage={s}" for s in BudgetProject.Stage.values]
        + ["?winner=true", "?scope=paris", "?scope=11"],
    }
    urls = []
    for route, name, params in page_patterns():
        if name in with_args:
            urls += with_args[name]
        elif not params and "<" not in route:
            url = "/" + route.replace("^", "").replace("$", "").replace("\\", "")
            urls.append(url)
            urls += [url + q for q in extra.get(name, [])]
    return urls


ROLES = ("anonymous", "resident", "member", "team")


@pytest.fixture(scope="module")
def rendered(world, django_db_blocker):
    """{(role, url): visible French text} of every page that answers 200."""
    pages = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            client = Client(HTTP_ACCEPT_LANGUAGE="fr")
            if role != "anonymous":
                client.force_login(world.users[role])
            for url in page_urls(world):
                with transaction.atomic():
                    response = client.get(url)
                    transaction.set_rollback(True)
                assert response.status_code < 500, (role, url, response.status_code)
                content_type = response.get("Content-Type", "")
                if response.status_code == 200 and content_type.startswith("text/html"):
                    pages[(role, url)] = visible_text(response.content.decode())
    return pages


@pytest.mark.django_db
def test_every_role_sees_many_pages(rendered):
    for role in ROLES:
        assert sum(1 for r, _ in rendered if r == role) >= 15, role
    assert any("/tableau-de-bord/" in url for role, url in rendered if role == "member")


@pytest.mark.django_db
def test_no_page_shows_an_internal_value_or_a_bad_french_form(rendered):
    values = choice_values()
    problems = []
    for (role, url), text in sorted(rendered.items()):
        # Typography is checked in the catalogs and templates: pages also show what people typed.
        for offence in offences(text, values, typography=False):
            problems.append(f"{role} {url}: {offence}")
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.django_db
def test_no_page_shows_an_english_word(rendered):
    problems = []
    for (role, url), text in sorted(rendered.items()):
        for offence in english_words(text):
            problems.append(f"{role} {url}: {offence}")
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.django_db
def test_the_recent_pages_are_walked_in_french(rendered, world):
    """Trust pages, Mon compte, notification settings, follows, application conversations, own comments."""
    from django.urls import reverse

    resident_comment = ProposalComment.objects.filter(author=world.users["resident"], deleted_at__isnull=True)[0]
    idea_comment = IdeaComment.objects.filter(author=world.users["resident"], deleted_at__isnull=True)[0]
    accepted = reverse("volunteering:application", args=[world.applications["accepted"].pk])
    expected = {
        ("resident", reverse("accounts:profile")): "Mon compte",
        ("resident", reverse("notification-settings")): "Jamais",
        ("resident", accepted): "Parfait, merci",
        ("member", accepted): "Rendez-vous samedi",
        ("resident", reverse("mapvotes:edit-comment", args=[resident_comment.pk])): "Modifier mon commentaire",
        ("resident", reverse("ideas:edit-comment", args=[idea_comment.pk])): "Modifier mon commentaire",
        ("resident", world.proposals["published"].get_absolute_url()): "Ne plus suivre",
        ("anonymous", world.proposals["published"].get_absolute_url()): "Commentaire supprimé par son auteur",
        ("anonymous", world.ideas["published"].get_absolute_url()): "Commentaire supprimé par son auteur",
        ("resident", world.ideas["published"].get_absolute_url()): "Ne plus suivre",
        ("resident", world.missions["published"].get_absolute_url()): "Ne plus suivre",
        ("anonymous", "/contact/"): "Contact",
    }
    for slug in Page.Slug.values:
        if slug != Page.Slug.CONTACT:
            expected[("anonymous", reverse(f"pages:{slug}"))] = Page.objects.get(slug=slug).title
        expected[("team", reverse("pages:edit", args=[slug]))] = "Enregistrer"
        expected[("team", reverse("pages:history", args=[slug]))] = Page.objects.get(slug=slug).title
    missing = [f"{role} {url}" for role, url in expected if (role, url) not in rendered]
    assert not missing, missing
    wrong = [
        f"{role} {url}: no {words!r}" for (role, url), words in expected.items() if words not in rendered[(role, url)]
    ]
    assert not wrong, wrong


@pytest.mark.django_db
def test_application_statuses_read_in_french_on_the_dashboard_and_in_my_applications(rendered, world):
    mine = rendered[("resident", "/benevolat/mes-candidatures/")]
    dashboard = rendered[("member", f"/benevolat/organisations/{world.organization.slug}/tableau-de-bord/")]
    with translation.override("fr"):
        for status in Application.Status:
            assert str(status.label) in mine
            assert str(status.label) in dashboard
    for raw in ("submitted", "accepted", "declined", "invited", "shortlisted"):
        assert not re.search(rf"\b{raw}\b", mine + dashboard)


def test_the_offence_finder_sees_what_it_should():
    values = {"submitted", "in_partnership"}
    html = (
        '<p title="submitted">Statut\u00a0: envoyée</p><option value="in_partnership">en partenariat</option>'
        '<a href="/x?status=submitted">lien</a><script>const s = "submitted";</script>'
    )
    assert offences(visible_text(html), values) == []
    assert offences(visible_text("<td>submitted</td>"), values) == ["choice value 'submitted'"]
    assert offences("3 candidature(s)", set()) == ["'(s)' instead of a plural"]
    assert offences("12ème Ardt", set()) == ["'ème'/'Ardt' instead of '12e arr.'"]
    assert len(offences("Statut : envoyée", set())) == 1
    assert len(offences("« Jardins »", set())) == 2
    assert offences("Statut\u00a0: envoyée\u00a0; «\u00a0Jardins\u00a0»", set()) == []
    assert len(english_words("Edit my comment\nThe reply was deleted")) == 6
    assert english_words("Modifier mon commentaire\nLa réponse a été supprimée, mais le but reste. l'is") == []


# --- dates, districts, plurals ------------------------------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template("{% load i18n words %}" + source).render(Context(context))


def test_one_date_style_in_french():
    with translation.override("fr"):
        assert render("{{ d|date }}", d=datetime.date(2026, 12, 5)) == "5 déc. 2026"
        assert render("{{ d|date }}", d=datetime.date(2026, 3, 1)) == "1 mars 2026"
        moment = datetime.datetime(2026, 7, 14, 20, 30, tzinfo=datetime.UTC)  # 22:30 in Paris (summer time)
        assert render("{{ d|date:'DATETIME_FORMAT' }}", d=moment) == "14 juil. 2026 à 22:30"


@pytest.mark.django_db
def test_districts_read_12e_arr_and_1er_arr():
    with translation.override("fr"):
        assert render("{{ d|arr }}", d=district(12)) == "12e\u00a0arr."
        assert render("{{ d|arr }}", d=district(1)) == "1er\u00a0arr."
        assert render("{{ n|arr }}", n=20) == "20e\u00a0arr."
        assert render("{{ d|arr }}", d=None) == ""


@pytest.mark.django_db
def test_official_district_names_are_stored_the_french_way(tmp_path):
    from django.core.management import call_command

    from tests.core.test_territory import _arrondissements_file

    call_command("load_districts", str(_arrondissements_file(tmp_path)), stdout=io.StringIO())  # "12ème Ardt"
    assert District.objects.get(number=12).name == "12e arrondissement"
    assert District.objects.get(number=1).name == "1er arrondissement"
    assert District.objects.get(number=12).official_name == "Centre 12"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 candidature mise à jour"), (1, "1 candidature mise à jour"), (2, "2 candidatures mises à jour")],
)
def test_bulk_update_message_has_real_plurals(count, expected):
    from volunteering.views import bulk_update_message

    with translation.override("fr"):
        assert str(bulk_update_message(count)).startswith(expected)


# --- exports -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_applications_export_writes_paris_time_and_french_statuses(world, client):
    client.force_login(world.users["member"])
    mission = world.applications["accepted"].mission
    summer = datetime.datetime(2026, 7, 14, 18, 5, tzinfo=datetime.UTC)
    Application.objects.filter(pk=world.applications["accepted"].pk).update(created_at=summer)
    response = client.get(f"/benevolat/missions/{mission.pk}/candidatures.csv", HTTP_ACCEPT_LANGUAGE="fr")
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert rows[1][2] == "acceptée"
    assert rows[1][3] == "14/07/2026 20:05"  # Paris, not UTC (18:05)


@pytest.mark.django_db
def test_open_data_export_writes_paris_time(world, client):
    summer = datetime.datetime(2026, 7, 14, 18, 5, tzinfo=datetime.UTC)
    Proposal.objects.filter(pk=world.proposals["published"].pk).update(created_at=summer)
    response = client.get("/api/v1/map/export.csv")
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(body))}
    created = rows[str(world.proposals["published"].pk)]["created_at"]
    assert created == "2026-07-14T20:05:00+02:00"
    assert datetime.datetime.fromisoformat(created).astimezone(PARIS).hour == 20


# --- French strings at their source: catalogs, templates, scripts -------------------------------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
FRENCH_CATALOGS = sorted(ROOT.glob("locale/fr/LC_MESSAGES/django.po")) + sorted(
    ROOT.glob("*/locale/fr/LC_MESSAGES/django.po")
)
TEMPLATES = sorted(p for p in ROOT.glob("**/templates/**/*") if p.is_file() and ".venv" not in p.parts)
SCRIPTS = sorted(p for p in ROOT.glob("**/static/**/*.mjs") if ".venv" not in p.parts)


def french_msgstrs(path) -> list[str]:
    """Every msgstr of a catalog (plural forms included), continuation lines joined; the header left out."""
    entries, current, collecting = [], None, False
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgstr"):
            current, collecting = [line.split(" ", 1)[1][1:-1]], True
        elif collecting and line.startswith('"'):
            current.append(line[1:-1])
        elif collecting:
            entries.append("".join(current))
            collecting = False
    return [e for e in entries if "Content-Type:" not in e]


def test_french_catalogs_use_non_breaking_spaces_and_real_plurals():
    assert len(FRENCH_CATALOGS) >= 5
    problems = []
    for path in FRENCH_CATALOGS:
        for msgstr in french_msgstrs(path):
            for offence in offences(msgstr, set()):
                problems.append(f"{path.relative_to(ROOT)}: {offence} in {msgstr!r}")
    assert not problems, "\n".join(problems)


def _shown_in_french(catalog_path) -> list[str]:
    """The entries of an app's French catalog that a page shows otherwise: Django merges the catalogs of all the
    apps, and an app earlier in INSTALLED_APPS wins for the same msgid (with no context)."""
    import gettext

    from django.core.management import call_command

    mo = catalog_path.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < catalog_path.stat().st_mtime:
        call_command("compilemessages", locale=["fr"], verbosity=0)
    catalog = gettext.GNUTranslations(mo.open("rb"))._catalog
    wrong = []
    with translation.override("fr"):
        for key, wanted in catalog.items():
            if not key or isinstance(key, tuple):  # the header, plural forms
                continue
            context, _sep, msgid = key.rpartition("\x04")
            shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if shown != wanted:
                wrong.append(f"{msgid!r}: {shown!r} instead of {wanted!r}")
    return wrong


@pytest.mark.parametrize(
    "catalog",
    sorted((ROOT / "locale/fr/LC_MESSAGES/django.po",) + tuple(ROOT.glob("*/locale/fr/LC_MESSAGES/django.po"))),
    ids=lambda path: path.relative_to(ROOT).parts[0],
)
def test_each_apps_words_are_the_ones_its_pages_show(catalog):
    """ "Filter", "All", "places", "created at"… mean other things in other apps (or in Django's admin, whose catalog
    comes first): an app whose word differs gives it a context, or takes the word every page shows."""
    assert not _shown_in_french(catalog)


TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<[^>]*>", re.DOTALL)


def test_templates_write_french_punctuation_with_non_breaking_spaces():
    """Text written in templates themselves (separators such as "{{ label }} : {{ n }}"), tags and markup aside."""
    problems = []
    for path in TEMPLATES:
        text = TAG.sub("\u2060", path.read_text(encoding="utf-8")).replace("&nbsp;", "\u00a0")
        # Only what stands between two tags or values: "x : y" where x and y were tags.
        for match in re.finditer(r"\u2060 ([:;!?])(?= |\u2060)", text):
            problems.append(f"{path.relative_to(ROOT)}: ordinary space before {match.group(1)!r}")
        for match in re.finditer(r"« | »", text):
            problems.append(f"{path.relative_to(ROOT)}: ordinary space inside « »")
        if "(s)" in text:
            problems.append(f"{path.relative_to(ROOT)}: '(s)'")
    assert not problems, "\n".join(problems)


STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`')


def test_scripts_write_french_with_non_breaking_spaces_and_real_plurals():
    problems = []
    for path in SCRIPTS:
        for literal in STRING.findall(path.read_text(encoding="utf-8")):
            literal = re.sub(r"\$\{[^}]*\}", "x", literal)  # template-literal expressions are code
            for offence in offences(literal.replace("\\u00a0", "\u00a0"), set()):
                problems.append(f"{path.relative_to(ROOT)}: {offence}")
    assert not problems, "\n".join(problems)


# --- the home page says what its figures count ----------------------------------------------------------------------


@pytest.mark.django_db
def test_home_figures_say_what_they_count(world, client):
    text = visible_text(client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert re.search(r"version\s+2\s+en vigueur", text)  # "version <strong>2</strong> en vigueur"
    assert not re.search(r"\d+\s+version en vigueur", text)
    assert re.search(r"\d+\s+propositions\b", text)


@pytest.mark.parametrize(
    ("n", "french", "english"),
    [(0, "0 proposition", "0 proposals"), (1, "1 proposition", "1 proposal"), (2, "2 propositions", "2 proposals")],
)
def test_home_figures_have_real_plurals(n, french, english):
    from django.utils.html import strip_tags
    from django.utils.translation import ngettext

    from core.spaces import figure

    for language, expected in (("fr", french), ("en", english)):
        with translation.override(language):
            html = figure(ngettext("%(n)s proposal", "%(n)s proposals", n), n)
            assert f"<strong>{n}</strong>" in html
            assert strip_tags(html) == expected


@pytest.mark.parametrize(
    ("singular", "plural", "forms"),
    [
        (
            "%(n)s contribution updated.",
            "%(n)s contributions updated.",
            ("0 contribution mise à jour.", "1 contribution mise à jour.", "2 contributions mises à jour."),
        ),
        (
            "%(n)s contribution merged.",
            "%(n)s contributions merged.",
            ("0 contribution fusionnée.", "1 contribution fusionnée.", "2 contributions fusionnées."),
        ),
        (
            "%(n)s place left out of %(total)s",
            "%(n)s places left out of %(total)s",
            ("0 place restante sur 3", "1 place restante sur 3", "2 places restantes sur 3"),
        ),
        ("%(n)s published idea", "%(n)s published ideas", ("0 idée publiée", "1 idée publiée", "2 idées publiées")),
    ],
)
def test_french_plurals_with_0_1_and_2(singular, plural, forms):
    from django.utils.translation import ngettext

    with translation.override("fr"):
        assert [ngettext(singular, plural, n) % {"n": n, "total": 3} for n in (0, 1, 2)] == list(forms)


@pytest.mark.django_db
def test_the_meeting_notification_says_the_date_the_site_way(world):
    invited = world.applications["invited"]
    body = Notification.objects.filter(recipient=invited.volunteer, url__contains="mes-candidatures").values_list(
        "body", flat=True
    )
    when = timezone.localtime(invited.convocation_at)
    with translation.override("fr"):
        from django.utils.formats import date_format

        expected = date_format(when, "DATETIME_FORMAT")
    assert " à " in expected and any(expected in b for b in body)


@pytest.mark.django_db
def test_the_dashboard_gives_its_script_the_french_status_labels(world, client):
    """Live status changes arrive as internal values: the page hands the script their French labels."""
    import json

    client.force_login(world.users["member"])
    html = client.get(
        f"/benevolat/organisations/{world.organization.slug}/tableau-de-bord/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    data = re.search(r'<script id="application-statuses" type="application/json">(.*?)</script>', html).group(1)
    labels = dict(json.loads(data))
    assert labels["accepted"] == "acceptée" and labels["submitted"] != "submitted"


@pytest.mark.django_db
def test_the_internship_pages_are_walked_in_french(rendered, world):
    """The internship search, an offer, the application with its invitation, the direction's dashboard and figures
    (its correspondent), the whole City's figures (the internship office)."""
    from django.urls import reverse

    offer = reverse("volunteering:mission", args=[world.internship.pk])
    application = reverse("volunteering:application", args=[world.internship_application.pk])
    office = reverse("volunteering:internship_office")
    expected = {
        ("anonymous", reverse("volunteering:internships")): "Stage jardinier au parc Monceau",
        ("anonymous", offer): "Stage gratifié",
        ("resident", application): "Stage jardinier au parc Monceau",
        ("member", application): "Je prépare un CAP jardinier",
        ("member", reverse("volunteering:dashboard", args=[world.direction.slug])): "Stage jardinier au parc Monceau",
        ("member", f"{office}?direction={world.direction.slug}"): "Délai médian",
        ("team", office): "La demande dépasse l’offre",
    }
    missing = [f"{role} {url}" for role, url in expected if (role, url) not in rendered]
    assert not missing, missing
    wrong = [
        f"{role} {url}: no {words!r}" for (role, url), words in expected.items() if words not in rendered[(role, url)]
    ]
    assert not wrong, wrong
