"""No stored XSS: a catalogue of payloads in every user text field that is displayed, then every page that shows it.

Each payload goes, through the services where users write (or the factories for fields only organisations and the
team fill in), into: proposal title/description/comment and report; idea title/pitch/description (Markdown)/need
description/news/comment/connection message; mission title/description/skills/contact; organisation name and
description; display names; strategy section body (Markdown through nh3), version summary and section comments;
an offline contribution's title/text/event. Each page is parsed with html.parser: no <script> but the page's own
`src=` modules and `json_script` blocks, no on* attribute, no javascript:/data:/vbscript: URL, no iframe/object/
embed, no script in a style attribute. Each field's marker must be on the page as text, so a field the page does
not show cannot make the test pass by accident. The JSON API returns the text as text.
"""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ideas import services as ideas_services
from mapvotes import services as mapvotes_services
from strategy import services as strategy_services
from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UserFactory
from tests.ideas.factories import make_idea, make_partner
from tests.strategy.factories import ChapterFactory, SectionFactory
from tests.volunteering.factories import ApplicationFactory, MissionFactory
from volunteering import services as volunteering_services

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "attribute-breakout": '"><svg onload=alert(1)>',
    "single-quote-breakout": "'><script>alert(1)</script>",
    "bare-javascript-url": "javascript:alert(1)",
    "markdown-javascript-link": "[x](javascript:alert(1))",
    "markdown-obfuscated-link": '[x](  JaVaScRiPt:alert(1) "t")',
    "markdown-data-link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "html-javascript-link": '<a href="javascript:alert(1)">lien</a>',
    "html-entity-javascript-link": '<a href="&#106;avascript:alert(1)">lien</a>',
    "html-data-link": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "style-attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "details-ontoggle": "<details open ontoggle=alert(1)>",
    "closing-textarea": "</textarea><script>alert(1)</script>",
    "closing-script-in-json": '</script><script>alert(1)</script>{"a":"',
}

BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}


