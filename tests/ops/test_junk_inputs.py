"""No input gives a 500 (issue 13): each class of junk, sent to every URL pattern of the URLconf, as an anonymous
visitor, a verified resident (member of the organisation that owns the objects) and the mission team (staff: the
admin too), is answered below 500; the API's 400s are French JSON; junk WebSocket frames close the socket cleanly.

The rules live in one layer each: serving.parsers (JSON bodies of the API), serving.middleware.JunkInputMiddleware (query
strings and form fields, pages and API alike) and serving.consumers.GuardedJsonConsumer (WebSocket frames). The sweep
does not know them: it would catch the same defect coming back through another field, endpoint or socket.

The world is committed (the consumers read it from other threads) and flushed at the end of the module, as a
transactional test does; every request runs in its own rolled-back savepoint, so a write (a deletion, a log-out) never
changes what the next request sees.
"""

import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import translation

from config.routing import websocket_urlpatterns
from ideas import services as ideas_services
from mapvotes import services as mapvotes_services
from serving import parsers
from serving.consumers import GuardedJsonConsumer
from serving.middleware import JUNK_INPUT
from strategy import services as strategy_services
from tests.conftest import _ensure_reference_data
from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UserFactory
from tests.ideas.factories import make_idea, make_partner
from tests.mapvotes.factories import ProposalFactory
from tests.ops.test_permission_matrix import png_upload
from tests.strategy.factories import ChapterFactory, ContributionFactory, SectionFactory
from tests.volunteering.factories import MINIMAL_PDF, ApplicationFactory, InternshipFactory, MissionFactory
from volunteering import services as volunteering_services

POINT = {"type": "Point", "coordinates": [2.3522, 48.8566]}
# Parameter and field names the pages, filters, searches and API use (a NUL in each at once).
FIELDS = (
    "q", "theme", "themes", "district", "districts", "arrondissement", "quartier", "status", "kind", "stage", "need",
    "level", "trade", "paid", "remote", "page", "page_size", "near", "radius_km", "bbox", "zoom", "lon", "lat",
    "date_from", "date_to", "from", "to", "sort", "order", "mission", "action", "next", "title", "description", "body",
    "message", "reason", "pitch", "display_name", "email", "password", "login", "alt", "summary", "address", "value",
    "into", "hidden", "ids", "language", "offers", "partner", "places", "start_date", "end_date", "organization",
    "quote", "paragraph", "sentence", "replacement", "stance", "confirm",
    # internships: the offer's fields, the spontaneous application's, the search's and the figures' filters
    "direction", "duration_min", "duration_max", "duration_weeks", "weekly_hours", "tasks", "tutor_name",
    "tutor_email", "publication_start", "publication_end", "wished_trade", "wished_level", "available_from",
    "available_weeks", "weekly_email", "query", "cv",
)  # fmt: skip
TEXT_FIELDS = ("title", "description", "body", "message", "reason", "pitch", "display_name", "alt", "summary",
               "address", "email", "password", "q", "name", "comment", "text")  # fmt: skip
DEEP_JSON = '{"a": ' * 1000 + "1" + "}" * 1000
# An otherwise valid body (a proposal, a comment, a log-in...) whose text fields hold a lone surrogate.
SURROGATE_BODY = json.dumps(
    {
        **dict.fromkeys(TEXT_FIELDS, "Arceaux vélo \ud800"),
        "theme": "mobilite",
        "themes": ["mobilite"],
        "geometry": POINT,
        "value": "for",
        "stance": "for",
    }
)
ALL_SURROGATE_BODY = json.dumps(dict.fromkeys(FIELDS, "\ud800"))
NUL_FIELDS = dict.fromkeys(FIELDS, "a\x00b")
# The search and filter parameters of the pages and the API, each also sent alone.
QUERY_FIELDS = ("q", "theme", "themes", "district", "arrondissement", "quartier", "status", "kind", "stage", "need",
                "level", "trade", "paid", "remote", "page", "sort", "order", "mission", "action", "next", "from", "to",
                "date_from", "date_to", "near", "direction", "duration_min", "duration_max")  # fmt: skip
FORM = "application/x-www-form-urlencoded"
BODY_METHODS = ("post", "put", "patch", "delete")


