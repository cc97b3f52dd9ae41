"""Every API operation × every kind of account → the expected status code.

The operations are enumerated from the OpenAPI schema (/api/v1/schema/) and cross-checked against the URL resolver:
an endpoint added without a row in MATRIX fails `test_every_api_operation_has_an_expected_status_per_role`.

One realistic world is built once for the module (a mission of the owner organisation with an application and a
CV, an idea carried by the owner organisation with needs, a partner's connection and a message, proposals with a
comment, two published strategy versions with a changed draft, an offline contribution…); every cell runs in its
own rolled-back transaction, so a write in one cell (a vote, a deletion) is never seen by another.

Requests authenticate with the account's API token, as outside clients do. Write bodies are valid, so the status
depends on the role only; where an allowed role still gets a 4xx, the row's comment says why.
"""

import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from core.models import District
from ideas import services as ideas_services
from mapvotes import services as mapvotes_services
from strategy import consultations
from strategy import services as strategy_services
from tests.budget.conftest import make_campaign, make_project
from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UnverifiedUserFactory, UserFactory
from tests.ideas.factories import make_idea, make_partner
from tests.mapvotes.factories import ProposalFactory
from tests.strategy.factories import ChapterFactory, ContributionFactory, SectionFactory
from tests.volunteering.factories import MINIMAL_PDF, ApplicationFactory, MissionFactory, in_days

ROLES = ("anonymous", "unverified", "resident", "other_org", "owner_org", "team")