class ExecutableMarkup(HTMLParser):
    """Collects what could run in a browser, and the page's text (to find the markers)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.shown_in_attributes: list[str] = []  # alt, title, aria-label: text a user agent presents
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            if not attributes.get("src") and kind != "application/json":
                self.problems.append(f"inline <script {attrs}>")
            elif attributes.get("src") and not attributes["src"].startswith("/static/"):
                self.problems.append(f"<script src={attributes['src']!r}> from elsewhere")
            self._in_script = kind
        if tag in ("iframe", "object", "embed", "frame", "frameset", "base", "meta") and tag != "meta":
            self.problems.append(f"<{tag} {attrs}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append(f"<meta refresh {attrs}>")
        for name, value in attrs:
            name = name.lower()
            if name in ("alt", "title", "aria-label") and value:
                self.shown_in_attributes.append(value)
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value:
                compact = re.sub(r"[\x00-\x20]", "", value).lower()
                if compact.startswith(BAD_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and re.search(r"javascript|expression\s*\(|url\s*\(", value, re.I):
                self.problems.append(f"<{tag} style={value!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = None

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script == "application/json":
            try:
                json.loads(data)
            except ValueError:
                self.problems.append(f"a json_script block that is not JSON any more: {data[:120]!r}")
            self.text.append(data)  # its strings are displayed by our modules with textContent
        elif self._in_script is None:
            self.text.append(data)


def inspect(html: str) -> ExecutableMarkup:
    parser = ExecutableMarkup()
    parser.feed(html)
    parser.close()
    return parser


@dataclass
class Stored:
    """Where the payload was stored; `markers` are the words each page must show as text."""

    payload: str
    objects: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def png_upload():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def marked(marker: str, payload: str, limit: int | None = None) -> str:
    text = f"{marker} {payload} fin"
    return text[:limit] if limit else text


def store_everywhere(payload: str) -> Stored:
    stored = Stored(payload)
    team = TeamUserFactory(email="equipe@paris.fr", display_name=marked("NOMEQUIPE", payload, 80))
    resident = UserFactory(email="habitante@example.org", display_name=marked("NOMHABITANTE", payload, 80))
    member = UserFactory(email="asso@example.org", display_name=marked("NOMMEMBRE", payload, 80))
    volunteer = UserFactory(email="benevole@example.org", display_name=marked("NOMBENEVOLE", payload, 80))
    organization = OrganizationFactory(
        name=marked("NOMASSO", payload, 200), description=marked("DESCASSO", payload), website=""
    )
    MembershipFactory(organization=organization, user=member)
    stored.users = {"team": team, "resident": resident, "member": member, "volunteer": volunteer}

    # Map: a proposal, a comment, a report.
    proposal = mapvotes_services.create_proposal(
        resident,
        title=marked("TITREPROP", payload, 140),
        description=marked("DESCPROP", payload),
        theme="mobilite",
        geometry=Point(2.3522, 48.8566, srid=4326),
    )
    mapvotes_services.add_comment(volunteer, proposal.pk, marked("COMPROP", payload))
    mapvotes_services.report(volunteer, proposal, marked("SIGNALPROP", payload))

    # Ideas: an idea of the organisation, its needs, news, a comment, a partner's connection and messages.
    idea = make_idea(
        member,
        organization=organization,
        title=marked("TITREIDEE", payload, 150),
        pitch=marked("PITCHIDEE", payload, 280),
        description=marked("DESCIDEE", payload),
        needs=[
            {"kind": "skills", "description": marked("BESOINIDEE", payload)},
            {"kind": "funding", "description": "Achat des panneaux", "amount": 1000},
        ],
    )
    if hasattr(ideas_services, "add_image"):  # pictures of the idea, with their text alternative
        ideas_services.add_image(member, idea, png_upload(), marked("ALTIMAGE", payload, 200))
    ideas_services.post_news(member, idea, marked("TITRENEWS", payload, 150), marked("CORPSNEWS", payload))
    ideas_services.add_comment(resident, idea, marked("COMIDEE", payload))
    partner, partner_member = make_partner(name=marked("NOMPARTENAIRE", payload, 200), offers=("skills",))
    need = idea.needs.get(kind="skills")
    connection = ideas_services.propose_connection(
        partner_member, idea, partner=partner, need=need, message=marked("MSGCONNEXION", payload)
    )
    ideas_services.post_message(member, connection, marked("REPONSECONNEXION", payload))
    stored.users["partner_member"] = partner_member

    # Volunteering: a mission of the organisation and an application.
    mission = MissionFactory(
        organization=organization,
        title=marked("TITREMISSION", payload, 160),
        description=marked("DESCMISSION", payload),
        skills=[marked("SKILL", payload, 60)],
        contact_name=marked("CONTACT", payload, 120),
    )
    application = ApplicationFactory(mission=mission, volunteer=volunteer, message=marked("MSGCANDID", payload))
    volunteering_services.post_application_message(volunteer, application, marked("MSGBENEVOLE", payload))

    # Strategy: a section in Markdown, a published version, a changed draft, a comment, an offline contribution.
    chapter = ChapterFactory(title="Mobilité : une ville apaisée")
    section = SectionFactory(chapter=chapter, slug="mobilite-velo", body=marked("CORPSSECTION", payload))
    strategy_services.publish_version(team, marked("RESUMEV1", payload))
    section.refresh_from_db()
    strategy_services.edit_section(section, team, marked("CORPSV2", payload), section.revision)
    strategy_services.publish_version(team, marked("RESUMEV2", payload))
    section.refresh_from_db()
    strategy_services.add_comment(section, resident, marked("COMSECTION", payload), quote=marked("CITATION", payload))
    offline = strategy_services.add_offline_contribution(
        team,
        title=marked("TITREHORSLIGNE", payload, 300),
        text=marked("TEXTEHORSLIGNE", payload),
        theme="mobilite",
        event=marked("EVENEMENT", payload, 200),
        event_date=timezone.localdate(),
    )
    stored.objects = {
        "organization": organization,
        "proposal": proposal,
        "idea": idea,
        "partner": partner,
        "connection": connection,
        "mission": mission,
        "application": application,
        "section": section,
        "offline": offline,
    }
    return stored


def pages(s: Stored):
    """(who looks, url, markers that must be shown as text)."""
    o = s.objects
    alt = ["ALTIMAGE"] if hasattr(ideas_services, "add_image") else []
    return [
        (None, f"/carte/propositions/{o['proposal'].pk}/", ["TITREPROP", "DESCPROP", "COMPROP", "NOMBENEVOLE"]),
        ("resident", f"/carte/propositions/{o['proposal'].pk}/", ["TITREPROP", "COMPROP"]),
        (None, "/carte/liste/", ["TITREPROP"]),
        (None, "/carte/", []),
        ("team", "/carte/moderation/", ["TITREPROP"]),
        (
            None,
            f"/idees/{o['idea'].pk}/",
            ["TITREIDEE", "PITCHIDEE", "DESCIDEE", "BESOINIDEE", "TITRENEWS", "COMIDEE", *alt],
        ),
        ("member", f"/idees/{o['idea'].pk}/", ["TITREIDEE", "DESCIDEE", "NOMHABITANTE"]),
        (None, "/idees/", ["TITREIDEE", "PITCHIDEE"]),
        (None, "/idees/partenaires/", ["NOMPARTENAIRE"]),
        (None, f"/idees/partenaires/{o['partner'].pk}/", ["NOMPARTENAIRE"]),
        ("member", f"/idees/mises-en-relation/{o['connection'].pk}/", ["MSGCONNEXION", "REPONSECONNEXION"]),
        ("member", "/idees/mises-en-relation/", ["TITREIDEE"]),
        ("member", "/notifications/", ["TITREIDEE"]),
        (
            None,
            f"/benevolat/missions/{o['mission'].pk}/",
            ["TITREMISSION", "DESCMISSION", "SKILL", "NOMASSO"],
        ),
        # The contact person is for the organisation and the volunteers it accepted only.
        ("member", f"/benevolat/missions/{o['mission'].pk}/", ["CONTACT"]),
        ("member", f"/benevolat/candidatures/{o['application'].pk}/", ["MSGBENEVOLE", "NOMBENEVOLE"]),
        ("volunteer", f"/benevolat/candidatures/{o['application'].pk}/", ["MSGBENEVOLE", "TITREMISSION"]),
        (None, "/benevolat/", ["TITREMISSION"]),
        ("volunteer", "/benevolat/mes-candidatures/", ["TITREMISSION"]),
        (
            "member",
            f"/benevolat/organisations/{o['organization'].slug}/tableau-de-bord/",
            ["TITREMISSION", "MSGCANDID", "NOMBENEVOLE"],
        ),
        (None, "/strategie/", ["CORPSV2"]),
        (None, "/strategie/versions/1/", ["CORPSSECTION"]),
        (None, "/strategie/versions/", ["RESUMEV1", "RESUMEV2"]),
        (None, "/strategie/comparer/?from=1&to=2", ["CORPSSECTION", "CORPSV2"]),
        (None, f"/strategie/sections/{o['section'].slug}/", ["COMSECTION", "CITATION", "NOMHABITANTE"]),
        (None, f"/strategie/contributions/{o['offline'].pk}/", ["TITREHORSLIGNE", "EVENEMENT"]),
        ("team", "/strategie/equipe/", ["TITREHORSLIGNE", "TITREPROP", "TITREIDEE"]),
        ("team", f"/strategie/contributions/{o['offline'].pk}/", ["TITREHORSLIGNE", "TEXTEHORSLIGNE"]),
        ("team", "/strategie/equipe/brouillon/", []),
        ("team", f"/strategie/equipe/sections/{o['section'].slug}/", []),
        ("team", "/equipe/journal/", []),
        ("resident", "/comptes/profil/", []),
        (None, "/", []),
    ]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_no_payload_survives_as_executable_markup_on_any_page(db, payload, settings, tmp_path):
    settings.MAPVOTES_BROADCAST_INTERVAL = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    stored = store_everywhere(payload)
    problems = []
    for who, url, markers in pages(stored):
        client = Client()
        if who:
            client.force_login(stored.users[who])
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"{url} as {who or 'anonymous'}: status {response.status_code}")
            continue
        found = inspect(response.content.decode())
        text = " ".join(found.text + found.shown_in_attributes)
        problems += [f"{url} as {who or 'anonymous'}: {problem}" for problem in found.problems]
        problems += [f"{url} as {who or 'anonymous'}: {m} not shown" for m in markers if m not in text]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_the_json_api_returns_user_text_as_text(db, payload, settings, tmp_path):
    settings.MAPVOTES_BROADCAST_INTERVAL = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    stored = store_everywhere(payload)
    o = stored.objects
    client = Client()

    proposal = client.get(f"/api/v1/map/proposals/{o['proposal'].pk}/").json()["properties"]
    comments = client.get(f"/api/v1/map/proposals/{o['proposal'].pk}/comments/").json()["results"]
    idea = client.get(f"/api/v1/ideas/{o['idea'].pk}/").json()
    mission = client.get(f"/api/v1/volunteering/missions/{o['mission'].pk}/").json()
    strategy = client.get("/api/v1/strategy/").json()

    assert proposal["title"] == marked("TITREPROP", payload, 140).strip()
    assert proposal["description"] == marked("DESCPROP", payload)
    assert comments[0]["body"] == marked("COMPROP", payload)
    assert idea["title"] == marked("TITREIDEE", payload, 150).strip()
    assert idea["pitch"] == marked("PITCHIDEE", payload, 280)
    assert mission["title"] == marked("TITREMISSION", payload, 160)
    assert mission["description"] == marked("DESCMISSION", payload)
    # Rendered Markdown is the one HTML field: sanitised by nh3.
    for section in strategy["sections"]:
        found = inspect(section["body_html"])
        assert not found.problems, found.problems
    if "description_html" in idea:
        assert not inspect(idea["description_html"]).problems


def test_the_checker_flags_every_payload_left_unescaped():
    """The detector itself: each payload, inserted raw (or rendered by Markdown without nh3), is caught."""
    import markdown

    for name, payload in PAYLOADS.items():
        if name == "bare-javascript-url":
            raw = f'<a href="{payload}">lien</a>'  # what a template doing href="{{ text }}" would produce
        elif name.startswith("markdown"):
            raw = markdown.markdown(payload)
        elif name == "closing-script-in-json":
            raw = f'<script type="application/json">{{"t": "{payload}"}}</script>'
        else:
            raw = f"<p>{payload}</p>"
        assert inspect(raw).problems, f"the checker misses {name}: {raw!r}"
    assert not inspect('<script type="module" src="/static/js/x.mjs"></script><a href="/carte/">x</a>').problems


def test_an_organisation_website_must_be_an_http_url(db):
    """The one user-supplied link rendered as <a href> (connection page): javascript:/data: never validate."""
    organization = OrganizationFactory.build(name="Association", website="javascript:alert(1)")
    with pytest.raises(ValidationError) as error:
        organization.full_clean(exclude=["slug"])
    assert "website" in error.value.message_dict
    organization.website = "data:text/html,<script>alert(1)</script>"
    with pytest.raises(ValidationError):
        organization.full_clean(exclude=["slug"])


def test_the_atom_feed_publishes_version_summaries_as_text(db):
    from xml.etree import ElementTree

    payload = PAYLOADS["img-onerror"]
    team = TeamUserFactory(email="equipe@paris.fr")
    SectionFactory(chapter=ChapterFactory(), slug="mobilite-velo")
    strategy_services.publish_version(team, marked("RESUMEV1", payload))

    response = Client().get("/strategie/flux.atom")
    assert response.status_code == 200
    atom = "{http://www.w3.org/2005/Atom}"
    summaries = ElementTree.fromstring(response.content).iter(f"{atom}summary")
    for summary in summaries:
        # type="html": the reader parses the (unescaped) text as HTML; type="text" or escaped HTML is safe.
        html = summary.text if summary.get("type") == "html" else ""
        assert not inspect(html or "").problems, html