@dataclass
class World:
    member: object  # verified resident, member of the organisation that owns the mission, the idea, the partner…
    team: object
    objects: dict  # what the path converters point at, by name


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), MAPVOTES_BROADCAST_INTERVAL=0)
    media.enable()
    with django_db_blocker.unblock():
        member = UserFactory(email="habitante@example.org", display_name="Camille Habitante")
        team = TeamUserFactory(email="equipe@paris.fr")
        org = OrganizationFactory(name="Les Jardins Partagés du 11e")
        MembershipFactory(organization=org, user=member)
        mission = MissionFactory(organization=org, title="Jardiner avec les enfants")
        # Internships: the member is also a direction's correspondent, the team has the internship office's
        # permission, so that the internship pages, the figures and their CSV are swept past their permission checks.
        direction = OrganizationFactory(name="Direction des espaces verts et de l'environnement", kind="city_service")
        MembershipFactory(organization=direction, user=member, role="correspondent")
        team.user_permissions.add(Permission.objects.get(codename="internship_office"))
        InternshipFactory(organization=direction, title="Stage jardinier au parc Monceau")
        application = ApplicationFactory(mission=mission, volunteer=UserFactory(email="benevole@example.org"))
        application.cv.save("cv.pdf", ContentFile(MINIMAL_PDF), save=True)
        idea = make_idea(member, organization=org, needs=[{"kind": "volunteers", "description": "Des bras"}])
        image = ideas_services.add_image(member, idea, png_upload(), "Le toit de l'école")
        partner, partner_member = make_partner(offers=("volunteers",))
        connection = ideas_services.propose_connection(
            partner_member, idea, partner=partner, need=idea.needs.get(), message="Nous pouvons aider."
        )
        proposal = ProposalFactory(title="Piste cyclable rue de Rivoli")
        comment = mapvotes_services.add_comment(UserFactory(), proposal.pk, "Bonne idée, la rue est dangereuse.")
        idea_comment = ideas_services.add_comment(member, idea, "Qui peut prêter une échelle ?")  # own: edits go deep
        section = SectionFactory(chapter=ChapterFactory(title="Mobilité"), slug="mobilite-velo", title="Vélo")
        version = strategy_services.publish_version(team, "Première version.")
        objects = {
            **_consultation_world(team, member, section),
            **_budget_world(),
            "proposal": proposal,
            "comment": comment,
            "idea_comment": idea_comment,
            "mission": mission,
            "application": application,
            "organization": org,
            "idea": idea,
            "image": image,
            "need": idea.needs.get(),
            "partner": partner,
            "connection": connection,
            "version": version,
            "contribution": ContributionFactory(),
            "section": section,
            "user": member,
            "saved_search": volunteering_services.save_search(member, "internship", "q=jardin"),
        }
    yield World(member=member, team=team, objects=objects)
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        _ensure_reference_data()
    media.disable()


def _consultation_world(team, member, section):
    """An open consultation on the section, an amendment on its first paragraph and a recorded workshop."""
    import datetime

    from django.utils import timezone

    from strategy import consultations, workshops

    strategy_services.edit_section(section, team, "Chaque quartier aura un parking vélo.", section.revision)
    now = timezone.now()
    consultation = consultations.open_consultation(
        team, title="Consultation", starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(days=9),
        sections=[section.slug],
    )  # fmt: skip
    annotation = consultations.annotate(
        section, member, quote="Chaque quartier aura un parking vélo.", body="Oui", kind="amendment",
        replacement="Chaque quartier aura deux parkings vélo.",
    )  # fmt: skip
    workshop = workshops.record_workshop(
        team, title="Atelier", held_on=timezone.localdate(), place="Mairie du 11e", participants=12, organiser="Équipe"
    )
    return {"consultation": consultation, "annotation": annotation, "workshop": workshop}


def _budget_world():
    """A campaign in its vote phase with one project of all of Paris."""
    from tests.budget.conftest import make_campaign, make_project

    campaign = make_campaign()
    return {"campaign": campaign, "project": make_project(campaign)}


# --- every URL pattern, with plausible values in its converters -------------------------------------------------