# fmt: off
# Columns: anonymous · unverified account · verified resident · member of another organisation ·
#          member of the owner organisation · mission team.
MATRIX = {
    # --- accounts ---------------------------------------------------------------------------------------------
    ("POST",   "/api/v1/auth/register/"):                          (201, 201, 201, 201, 201, 201),
    ("POST",   "/api/v1/auth/token/"):                             (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/me/"):                                     (401, 200, 200, 200, 200, 200),
    ("PATCH",  "/api/v1/me/"):                                     (401, 200, 200, 200, 200, 200),
    ("DELETE", "/api/v1/me/"):                                     (401, 204, 204, 204, 204, 204),
    ("GET",    "/api/v1/me/export/"):                              (401, 200, 200, 200, 200, 200),
    # --- common -----------------------------------------------------------------------------------------------
    ("GET",    "/healthz"):                                        (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/themes/"):                                 (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/districts/"):                              (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/places/"):                                 (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/places/reverse/"):                         (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/notifications/"):                          (401, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/notifications/read/"):                     (401, 204, 204, 204, 204, 204),
    ("GET",    "/api/v1/follows/{kind}/{id}/"):                    (401, 200, 200, 200, 200, 200),
    ("PUT",    "/api/v1/follows/{kind}/{id}/"):                    (401, 200, 200, 200, 200, 200),
    ("DELETE", "/api/v1/follows/{kind}/{id}/"):                    (401, 200, 200, 200, 200, 200),
    # --- map --------------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/map/proposals/"):                          (200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/map/proposals/"):                          (401, 403, 201, 201, 201, 201),
    ("GET",    "/api/v1/map/proposals/similar/"):                  (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/map/proposals/{id}/"):                     (200, 200, 200, 200, 200, 200),
    ("PUT",    "/api/v1/map/proposals/{id}/vote/"):                (401, 403, 200, 200, 200, 200),
    ("DELETE", "/api/v1/map/proposals/{id}/vote/"):                (401, 403, 200, 200, 200, 200),
    ("GET",    "/api/v1/map/proposals/{id}/comments/"):            (200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/map/proposals/{id}/comments/"):            (401, 403, 201, 201, 201, 201),
    # Reporting is open to every logged-in account, verified or not (mapvotes.report).
    ("POST",   "/api/v1/map/proposals/{id}/report/"):              (401, 201, 201, 201, 201, 201),
    ("POST",   "/api/v1/map/proposals/{id}/status/"):              (401, 403, 403, 403, 403, 200),
    ("POST",   "/api/v1/map/proposals/{id}/merge/"):               (401, 403, 403, 403, 403, 200),
    ("POST",   "/api/v1/map/proposals/{id}/hide/"):                (401, 403, 403, 403, 403, 200),
    # Own content: the world's proposal and comment belong to none of the roles, so everyone else is refused.
    ("PATCH",  "/api/v1/map/proposals/{id}/"):                     (401, 403, 403, 403, 403, 403),
    ("POST",   "/api/v1/map/proposals/{id}/withdraw/"):            (401, 403, 403, 403, 403, 403),
    ("GET",    "/api/v1/map/proposals/{id}/revisions/"):           (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/map/proposals/{id}/comments/{cid}/"):      (200, 200, 200, 200, 200, 200),
    ("PATCH",  "/api/v1/map/proposals/{id}/comments/{cid}/"):      (401, 403, 403, 403, 403, 403),
    ("DELETE", "/api/v1/map/proposals/{id}/comments/{cid}/"):      (401, 403, 403, 403, 403, 403),
    ("POST",   "/api/v1/map/comments/{id}/report/"):               (401, 201, 201, 201, 201, 201),
    ("POST",   "/api/v1/map/comments/{id}/hide/"):                 (401, 403, 403, 403, 403, 200),
    ("GET",    "/api/v1/map/territory/"):                          (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/map/export.geojson"):                      (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/map/export.csv"):                          (200, 200, 200, 200, 200, 200),
    # --- volunteering -----------------------------------------------------------------------------------------
    ("GET",    "/api/v1/volunteering/missions/"):                  (200, 200, 200, 200, 200, 200),
    # Members of a verified organisation publish; the team is not an organisation.
    ("POST",   "/api/v1/volunteering/missions/"):                  (401, 403, 403, 201, 201, 403),
    ("GET",    "/api/v1/volunteering/missions/{id}/"):             (200, 200, 200, 200, 200, 200),
    ("PATCH",  "/api/v1/volunteering/missions/{id}/"):             (401, 403, 403, 403, 200, 403),
    # The mission is already published: publishing it again is a no-op (200) for its organisation.
    ("POST",   "/api/v1/volunteering/missions/{id}/publish/"):     (401, 403, 403, 403, 200, 403),
    ("POST",   "/api/v1/volunteering/missions/{id}/unpublish/"):   (401, 403, 403, 403, 200, 403),
    ("POST",   "/api/v1/volunteering/missions/{id}/close/"):       (401, 403, 403, 403, 200, 403),
    ("POST",   "/api/v1/volunteering/missions/{id}/applications/"): (401, 403, 201, 201, 201, 201),
    # Applications are private to the organisation (and the applicant): everybody else gets 404, team included.
    ("GET",    "/api/v1/volunteering/missions/{id}/applications.csv"): (401, 404, 404, 404, 200, 404),
    ("GET",    "/api/v1/volunteering/applications/"):              (401, 404, 404, 404, 200, 404),  # ?mission=ID
    ("GET",    "/api/v1/volunteering/applications/{id}/"):         (401, 404, 404, 404, 200, 404),
    ("PATCH",  "/api/v1/volunteering/applications/{id}/"):         (401, 404, 404, 404, 200, 404),
    ("GET",    "/api/v1/volunteering/applications/{id}/cv/"):      (401, 404, 404, 404, 200, 404),
    # Messages under an application: its two sides only (the applicant is not one of the columns).
    ("GET",    "/api/v1/volunteering/applications/{id}/messages/"): (401, 404, 404, 404, 200, 404),
    ("POST",   "/api/v1/volunteering/applications/{id}/messages/"): (401, 404, 404, 404, 201, 404),
    # The world's application is not accepted and its mission has not ended: no attestation to read, and issuing
    # one is refused with a message (400) even to the organisation.
    ("GET",    "/api/v1/volunteering/applications/{id}/attestation/"): (401, 404, 404, 404, 404, 404),
    ("POST",   "/api/v1/volunteering/applications/{id}/attestation/"): (401, 404, 404, 404, 400, 404),
    # Only the applicant withdraws: the organisation sees the application but gets 403.
    ("POST",   "/api/v1/volunteering/applications/{id}/withdraw/"): (401, 404, 404, 404, 403, 404),
    # Ids of applications one cannot see are "unknown" (400 on `ids`), so as not to reveal that they exist.
    ("POST",   "/api/v1/volunteering/applications/bulk/"):         (401, 400, 400, 400, 200, 400),
    ("GET",    "/api/v1/volunteering/recommendations/"):           (401, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/volunteering/profile/"):                   (401, 200, 200, 200, 200, 200),
    ("PUT",    "/api/v1/volunteering/profile/"):                   (401, 200, 200, 200, 200, 200),
    ("PATCH",  "/api/v1/volunteering/profile/"):                   (401, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/volunteering/organizations/{id}/"):        (200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/volunteering/organizations/{id}/applications/"): (401, 403, 201, 201, 201, 201),
    ("GET",    "/api/v1/volunteering/organizations/{id}/statistics/"): (401, 404, 404, 404, 200, 404),
    # --- ideas ------------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/ideas/"):                                  (200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/ideas/"):                                  (401, 403, 201, 201, 201, 201),
    ("GET",    "/api/v1/ideas/{id}/"):                             (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/ideas/{id}/matches/"):                     (200, 200, 200, 200, 200, 200),
    ("PUT",    "/api/v1/ideas/{id}/support/"):                     (401, 403, 200, 200, 200, 200),
    # Withdrawing a support one never gave is a harmless no-op, allowed to any logged-in account.
    ("DELETE", "/api/v1/ideas/{id}/support/"):                     (401, 200, 200, 200, 200, 200),
    # The holder side (the owner organisation carries the idea) asks the partner for support on a need.
    ("POST",   "/api/v1/ideas/{id}/connections/"):                 (401, 403, 403, 403, 201, 403),
    ("GET",    "/api/v1/ideas/{id}/comments/"):                    (200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/ideas/{id}/comments/"):                    (401, 403, 201, 201, 201, 201),
    # A comment by someone else: nobody edits or deletes it, not even the team (which hides, see moderation).
    ("GET",    "/api/v1/ideas/{id}/comments/{cid}/"):              (200, 200, 200, 200, 200, 200),
    ("PATCH",  "/api/v1/ideas/{id}/comments/{cid}/"):              (401, 403, 403, 403, 403, 403),
    ("DELETE", "/api/v1/ideas/{id}/comments/{cid}/"):              (401, 403, 403, 403, 403, 403),
    ("GET",    "/api/v1/ideas/{id}/news/"):                        (200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/ideas/{id}/news/"):                        (401, 403, 403, 403, 201, 403),
    ("POST",   "/api/v1/ideas/{id}/reports/"):                     (401, 201, 201, 201, 201, 201),
    # Pictures of the project: its holder's side (and the team, which may change any idea). Multipart upload.
    ("POST",   "/api/v1/ideas/{id}/images/"):                      (401, 403, 403, 403, 201, 201),
    ("DELETE", "/api/v1/ideas/{id}/images/{image_id}/"):           (401, 403, 403, 403, 204, 204),
    ("POST",   "/api/v1/ideas/{id}/moderation/"):                  (401, 403, 403, 403, 403, 200),
    # The prefilled mission-creation URL is built from public data only.
    ("GET",    "/api/v1/ideas/{id}/needs/{need_id}/mission/"):     (401, 200, 200, 200, 200, 200),
    ("PUT",    "/api/v1/ideas/{id}/needs/{need_id}/mission/"):     (401, 403, 403, 403, 200, 403),
    ("GET",    "/api/v1/partners/"):                               (200, 200, 200, 200, 200, 200),
    # The owner organisation already has a partner profile: a second one is a 409 (the other organisation: 201).
    ("POST",   "/api/v1/partners/"):                               (401, 403, 403, 201, 409, 403),
    ("GET",    "/api/v1/partners/{id}/"):                          (200, 200, 200, 200, 200, 200),
    # A partner's matches (ideas ranked for it) are for its members and the team: ideas.view_partner_matches.
    ("GET",    "/api/v1/partners/{id}/matches/"):                  (401, 403, 403, 403, 200, 200),
    ("GET",    "/api/v1/connections/"):                            (401, 200, 200, 200, 200, 200),
    # Private conversations: only the two sides, not even the team; anybody else gets 404.
    ("GET",    "/api/v1/connections/{id}/"):                       (401, 404, 404, 404, 200, 404),
    ("PATCH",  "/api/v1/connections/{id}/"):                       (401, 404, 404, 404, 200, 404),
    ("GET",    "/api/v1/connections/{id}/messages/"):              (401, 404, 404, 404, 200, 404),
    ("POST",   "/api/v1/connections/{id}/messages/"):              (401, 404, 404, 404, 201, 404),
    # --- strategy ---------------------------------------------------------------------------------------------
    ("GET",    "/api/v1/strategy/"):                               (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/strategy/versions/"):                      (200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/strategy/versions/"):                      (401, 403, 403, 403, 403, 201),
    ("GET",    "/api/v1/strategy/versions/{number}/"):             (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/strategy/diff/"):                          (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/strategy/contributions/"):                 (401, 403, 403, 403, 403, 200),
    ("GET",    "/api/v1/strategy/contributions/{id}/"):            (401, 403, 403, 403, 403, 200),
    ("PATCH",  "/api/v1/strategy/contributions/{id}/"):            (401, 403, 403, 403, 403, 200),
    ("POST",   "/api/v1/strategy/contributions/bulk/"):            (401, 403, 403, 403, 403, 200),
    ("GET",    "/api/v1/strategy/sections/"):                      (401, 403, 403, 403, 403, 200),
    ("GET",    "/api/v1/strategy/sections/{slug}/"):               (401, 403, 403, 403, 403, 200),
    ("PATCH",  "/api/v1/strategy/sections/{slug}/"):               (401, 403, 403, 403, 403, 200),
    ("GET",    "/api/v1/strategy/sections/{slug}/annotations/"):   (200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/strategy/sections/{slug}/annotations/"):   (401, 403, 201, 201, 201, 201),
    # --- budget participatif -----------------------------------------------------------------------------------
    ("GET",    "/api/v1/budget/campaigns/"):                       (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/budget/projects/"):                        (200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/budget/campaigns/{id}/ballot/"):           (401, 404, 404, 404, 404, 404),
    ("PUT",    "/api/v1/budget/campaigns/{id}/ballot/"):           (401, 403, 200, 200, 200, 200),
    ("DELETE", "/api/v1/budget/campaigns/{id}/ballot/"):           (401, 403, 404, 404, 404, 404),
    # no ballot yet to read or withdraw; the results are not out during the vote
    ("GET",    "/api/v1/budget/campaigns/{id}/results.csv"):       (404, 404, 404, 404, 404, 404),
}
# fmt: on

# What an unverified account may not do; its 403 says why (confirm the e-mail address), as the contract requires.
TAKING_PART = {
    ("POST", "/api/v1/map/proposals/"),
    ("PUT", "/api/v1/map/proposals/{id}/vote/"),
    ("POST", "/api/v1/map/proposals/{id}/comments/"),
    ("POST", "/api/v1/volunteering/missions/{id}/applications/"),
    ("POST", "/api/v1/volunteering/organizations/{id}/applications/"),
    ("POST", "/api/v1/ideas/"),
    ("PUT", "/api/v1/ideas/{id}/support/"),
    ("POST", "/api/v1/ideas/{id}/connections/"),
    ("POST", "/api/v1/ideas/{id}/comments/"),
}

# Cells where the product disagrees with the contract: kept visible (strict xfail) until fixed.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


@dataclass
class World:
    users: dict
    tokens: dict
    owner_org: object
    other_org: object
    mission: object
    application: object
    idea: object
    needs: dict
    partner: object
    owner_partner: object
    connection: object
    proposal: object
    other_proposal: object
    comment: object
    idea_comment: object
    contribution: object
    section: object
    versions: tuple
    image: object = None
    campaign: object = None  # the budget's, in its vote phase, with one project of all of Paris
    project: object = None


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory):
    """One media folder for the module's two worlds: in random order their tests interleave, and a second override
    would hide the first world's files (its CV answered 404)."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), MAPVOTES_BROADCAST_INTERVAL=0)
    media.enable()
    yield
    media.disable()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, matrix_media):
    """Built once, in a transaction rolled back at the end of the module; each test adds a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        users = {
            "unverified": UnverifiedUserFactory(email="nouveau@example.org"),
            "resident": UserFactory(email="habitante@example.org", display_name="Camille Habitante"),
            "other_org": UserFactory(email="autre-asso@example.org"),
            "owner_org": UserFactory(email="jardins@example.org"),
            "team": TeamUserFactory(email="equipe@paris.fr"),
        }
        owner_org = OrganizationFactory(name="Les Jardins Partagés du 11e")
        other_org = OrganizationFactory(name="Autre association du 18e")
        MembershipFactory(organization=owner_org, user=users["owner_org"])
        MembershipFactory(organization=other_org, user=users["other_org"])

        mission = MissionFactory(organization=owner_org, title="Jardiner avec les enfants")
        application = ApplicationFactory(mission=mission, volunteer=UserFactory(email="benevole@example.org"))
        application.cv.save("cv.pdf", ContentFile(MINIMAL_PDF), save=True)

        idea = make_idea(
            users["owner_org"],
            organization=owner_org,
            needs=[
                {"kind": "funding", "description": "Achat des panneaux", "amount": 15000},
                {"kind": "skills", "description": "Un électricien"},
                {"kind": "volunteers", "description": "Des bras pour la pose"},
            ],
        )
        needs = {need.kind: need for need in idea.needs.all()}
        partner, partner_member = make_partner(offers=("funding", "skills"))
        connection = ideas_services.propose_connection(
            partner_member, idea, partner=partner, need=needs["funding"], message="Nous pouvons financer."
        )
        ideas_services.post_message(partner_member, connection, "Quand pouvons-nous en parler ?")
        ideas_services.add_comment(users["resident"], idea, "Très bonne idée !")
        ideas_services.post_news(users["owner_org"], idea, "Premiers panneaux", "Les devis sont arrivés.")
        add_image = getattr(ideas_services, "add_image", None)  # idea pictures (ideas.api.IdeaImages)
        image = add_image(users["owner_org"], idea, png_upload(), "Le toit de l'école") if add_image else None
        owner_partner = ideas_services.create_partner(
            users["owner_org"],
            organization=owner_org,
            description="Nous prêtons des outils de jardinage.",
            themes=["energie"],
            offers=[{"kind": "equipment", "description": "Outils"}],
        )

        proposal = ProposalFactory(title="Piste cyclable rue de Rivoli")
        other_proposal = ProposalFactory(title="Piste cyclable sur la rue de Rivoli")
        comment = mapvotes_services.add_comment(UserFactory(), proposal.pk, "Bonne idée, la rue est dangereuse.")
        idea_comment = ideas_services.add_comment(UserFactory(), idea, "Je peux prêter une échelle.")

        chapter = ChapterFactory(title="Mobilité : une ville apaisée")
        section = SectionFactory(chapter=chapter, slug="mobilite-velo", title="Une ville 100 % cyclable")
        v1 = strategy_services.publish_version(users["team"], "Première version.")
        section.refresh_from_db()
        strategy_services.edit_section(section, users["team"], "Un réseau express vélo.", section.revision)
        v2 = strategy_services.publish_version(users["team"], "Le réseau express vélo.")
        section.refresh_from_db()
        strategy_services.edit_section(section, users["team"], "Un réseau express vélo, éclairé.", section.revision)
        section.refresh_from_db()
        contribution = ContributionFactory()
        now = timezone.now()
        consultations.open_consultation(
            users["team"], title="Consultation", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=9)
        )
        campaign = make_campaign()
        project = make_project(campaign)
        # the verified accounts live in Paris and said so (the budget's vote asks for it)
        User.objects.filter(pk__in=[u.pk for r, u in users.items() if r != "unverified"]).update(
            home_district=District.objects.get(number=11)
        )

        tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
        yield World(
            users=users,
            tokens=tokens,
            owner_org=owner_org,
            other_org=other_org,
            mission=mission,
            application=application,
            idea=idea,
            needs=needs,
            partner=partner,
            owner_partner=owner_partner,
            connection=connection,
            proposal=proposal,
            other_proposal=other_proposal,
            comment=comment,
            idea_comment=idea_comment,
            contribution=contribution,
            section=section,
            versions=(v1, v2),
            image=image,
            campaign=campaign,
            project=project,
        )
        transaction.set_rollback(True)


# --- how each operation is called: path parameters, query string, body --------------------------------------


def path_params(w: World) -> dict:
    return {
        "/api/v1/map/proposals/{id}/": w.proposal.pk,
        "/api/v1/map/comments/{id}/": w.comment.pk,
        "/api/v1/volunteering/missions/{id}/": w.mission.pk,
        "/api/v1/volunteering/applications/{id}/": w.application.pk,
        "/api/v1/volunteering/organizations/{id}/": w.owner_org.pk,
        "/api/v1/ideas/{id}/": w.idea.pk,
        "/api/v1/partners/{id}/": w.owner_partner.pk,
        "/api/v1/connections/{id}/": w.connection.pk,
        "/api/v1/strategy/contributions/{id}/": w.contribution.pk,
        "/api/v1/follows/{kind}/{id}/": w.proposal.pk,
        "/api/v1/budget/campaigns/{id}/": w.campaign.pk,
    }


def url_for(w: World, path: str) -> str:
    url = path
    for prefix, pk in path_params(w).items():
        if path.startswith(prefix):
            url = url.replace("{id}", str(pk), 1)
    url = url.replace("{need_id}", str(w.needs["volunteers"].pk))
    url = url.replace("{cid}", str((w.idea_comment if path.startswith("/api/v1/ideas/") else w.comment).pk))
    if w.image is not None:
        url = url.replace("{image_id}", str(w.image.pk))
    url = (
        url.replace("{kind}", "proposal")
        .replace("{slug}", w.section.slug)
        .replace("{number}", str(w.versions[0].number))
    )
    return url


def query_for(w: World, method: str, path: str) -> dict:
    return {
        ("GET", "/api/v1/map/proposals/"): {"bbox": "2.25,48.81,2.42,48.90", "zoom": 16},
        ("GET", "/api/v1/places/"): {"q": "place de l'Hôtel de Ville"},
        ("GET", "/api/v1/places/reverse/"): {"lon": "2.3522", "lat": "48.8566"},
        ("GET", "/api/v1/map/proposals/similar/"): {"lon": 2.3522, "lat": 48.8566, "title": "piste cyclable"},
        ("GET", "/api/v1/volunteering/applications/"): {"mission": w.mission.pk},
        ("GET", "/api/v1/strategy/diff/"): {"from": w.versions[0].number, "to": w.versions[1].number},
    }.get((method, path), {})


POINT = {"type": "Point", "coordinates": [2.3522, 48.8566]}
MULTIPART = {("POST", "/api/v1/ideas/{id}/images/")}


def png_upload(name="photo.png"):
    """A small real PNG (uploads are checked and re-encoded from their content)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def body_for(w: World, method: str, path: str, role: str):
    bodies = {
        ("POST", "/api/v1/auth/register/"): {
            "email": f"inscription-{role}@example.org",
            "password": "motdepasse-solide-42",
            "display_name": "Dominique",
        },
        ("POST", "/api/v1/auth/token/"): {"email": "habitante@example.org", "password": "motdepasse-solide-42"},
        ("PATCH", "/api/v1/me/"): {"display_name": "Nouveau nom"},
        ("POST", "/api/v1/strategy/sections/{slug}/annotations/"): {
            "quote": "Un réseau express vélo, éclairé.",
            "body": "Et sûr la nuit.",
            "kind": "comment",
        },
        ("PUT", "/api/v1/budget/campaigns/{id}/ballot/"): {"projects": [w.project.pk], "arrondissement": 11},
        ("POST", "/api/v1/map/proposals/"): {
            "title": "Des arceaux vélo place de l'Hôtel de Ville",
            "description": "Il n'y a nulle part où attacher son vélo.",
            "theme": "mobilite",
            "geometry": POINT,
        },
        ("PUT", "/api/v1/map/proposals/{id}/vote/"): {"value": "for"},
        ("POST", "/api/v1/map/proposals/{id}/comments/"): {"body": "Je suis pour.", "stance": "for"},
        ("POST", "/api/v1/map/proposals/{id}/report/"): {"reason": "Propos déplacés"},
        ("POST", "/api/v1/map/proposals/{id}/status/"): {"status": "under_study", "reason": "Étude lancée."},
        ("POST", "/api/v1/map/proposals/{id}/merge/"): {"into": w.other_proposal.pk, "reason": "Doublon."},
        ("POST", "/api/v1/map/proposals/{id}/hide/"): {"hidden": True, "reason": "Hors charte."},
        ("PATCH", "/api/v1/map/proposals/{id}/"): {"title": "Piste cyclable protégée rue de Rivoli"},
        ("POST", "/api/v1/map/proposals/{id}/withdraw/"): {"reason": "Déjà programmé par la mairie."},
        ("PATCH", "/api/v1/map/proposals/{id}/comments/{cid}/"): {"body": "Bonne idée, corrigée."},
        ("POST", "/api/v1/map/comments/{id}/report/"): {"reason": "Injurieux"},
        ("POST", "/api/v1/map/comments/{id}/hide/"): {"hidden": True, "reason": "Injurieux."},
        ("POST", "/api/v1/volunteering/missions/"): {
            "title": "Distribution alimentaire",
            "description": "Aider à la distribution du samedi matin.",
            "themes": ["solidarite"],
            "location": POINT,
            "address": "Place de l'Hôtel de Ville, 75004 Paris",
            "start_date": in_days(10).isoformat(),
            "end_date": in_days(40).isoformat(),
            "places": 4,
        },
        ("PATCH", "/api/v1/volunteering/missions/{id}/"): {"title": "Jardiner avec les enfants du quartier"},
        ("POST", "/api/v1/volunteering/missions/{id}/applications/"): {"message": "Je suis disponible le samedi."},
        ("PATCH", "/api/v1/volunteering/applications/{id}/"): {"status": "shortlisted", "message": "Merci !"},
        ("POST", "/api/v1/volunteering/applications/{id}/messages/"): {"body": "Faut-il apporter des gants ?"},
        ("POST", "/api/v1/volunteering/applications/{id}/attestation/"): {"signer_name": "Marc Dupont", "hours": 12},
        ("POST", "/api/v1/volunteering/applications/bulk/"): {
            "ids": [w.application.pk],
            "status": "shortlisted",
            "message": "Merci !",
        },
        ("PUT", "/api/v1/volunteering/profile/"): {"radius_km": 3, "themes": ["solidarite"]},
        ("PATCH", "/api/v1/volunteering/profile/"): {"radius_km": 5},
        ("POST", "/api/v1/volunteering/organizations/{id}/applications/"): {
            "message": "J'aimerais vous aider au jardin."
        },
        ("POST", "/api/v1/ideas/"): {
            "title": "Un compost de quartier",
            "pitch": "Des bacs à compost dans la cour de l'école.",
            "themes": ["energie"],
            "districts": [11],
            "needs": [{"kind": "place", "description": "Une cour"}],
        },
        ("POST", "/api/v1/ideas/{id}/connections/"): {
            "partner": w.partner.pk,
            "need": w.needs["skills"].pk,
            "message": "Pourriez-vous nous aider ?",
        },
        ("POST", "/api/v1/ideas/{id}/comments/"): {"body": "J'aimerais participer."},
        ("PATCH", "/api/v1/ideas/{id}/comments/{cid}/"): {"body": "Je peux prêter deux échelles."},
        ("POST", "/api/v1/ideas/{id}/news/"): {"title": "Chantier lancé", "body": "La pose commence lundi."},
        ("POST", "/api/v1/ideas/{id}/reports/"): {"reason": "Publicité"},
        ("POST", "/api/v1/ideas/{id}/moderation/"): {"hidden": True, "reason": "Hors charte."},
        ("POST", "/api/v1/ideas/{id}/images/"): {"image": png_upload(), "alt": "Les panneaux posés"},
        ("PUT", "/api/v1/ideas/{id}/needs/{need_id}/mission/"): {"mission_id": w.mission.pk},
        ("POST", "/api/v1/partners/"): {
            "description": "Nous accompagnons les projets de quartier.",
            "themes": ["energie"],
            "offers": [{"kind": "skills", "description": "Des conseils"}],
        },
        ("PATCH", "/api/v1/connections/{id}/"): {"status": "accepted"},
        ("POST", "/api/v1/connections/{id}/messages/"): {"body": "Avec plaisir, mardi ?"},
        ("POST", "/api/v1/strategy/versions/"): {"summary": "L'éclairage des pistes."},
        ("PATCH", "/api/v1/strategy/contributions/{id}/"): {"status": "reviewing"},
        ("POST", "/api/v1/strategy/contributions/bulk/"): {"ids": [w.contribution.pk], "status": "reviewing"},
        ("PATCH", "/api/v1/strategy/sections/{slug}/"): {
            "body": "Un réseau express vélo, éclairé et sûr.",
            "revision": w.section.revision,
        },
    }
    return bodies.get((method, path))


# --- the endpoints of the API, from the schema and the resolver -----------------------------------------------


def schema_operations() -> set[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    methods = {"get", "post", "put", "patch", "delete"}
    return {(m.upper(), path) for path, ops in schema["paths"].items() for m in ops if m in methods}


def resolver_routes(resolver=None, prefix="") -> set[str]:
    """Every URL pattern under /api/v1/ (and /healthz) with its parameters written as `{}`."""
    routes = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= resolver_routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            routes.add("/" + re.sub(r"<[^>]+>", "{}", route).lstrip("^").rstrip("$"))
    return routes


def test_every_api_operation_has_an_expected_status_per_role(db):
    operations = schema_operations()
    assert operations - set(MATRIX) == set(), "new API operations without a row in MATRIX"
    assert set(MATRIX) - operations == set(), "rows of MATRIX for operations that no longer exist"
    api_routes = {r for r in resolver_routes() if r.startswith("/api/v1/") or r == "/healthz"}
    api_routes -= {"/api/v1/schema/", "/api/v1/docs/"}
    documented = {re.sub(r"\{[^}]+\}", "{}", path) for _, path in operations}
    assert api_routes - documented == set(), "API routes missing from the OpenAPI schema"


def cells():
    for (method, path), statuses in MATRIX.items():
        for role, expected in zip(ROLES, statuses, strict=True):
            marks = []
            if (method, path, role) in KNOWN_BUGS:
                marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[(method, path, role)])]
            yield pytest.param(method, path, role, expected, id=f"{method} {path} as {role}", marks=marks)


PROJECT_APPS = ("accounts", "core", "mapvotes", "volunteering", "ideas", "strategy", "budget")


def row_counts() -> dict:
    """How many rows each model of the project has: a refused write must leave every one unchanged."""
    from django.apps import apps

    models = [m for app in PROJECT_APPS for m in apps.get_app_config(app).get_models()]
    return {m._meta.label: m._base_manager.count() for m in models}


@pytest.mark.parametrize(("method", "path", "role", "expected"), list(cells()))
def test_permission_matrix(world, db, method, path, role, expected):
    before = row_counts() if method != "GET" and expected >= 400 else None
    client = APIClient()
    if role != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
    url = url_for(world, path)
    query = query_for(world, method, path)
    body = body_for(world, method, path, role)
    if method == "GET":
        response = client.get(url, query)
    else:
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        response = getattr(client, method.lower())(
            url, body, format="multipart" if (method, path) in MULTIPART else "json"
        )

    content = response.content[:500] if not getattr(response, "streaming", False) else b"(streamed)"
    assert response.status_code == expected, f"{method} {url} as {role}: {response.status_code} {content!r}"
    if 400 <= response.status_code < 500:
        detail = response.json().get("detail")
        assert isinstance(detail, str) and detail, f"a 4xx without a human sentence: {content!r}"
    if before is not None:
        assert row_counts() == before, "a refused write saved something"
    if role == "unverified" and (method, path) in TAKING_PART:
        assert "e-mail" in response.json()["detail"], "an unverified account is told why it may not take part"


# --- refusals are translated: the same request in English gets the same status with an English sentence ---------


def refusal_cells():
    for (method, path), statuses in MATRIX.items():
        for role, expected in zip(ROLES, statuses, strict=True):
            if 400 <= expected < 500:
                yield pytest.param(method, path, role, id=f"{method} {path} as {role}")


@pytest.mark.parametrize(("method", "path", "role"), list(refusal_cells()))
def test_refusals_are_translated(world, db, method, path, role):
    client = _client(world, role)
    url, query = url_for(world, path), query_for(world, method, path)
    body = body_for(world, method, path, role)
    answers = {}
    for language in ("fr", "en"):
        if method == "GET":
            response = client.get(url, query, HTTP_ACCEPT_LANGUAGE=language)
        elif (method, path) in MULTIPART:
            body = body_for(world, method, path, role)  # a fresh upload each time
            response = client.post(url, body, format="multipart", HTTP_ACCEPT_LANGUAGE=language)
        else:
            payload = json.dumps(body) if body is not None else ""
            response = client.generic(method, url, payload, "application/json", HTTP_ACCEPT_LANGUAGE=language)
        answers[language] = (response.status_code, response.json()["detail"])

    assert answers["fr"][0] == answers["en"][0]
    assert answers["fr"][1] != answers["en"][1], f"not translated: {answers['en'][1]!r}"


# --- objects that are not public: a draft mission, an unpublished idea, a hidden idea, a hidden proposal ---------

# fmt: off
#  (method, path, object): statuses in ROLES order. Private things are 404 for whoever may not see them.
NOT_PUBLIC_MATRIX = {
    ("GET",   "/api/v1/volunteering/missions/{id}/", "draft_mission"):              (404, 404, 404, 404, 200, 200),
    ("PATCH", "/api/v1/volunteering/missions/{id}/", "draft_mission"):              (401, 404, 404, 404, 200, 403),
    # Its organisation and the team see it, but nobody can apply to a mission that is not published.
    ("POST",  "/api/v1/volunteering/missions/{id}/applications/", "draft_mission"): (401, 404, 404, 404, 409, 409),
    ("GET",   "/api/v1/ideas/{id}/", "draft_idea"):                                 (404, 404, 404, 404, 200, 200),
    ("PUT",   "/api/v1/ideas/{id}/support/", "draft_idea"):                         (401, 404, 404, 404, 403, 403),
    ("GET",   "/api/v1/ideas/{id}/", "hidden_idea"):                                (404, 404, 404, 404, 200, 200),
    ("GET",   "/api/v1/ideas/{id}/comments/", "hidden_idea"):                       (404, 404, 404, 404, 200, 200),
    # A hidden proposal keeps its page (with the public reason) but can no longer be voted on: 400 with a message.
    ("GET",   "/api/v1/map/proposals/{id}/", "hidden_proposal"):                    (200, 200, 200, 200, 200, 200),
    ("PUT",   "/api/v1/map/proposals/{id}/vote/", "hidden_proposal"):               (401, 403, 400, 400, 400, 400),
}
# fmt: on


@pytest.fixture(scope="module")
def not_public(world, django_db_blocker):
    """Added to the module's world (same outer transaction, rolled back at the end)."""
    from mapvotes.models import Proposal
    from volunteering.models import Mission

    with django_db_blocker.unblock():
        owner, team = world.users["owner_org"], world.users["team"]
        draft_mission = MissionFactory(
            organization=world.owner_org, status=Mission.Status.DRAFT, published_at=None, title="Brouillon"
        )
        draft_idea = make_idea(owner, organization=world.owner_org, title="Idée en préparation", publish=False)
        hidden_idea = make_idea(owner, organization=world.owner_org, title="Idée masquée")
        ideas_services.add_comment(world.users["resident"], hidden_idea, "Un commentaire sous une idée masquée.")
        ideas_services.set_hidden(team, hidden_idea, True, "Données personnelles.")
        hidden_proposal = ProposalFactory(title="Proposition masquée")
        mapvotes_services.add_comment(world.users["resident"], hidden_proposal.pk, "Le voisin du 3e, M. X, est…")
        mapvotes_services.set_hidden(team, Proposal.objects.get(pk=hidden_proposal.pk), True, "Propos diffamatoires.")
    return {
        "draft_mission": draft_mission,
        "draft_idea": draft_idea,
        "hidden_idea": hidden_idea,
        "hidden_proposal": hidden_proposal,
    }


def not_public_cells():
    for (method, path, name), statuses in NOT_PUBLIC_MATRIX.items():
        for role, expected in zip(ROLES, statuses, strict=True):
            yield pytest.param(method, path, name, role, expected, id=f"{method} {path} of {name} as {role}")


def _client(world, role) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
    return client


@pytest.mark.parametrize(("method", "path", "name", "role", "expected"), list(not_public_cells()))
def test_not_public_objects_matrix(world, not_public, db, method, path, name, role, expected):
    url = path.replace("{id}", str(not_public[name].pk))
    body = body_for(world, method, path, role)
    client = _client(world, role)
    response = client.get(url) if method == "GET" else getattr(client, method.lower())(url, body, format="json")

    assert response.status_code == expected, f"{method} {url} as {role}: {response.status_code} {response.content!r}"
    if response.status_code >= 400:
        assert response.json()["detail"]
    if name == "hidden_proposal" and method == "GET" and role != "team":
        assert response.json()["properties"]["title"] == ""  # only the public reason is shown


@pytest.mark.parametrize("role", ["anonymous", "resident", "owner_org"])
def test_comments_of_a_hidden_proposal_are_not_served_to_non_team(world, not_public, db, role):
    proposal = not_public["hidden_proposal"]
    response = _client(world, role).get(f"/api/v1/map/proposals/{proposal.pk}/comments/")

    assert response.status_code == 404 or all(c["body"] == "" for c in response.json()["results"]), response.json()


def test_comments_of_a_hidden_proposal_stay_readable_by_the_team(world, not_public, db):
    proposal = not_public["hidden_proposal"]
    response = _client(world, "team").get(f"/api/v1/map/proposals/{proposal.pk}/comments/")

    assert response.status_code == 200
    assert [c["body"] for c in response.json()["results"]] == ["Le voisin du 3e, M. X, est…"]


@pytest.mark.parametrize("mission_of", ["another organisation", "nobody"])
def test_a_need_can_only_be_linked_to_a_mission_of_the_ideas_organisation(world, db, mission_of):
    if mission_of == "nobody":
        mission_id = 10**9
    else:
        mission_id = MissionFactory(organization=world.other_org).pk
    url = f"/api/v1/ideas/{world.idea.pk}/needs/{world.needs['volunteers'].pk}/mission/"

    response = _client(world, "owner_org").put(url, {"mission_id": mission_id}, format="json")

    assert response.status_code == 400, response.content
    assert "mission_id" in response.json()["errors"]


def test_session_writes_without_the_csrf_token_are_refused(world, db):
    """A browser session is not enough to write through the API: a forged cross-site request gets 403."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["resident"])
    url = f"/api/v1/map/proposals/{world.proposal.pk}/vote/"

    forged = browser.put(url, {"value": "for"}, content_type="application/json")
    browser.get(f"/carte/propositions/{world.proposal.pk}/")  # sets the csrftoken cookie, as the page does
    genuine = browser.put(
        url,
        {"value": "for"},
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
    )

    assert forged.status_code == 403 and forged.json()["detail"]
    assert genuine.status_code == 200, genuine.content


# --- internships: a City direction's offer, its application (with a CV), pages and API ----------------------------
# Columns: anonymous · verified resident · plain member of the direction · its internship correspondent ·
#          the correspondent of another direction · the internship office · the mission team (without the office).
INTERNSHIP_ROLES = ("anonymous", "resident", "member", "correspondent", "other_direction", "office", "team")

# fmt: off
INTERNSHIP_MATRIX = {
    # Pages (a log-in page for the anonymous: 302). Private things are 404 for whoever may not see them.
    ("GET",   "/benevolat/stages/"):                                     (200, 200, 200, 200, 200, 200, 200),
    ("GET",   "/benevolat/stages/candidature-spontanee/"):               (302, 200, 200, 200, 200, 200, 200),
    # The office's page: the whole City for the office; a direction's own figures for its managers (?direction=).
    ("GET",   "/benevolat/stages/bureau-des-stages/"):                   (302, 404, 404, 200, 404, 200, 404),
    ("GET",   "/benevolat/stages/bureau-des-stages/chiffres.csv"):       (302, 404, 404, 200, 404, 200, 404),
    ("GET",   "/benevolat/missions/{offer}/"):                           (200, 200, 200, 200, 200, 200, 200),
    ("GET",   "/benevolat/missions/{offer}/calendrier.ics"):             (200, 200, 200, 200, 200, 200, 200),
    ("GET",   "/benevolat/missions/{offer}/candidatures.csv"):           (302, 404, 404, 200, 404, 404, 404),
    ("GET",   "/benevolat/candidatures/{application}/"):                 (302, 404, 404, 200, 404, 200, 404),
    ("GET",   "/benevolat/candidatures/{application}/cv/"):              (302, 404, 404, 200, 404, 200, 404),
    # API
    ("GET",   "/api/v1/volunteering/missions/{offer}/"):                 (200, 200, 200, 200, 200, 200, 200),
    ("PATCH", "/api/v1/volunteering/missions/{offer}/"):                 (401, 403, 403, 200, 403, 403, 403),
    ("POST",  "/api/v1/volunteering/missions/{offer}/unpublish/"):       (401, 403, 403, 200, 403, 403, 403),
    ("GET",   "/api/v1/volunteering/missions/{offer}/applications.csv"): (401, 404, 404, 200, 404, 404, 404),
    ("GET",   "/api/v1/volunteering/applications/{application}/"):       (401, 404, 404, 200, 404, 200, 404),
    ("GET",   "/api/v1/volunteering/applications/{application}/cv/"):    (401, 404, 404, 200, 404, 200, 404),
    ("PATCH", "/api/v1/volunteering/applications/{application}/"):       (401, 404, 404, 200, 404, 403, 404),
    # Ids one may not decide on are "unknown" (400 on `ids`), so as not to reveal that they exist.
    ("POST",  "/api/v1/volunteering/applications/bulk/"):                (401, 400, 400, 200, 400, 400, 400),
}
# fmt: on

# Who sees the tutor of the offer (private): the direction's managers and the internship office.
TUTOR_SEEN_BY = {"correspondent", "office"}


@pytest.fixture(scope="module")
def internship_world(django_db_setup, django_db_blocker, matrix_media):
    from django.contrib.auth.models import Permission

    from tests.volunteering.factories import DirectionFactory, InternshipFactory

    with django_db_blocker.unblock(), transaction.atomic():
        direction = DirectionFactory(name="Direction des Espaces Verts et de l'Environnement")
        other = DirectionFactory(name="Direction de la Voirie et des Déplacements")
        users = {
            "resident": UserFactory(email="etudiante@example.org"),
            "member": MembershipFactory(
                organization=direction, user=UserFactory(email="agent@paris.fr"), role="member"
            ).user,
            "correspondent": MembershipFactory(
                organization=direction, user=UserFactory(email="correspondant@paris.fr"), role="correspondent"
            ).user,
            "other_direction": MembershipFactory(
                organization=other, user=UserFactory(email="voirie@paris.fr"), role="correspondent"
            ).user,
            "office": TeamUserFactory(email="bureau-des-stages@paris.fr"),
            "team": TeamUserFactory(email="equipe-mission@paris.fr"),
        }
        users["office"].user_permissions.add(Permission.objects.get(codename="internship_office"))
        offer = InternshipFactory(organization=direction, title="Stage jardinier au parc Monceau")
        application = ApplicationFactory(mission=offer, volunteer=UserFactory(email="candidat@example.org"))
        application.cv.save("cv.pdf", ContentFile(MINIMAL_PDF), save=True)
        tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
        yield {"users": users, "tokens": tokens, "direction": direction, "offer": offer, "application": application}
        transaction.set_rollback(True)


def internship_cells():
    for (method, path), statuses in INTERNSHIP_MATRIX.items():
        for role, expected in zip(INTERNSHIP_ROLES, statuses, strict=True):
            yield pytest.param(method, path, role, expected, id=f"{method} {path} as {role}")


def _internship_request(w, method, path, role):
    from django.test import Client

    url = path.replace("{offer}", str(w["offer"].pk)).replace("{application}", str(w["application"].pk))
    query = {"direction": w["direction"].slug} if "bureau-des-stages" in path and role != "office" else {}
    bodies = {
        ("PATCH", "/api/v1/volunteering/missions/{offer}/"): {"title": "Stage jardinier au parc Monceau (été)"},
        ("PATCH", "/api/v1/volunteering/applications/{application}/"): {"status": "shortlisted", "message": "Merci"},
        ("POST", "/api/v1/volunteering/applications/bulk/"): {
            "ids": [w["application"].pk],
            "status": "shortlisted",
            "message": "Merci !",
        },
    }
    if path.startswith("/api/"):
        client = APIClient()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Token {w['tokens'][role]}")
        if method == "GET":
            return client.get(url, query)
        return getattr(client, method.lower())(url, bodies.get((method, path), {}), format="json")
    client = Client()
    if role != "anonymous":
        client.force_login(w["users"][role])
    return client.get(url, query)


@pytest.mark.parametrize(("method", "path", "role", "expected"), list(internship_cells()))
def test_internship_permission_matrix(internship_world, db, method, path, role, expected):
    before = row_counts() if method != "GET" and expected >= 400 else None
    response = _internship_request(internship_world, method, path, role)

    assert response.status_code == expected, f"{method} {path} as {role}: {response.status_code}"
    if path.startswith("/api/") and 400 <= expected < 500:
        assert response.json().get("detail"), "a 4xx without a human sentence"
    if before is not None:
        assert row_counts() == before, "a refused write saved something"
    if expected == 200 and path.endswith("/missions/{offer}/") and method == "GET":
        body = response.content.decode()
        assert ("tuteur@paris.fr" in body) == (role in TUTOR_SEEN_BY), f"the tutor shown to {role}?"