def url_patterns(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


# What the object of a converter is, from the route before it.
OBJECT_BY_PREFIX = {
    "api/v1/map/proposals/": "proposal",
    "api/v1/map/comments/": "comment",
    "api/v1/volunteering/missions/": "mission",
    "api/v1/volunteering/applications/": "application",
    "api/v1/volunteering/organizations/": "organization",
    "api/v1/ideas/": "idea",
    "api/v1/partners/": "partner",
    "api/v1/connections/": "connection",
    "api/v1/strategy/versions/": "version",
    "api/v1/strategy/contributions/": "contribution",
    "api/v1/strategy/sections/": "section",
    "carte/propositions/": "proposal",
    "carte/commentaires/": "comment",
    "carte/equipe/": "proposal",
    "benevolat/missions/": "mission",
    "benevolat/candidatures/": "application",
    "benevolat/organisations/": "organization",
    "idees/": "idea",
    "idees/commentaires/": "idea_comment",
    "idees/partenaires/": "partner",
    "idees/mises-en-relation/": "connection",
    "strategie/versions/": "version",
    "strategie/sections/": "section",
    "strategie/contributions/": "contribution",
    "strategie/equipe/contributions/": "contribution",
    "strategie/equipe/sections/": "section",
    "admin/accounts/user/": "user",
    "strategie/consultation/": "section",
    "strategie/annotations/": "annotation",
    "strategie/equipe/annotations/": "annotation",
    "strategie/equipe/consultations/": "consultation",
    "strategie/equipe/ateliers/": "workshop",
    "api/v1/budget/campaigns/": "campaign",
    "budget-participatif/projets/": "project",
    "benevolat/recherches/": "saved_search",
}
OBJECT_BY_NAME = {"image_id": "image", "need_id": "need"}
# Regular-expression routes (allauth, the admin) cannot be filled from their converters: an example of each.
REGEX_EXAMPLES = {
    r"comptes/^confirm-email/(?P<key>[-:\w]+)/$": "comptes/confirm-email/MQ:1tJunk:abc/",
    r"comptes/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "comptes/password/reset/key/1-set-password/",
    "admin/(?P<url>.*)$": "admin/inconnu/",
}
CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def concrete_url(route: str, w: World) -> str:
    if "(?P<" in route:
        if route.startswith("admin/^(?P<app_label>"):
            return "/admin/mapvotes/"
        assert route in REGEX_EXAMPLES, f"add an example URL of {route!r} to REGEX_EXAMPLES"
        return "/" + REGEX_EXAMPLES[route]

    def fill(match):
        converter, name, before = match["converter"] or "str", match["name"], route[: match.start()]
        if before == "media/public/":
            return "proposals/absente.jpg"
        if before.startswith("admin/r/"):  # the admin's "view on site" shortcut: content type, object
            proposal = w.objects["proposal"]
            return str(ContentType.objects.get_for_model(proposal).pk if name == "content_type_id" else proposal.pk)
        if admin := re.fullmatch(r"admin/(\w+)/(\w+)/", before):
            row = apps.get_model(*admin.groups())._base_manager.order_by("pk").first()
            return str(row.pk if row else 1)
        if name == "year":  # the budget's campaigns are named by their year
            return str(w.objects["campaign"].year)
        if before.startswith("pages/"):
            return "mentions-legales"
        if name == "kind":  # follows: a proposal
            return "proposal"
        if before.startswith(("api/v1/follows/", "suivre/")):
            return str(w.objects["proposal"].pk)
        if name == "cid":
            return str(w.objects["idea_comment" if before.startswith("api/v1/ideas/") else "comment"].pk)
        if before.startswith("carte/equipe/") and name == "action":
            return "status"
        key = OBJECT_BY_NAME.get(name) or OBJECT_BY_PREFIX.get(before)
        assert key, f"say what {match[0]} of {route!r} points at (OBJECT_BY_PREFIX)"
        obj = w.objects[key]
        if converter == "slug":
            return obj.slug
        return str(obj.number if key == "version" else obj.pk)

    return "/" + CONVERTER.sub(fill, route)


def methods_of(pattern) -> list[str]:
    view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
    if view is None:  # a function view: it says itself what it allows
        return ["get", "post"]
    actions = getattr(pattern.callback, "actions", None)
    if actions:
        return sorted(actions)
    return [m for m in ("get", *BODY_METHODS) if hasattr(view, m)] or ["get", "post"]


def junk_requests(url: str, methods, one_by_one: bool):
    """(label, method, kwargs of Client.generic) for each class of junk this URL's methods can receive."""
    if "get" in methods:
        yield "NUL in the query string", "get", {"path": f"{url}?{urlencode(NUL_FIELDS)}"}
        # One parameter at a time too: an invalid neighbour (page=a%00b) must not hide the search that breaks.
        for field in (QUERY_FIELDS if not url.startswith("/admin/") else ("q",)) if one_by_one else ():
            yield f"NUL in ?{field}=", "get", {"path": f"{url}?{field}=v%C3%A9lo%00"}
        # Latin-1 bytes, then a UTF-8-encoded lone surrogate: not UTF-8.
        yield "undecodable query string", "get", {"path": f"{url}?q=caf%E9&theme=%ED%A0%80&page=%FF"}
    for method in (m for m in methods if m in BODY_METHODS):
        json_body = {"path": url, "content_type": "application/json"}
        yield "JSON nested 1,000 deep", method, {**json_body, "data": DEEP_JSON}
        yield "lone surrogate in JSON text fields", method, {**json_body, "data": SURROGATE_BODY}
        yield "lone surrogate in every JSON field", method, {**json_body, "data": ALL_SURROGATE_BODY}
        form = urlencode(NUL_FIELDS)
        yield "NUL in a form field", method, {"path": url, "data": form, "content_type": FORM}
        multipart = encode_multipart(BOUNDARY, NUL_FIELDS)
        yield "NUL in a multipart field", method, {"path": url, "data": multipart, "content_type": MULTIPART_CONTENT}


def french(message) -> str:
    with translation.override("fr"):
        return str(message)


def junk_details() -> set[str]:
    """The French sentences of the junk layers; each differs from its English msgid (it is translated)."""
    sentences = {}
    for language in ("fr", "en"):
        with translation.override(language):
            sentences[language] = {parsers.JunkData(r).message for r in parsers.JunkData.MESSAGES} | {str(JUNK_INPUT)}
    details, english = sentences["fr"], sentences["en"]
    assert not details & english, "a junk refusal is not translated into French"
    return details


def logged_in_session(user) -> str | None:
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


ROUTES = sorted(url_patterns(), key=lambda item: item[0])


@pytest.mark.parametrize(("route", "pattern"), [pytest.param(r, p, id=r) for r, p in ROUTES])
def test_junk_input_never_gives_a_server_error(world, db, route, pattern):
    url = concrete_url(route, world)
    assert resolve(url.split("?")[0]).func is pattern.callback, f"{url} does not reach {route}"
    details = junk_details()
    failures = []
    # Parameters one by one as anonymous and as the team only (who sees every page a member sees): the 400 page costs.
    for identity, user in (("anonymous", None), ("verified member", world.member), ("team", world.team)):
        session = logged_in_session(user)
        for label, method, request in junk_requests(url, methods_of(pattern), one_by_one=identity != "verified member"):
            # A fresh client each time (a junk request may log out), answering 500 instead of raising: all are listed.
            client = Client(raise_request_exception=False)
            if session:
                client.cookies[settings.SESSION_COOKIE_NAME] = session
            with transaction.atomic():
                response = client.generic(method.upper(), **request)
                transaction.set_rollback(True)
            where = f"{method.upper()} {url} ({label}) as {identity}"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
            elif url.startswith("/api/") and 400 <= response.status_code < 500:
                body = response.json() if response["Content-Type"].startswith("application/json") else None
                if not (isinstance(body, dict) and isinstance(body.get("detail"), str)):
                    failures.append(f"{where}: a {response.status_code} without a JSON detail")
                elif response.status_code == 400 and "errors" not in body and body["detail"] not in details:
                    failures.append(f"{where}: 400 {body['detail']!r} is not the French junk refusal")
    assert not failures, "\n".join(failures)


# --- numbers typed otherwise: "²" passes str.isdigit() and int() refuses it; 30 digits overflow every column -------

# Parameters and form fields that the pages and the API read as a count or an id (ids of the budget, paragraphs of a
# consultation, the inbox's filters, the dashboards' selections...).
NUMBER_FIELDS = ("page", "page_size", "campaign", "edition", "scope", "district", "arrondissement", "paragraph",
                 "paragraphe", "min_support", "direction", "mission", "from", "to", "primary", "ids", "projects",
                 "participants", "places", "weekly_hours", "duration_weeks", "estimated_need", "zoom", "radius_km",
                 "confirm", "duplicate_of", "organization", "need", "lead", "into", "count", "sentence")  # fmt: skip
ODD_NUMBERS = {"a superscript two": "\u00b2", "an Arabic-Indic three": "\u0663", "30 digits": "9" * 30}


@pytest.mark.parametrize(
    ("route", "pattern"), [pytest.param(r, p, id=r) for r, p in ROUTES if not r.startswith("admin")]
)
def test_numbers_typed_otherwise_never_give_a_server_error(world, db, route, pattern):
    """Each number field alone in the query string; all of them at once in a form, as the team (who sees every page)."""
    url = concrete_url(route, world)
    session = logged_in_session(world.team)
    methods = methods_of(pattern)
    failures = []
    for label, value in ODD_NUMBERS.items():
        requests = []
        if "get" in methods:
            requests += [("get", {"path": f"{url}?{urlencode({field: value})}"}) for field in NUMBER_FIELDS]
        for method in (m for m in methods if m in BODY_METHODS):
            requests.append(
                (method, {"path": url, "data": urlencode(dict.fromkeys(NUMBER_FIELDS, value)), "content_type": FORM})
            )
        for method, request in requests:
            client = Client(raise_request_exception=False)
            client.cookies[settings.SESSION_COOKIE_NAME] = session
            with transaction.atomic():
                response = client.generic(method.upper(), **request)
                transaction.set_rollback(True)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {request['path']} ({label}): {response.status_code}")
    assert not failures, "\n".join(failures)


# --- the refusals themselves: French JSON for the API, the 400 page for the others ------------------------------

TOO_DEEP_FR = "Les données sont imbriquées trop profondément (32 niveaux au plus)."
FORBIDDEN_FR = "Le texte contient un caractère non autorisé (un caractère NUL ou invalide)."
JUNK_INPUT_FR = "La requête contient un caractère non autorisé (un caractère NUL ou invalide)."


@pytest.mark.parametrize(
    ("as_member", "method", "path", "payload", "content_type", "detail"),
    [
        (False, "POST", "/api/v1/auth/token/", DEEP_JSON, "application/json", TOO_DEEP_FR),
        (False, "POST", "/api/v1/auth/token/", "[" * 100_000 + "]" * 100_000, "application/json", TOO_DEEP_FR),
        (False, "POST", "/api/v1/auth/register/", SURROGATE_BODY, "application/json", FORBIDDEN_FR),
        (True, "POST", "/api/v1/map/proposals/", SURROGATE_BODY, "application/json", FORBIDDEN_FR),
        (True, "POST", "/api/v1/map/proposals/", '{"title": "a\\u0000b"}', "application/json", FORBIDDEN_FR),
        (True, "PATCH", "/api/v1/me/", '{"display_name": "\\udfff"}', "application/json", FORBIDDEN_FR),
        (False, "GET", "/api/v1/map/proposals/?q=%00", None, None, JUNK_INPUT_FR),
        (False, "GET", "/api/v1/ideas/?q=caf%E9", None, None, JUNK_INPUT_FR),
        (False, "POST", "/api/v1/auth/token/", "email=a%00b&password=x", FORM, JUNK_INPUT_FR),
    ],
)  # fmt: skip
def test_api_junk_is_a_400_in_french_json(world, db, as_member, method, path, payload, content_type, detail):
    client = Client()
    if as_member:
        client.force_login(world.member)
    kwargs = {"data": payload, "content_type": content_type} if payload is not None else {}
    response = client.generic(method, path, **kwargs)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": detail}


def test_english_clients_get_the_refusal_in_english(world, db):
    response = Client().post("/api/v1/auth/token/", DEEP_JSON, "application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"detail": "The data are nested too deeply (at most 32 levels)."}


def test_valid_json_is_still_accepted_with_its_astral_characters(world, db):
    client = Client()
    client.force_login(world.member)
    body = {"title": "Des arceaux 🚲", "description": "Rue de Rivoli", "theme": "mobilite", "geometry": POINT}
    response = client.post("/api/v1/map/proposals/", json.dumps(body), "application/json")
    assert response.status_code == 201, response.content
    assert response.json()["properties"]["title"] == "Des arceaux 🚲"


@pytest.mark.parametrize(
    "path",
    [
        "/carte/liste/?q=%00",
        "/carte/liste/?theme=mobilite%00",
        "/carte/territoire/?arrondissement=%00",
        "/idees/?q=v%C3%A9lo%00",
        "/idees/partenaires/?q=%00",
        "/benevolat/?q=%00&near=2.35,48.85",
        "/benevolat/stages/?level=bac_2%00&paid=true",
        "/benevolat/stages/bureau-des-stages/?direction=%00",
        "/benevolat/stages/bureau-des-stages/chiffres.csv?direction=%FF",
        "/strategie/comparer/?from=%00",
        "/carte/liste/?q=caf%E9",
        "/carte/%00/",
    ],
)
def test_pages_answer_junk_with_the_400_page(world, db, path):
    response = Client().get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Erreur 400" in response.content.decode()


def test_a_nul_in_a_page_form_is_a_400_and_saves_nothing(world, db):
    from mapvotes.models import Comment

    client = Client()
    client.force_login(world.member)
    proposal = world.objects["proposal"]
    before = Comment.objects.count()
    response = client.post(f"/carte/propositions/{proposal.pk}/commentaires/", {"body": "Je suis pour\x00."})
    assert response.status_code == 400
    assert Comment.objects.count() == before


def test_every_json_parser_of_the_api_is_the_guarded_one():
    """A view that lists its own parser_classes must not bring DRF's unguarded JSONParser back."""
    for route, pattern in ROUTES:
        view = getattr(pattern.callback, "cls", None)
        for parser in getattr(view, "parser_classes", ()):
            if parser.media_type == "application/json":
                assert issubclass(parser, parsers.JSONParser), f"{route}: {parser.__module__}.{parser.__name__}"


# --- WebSocket frames -------------------------------------------------------------------------------------------

# label → (ASGI receive message, expected close code)
JUNK_FRAMES = {
    "binary": ({"bytes": b"\x00\xff\xfe"}, 1003),
    "empty": ({}, 1003),
    "not JSON": ({"text": "{'type': 'ping'"}, 1007),
    "NaN": ({"text": "NaN"}, 1007),
    "huge": ({"text": json.dumps({"type": "ping", "pad": "x" * 1_000_000})}, 1009),
    "nested 1,000 deep": ({"text": "[" * 1000 + "]" * 1000}, 1007),
    "nested 40 deep": ({"text": "[" * 40 + "]" * 40}, 1007),
    "lone surrogate": ({"text": '{"type": "ping", "text": "\\ud800"}'}, 1007),
    "NUL": ({"text": '{"type": "ping\\u0000"}'}, 1007),
}


def ws_routes():
    for pattern in websocket_urlpatterns:
        yield pytest.param(str(pattern.pattern), pattern, id=str(pattern.pattern))


def ws_path_and_user(route: str, w: World):
    """A path and a user who may open this socket (a refused handshake would test nothing)."""
    values = {"pk": w.objects["connection"].pk, "organization_id": w.objects["organization"].pk}
    path = "/" + CONVERTER.sub(lambda m: str(values[m["name"]]), route)
    if "inbox" in route:
        return path, w.team
    if "notifications" in route or "connections" in route or "organizations" in route:
        return path, w.member
    return path, AnonymousUser()


def test_every_consumer_checks_its_frames():
    for pattern in websocket_urlpatterns:
        consumer = pattern.callback.consumer_class
        assert issubclass(consumer, GuardedJsonConsumer), f"{pattern.pattern}: {consumer.__name__}"


@pytest.mark.asyncio
@pytest.mark.django_db
@pytest.mark.parametrize(("route", "pattern"), list(ws_routes()))
async def test_junk_frames_close_every_socket_cleanly(world, route, pattern, caplog):
    path, user = ws_path_and_user(route, world)
    for label, (message, code) in JUNK_FRAMES.items():
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
        communicator.scope["user"] = user
        connected, _ = await communicator.connect(timeout=20)
        assert connected, f"{path} refused {user}"
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="serving.consumers"):
            await communicator.send_input({"type": "websocket.receive", **message})
            closed = await communicator.receive_output(timeout=20)  # re-raises an exception of the consumer
        assert closed == {"type": "websocket.close", "code": code}, f"{path}, {label} frame: {closed}"
        records = [r for r in caplog.records if r.name == "serving.consumers"]
        assert len(records) == 1 and records[0].exc_info is None, f"{path}, {label}: one log line, no traceback"
        await communicator.disconnect(timeout=20)
        await communicator.wait(timeout=20)


@pytest.mark.asyncio
@pytest.mark.django_db
async def test_a_valid_frame_keeps_the_socket_open(world):
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/map/")
    communicator.scope["user"] = AnonymousUser()
    assert (await communicator.connect(timeout=20))[0]
    await communicator.send_json_to({"type": "ping", "text": "Des arceaux 🚲"})
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect(timeout=20)
