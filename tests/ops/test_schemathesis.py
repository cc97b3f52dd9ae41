"""Property-based API tests: schemathesis against /api/v1/schema/ (whatever apps are installed), through the real
Django WSGI application, for anonymous and token-authenticated clients.

The schema says what the API does: no 5xx, every response conforms (documented status code, content type, body
schema), and a GET whose parameters the schema allows is not refused with 400 (positive data acceptance). Path
identifiers, and query parameters that name data (theme, organisation, place, version), are pointed at seeded objects (an idea, a partner, a connection, a proposal, a mission, an application,
a strategy section and version) so that success bodies are checked too, not only 404s; the anonymous run also
tries the generated identifiers. The authenticated client owns the seeded objects and is on the team, so it reaches
the team's endpoints; DELETE /api/v1/me/ gets a throwaway account per call. A bounded number of examples per
operation (SCHEMATHESIS_MAX_EXAMPLES, default 4): a few minutes on two cores."""

import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import MembershipFactory, TeamUserFactory, UserFactory

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Reads only: a write with well-typed data may still break a business rule (a theme that does not exist, a
# mission in the past) and rightly answer 400; a read's parameters are fully described by the schema.
READ_CHECKS = [*CHECKS, positive_data_acceptance]
HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _load_schema():
    # Eager (at collection): schemathesis' lazy `from_fixture` loader does not work with pytest 9 (it writes
    # `node._nodeid`). Building the schema needs no database.
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


schema = _load_schema()
# NUL bytes are refused on purpose by one layer (serving.middleware.JunkInputMiddleware, serving.parsers): a 400 is the
# answer, tested for every endpoint in tests/ops/test_junk_inputs.py, not a schema-valid request wrongly rejected.
schema.config.generation.update(allow_x00=False)


@pytest.fixture(autouse=True)
def _in_test_transaction(db):
    """Like Django's test client: the WSGI app must not close the test's DB connection after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()  # throttles of the views that declare their own (write...) start from zero
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzzer(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return TeamUserFactory(email="fuzz@example.org", display_name="Fuzz")


@pytest.fixture
def seeded(fuzzer):
    """{path prefix: {parameter: value}}: one object of each kind, owned by (or open to) the fuzzer."""
    from ideas import services as ideas_services
    from mapvotes.models import Comment as MapComment
    from strategy import services as strategy_services
    from tests.ideas.factories import make_idea, make_partner
    from tests.mapvotes.factories import ProposalFactory
    from tests.strategy.factories import SectionFactory
    from tests.volunteering.factories import ApplicationFactory, MissionFactory

    idea = make_idea(fuzzer)
    other_idea = make_idea(UserFactory(email="porteur@example.org"), title="Jardin partagé")
    partner, _member = make_partner(member=fuzzer)
    connection = ideas_services.propose_connection(
        fuzzer, other_idea, partner=partner, need=other_idea.needs.first(), message="Bonjour"
    )
    proposal = ProposalFactory(author=fuzzer)
    map_comment = MapComment.objects.create(proposal=proposal, author=fuzzer, body="Bonne idée.")
    idea_comment = ideas_services.add_comment(fuzzer, other_idea, "Bonne idée.")
    mission = MissionFactory(organization=partner.organization)
    other_mission = MissionFactory()
    MembershipFactory(organization=other_mission.organization, user=UserFactory(email="asso2@example.org"))
    application = ApplicationFactory(mission=other_mission, volunteer=fuzzer, organization=other_mission.organization)
    section = SectionFactory()
    version = strategy_services.publish_version(fuzzer, "Première version")
    contribution = _contribution_of(idea)
    return {
        "/api/v1/ideas/{id}/comments/": {"id": other_idea.pk, "cid": idea_comment.pk},
        "/api/v1/ideas/": {"id": idea.pk, "need_id": idea.needs.first().pk, "image_id": 0},
        "/api/v1/partners/": {"id": partner.pk},
        "/api/v1/connections/": {"id": connection.pk},
        "/api/v1/map/proposals/": {"id": proposal.pk, "cid": map_comment.pk},
        "/api/v1/map/comments/": {"id": map_comment.pk},
        "/api/v1/volunteering/missions/": {"id": mission.pk},
        "/api/v1/volunteering/applications/": {"id": application.pk},
        "/api/v1/volunteering/organizations/": {"id": partner.organization_id},
        "/api/v1/strategy/sections/": {"slug": section.slug},
        "/api/v1/strategy/versions/": {"number": version.number},
        "/api/v1/strategy/contributions/": {"id": contribution},
        "query": {
            "theme": "energie",
            "organization": partner.organization_id,
            "near": "2.3522,48.8566",
            "from": version.number,
            "to": version.number,
        },
    }


def _contribution_of(idea):
    from strategy.models import Contribution

    contribution = Contribution.objects.filter(source="idea", source_id=idea.pk).first()
    return contribution.pk if contribution else 1


def _point_at_seeded(case, seeded):
    # Query parameters naming data (a theme slug, an organisation, a place, version numbers): the schema gives
    # their type, the database which values exist.
    for name, value in seeded["query"].items():
        if case.query and name in case.query:
            case.query[name] = value
    # Rules across parameters, which OpenAPI 3.0 cannot state and the API documents in words: a radius or a sort
    # by distance needs a point, a period ends after it starts.
    query = case.query or {}
    if query.get("radius_km") is not None or query.get("sort") == "distance":
        query["near"] = seeded["query"]["near"]
    dates = query.get("date_from"), query.get("date_to")
    if all(isinstance(d, str) and d for d in dates):
        query["date_from"], query["date_to"] = sorted(dates)
    if not case.path_parameters:
        return
    for prefix, values in seeded.items():
        if case.path.startswith(prefix):
            for name in case.path_parameters:
                if name in values:
                    case.path_parameters[name] = values[name]
            return


def _call(case, headers=None):
    checks = READ_CHECKS if case.method.upper() == "GET" else CHECKS
    # The WSGI transport asks for gzip as requests does, but does not decompress (compression: tests/core/test_serving).
    case.call_and_validate(headers={"Accept-Encoding": "identity", **(headers or {})}, checks=checks)


@schema.parametrize()
@HYPOTHESIS
def test_api_anonymous(case, seeded):
    if case.path_parameters:
        _call(case)  # the generated identifiers: mostly unknown objects
    _point_at_seeded(case, seeded)
    _call(case)


@schema.parametrize()
@HYPOTHESIS
def test_api_authenticated(case, seeded, fuzzer):
    user = fuzzer
    if case.method.upper() == "DELETE" and case.path == "/api/v1/me/":
        user = UserFactory()  # a throwaway account: the fuzzer must not delete itself halfway
    token, _created = Token.objects.get_or_create(user=user)
    _point_at_seeded(case, seeded)
    _call(case, headers={"Authorization": f"Token {token.key}"})


def test_the_schema_states_what_the_api_does():
    """The non-conformances found by the runs above, named: each was a client-visible lie of the schema."""
    raw = schema.raw_schema
    paths, components = raw["paths"], raw["components"]["schemas"]
    # distance_km is only there with `near`: documented, not required.
    assert "distance_km" in components["Mission"]["properties"]
    assert "distance_km" not in components["Mission"].get("required", [])
    assert "x-participe-optional" not in str(raw)
    # DELETE …/support/ answers 200 with the new count, not an empty 204.
    support = paths["/api/v1/ideas/{id}/support/"]["delete"]["responses"]
    assert "200" in support and "204" not in support
    # Parameters the schema allows are accepted: it states the minimums that the API enforces.
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] in {"page", "page_size"}:
                    assert parameter["schema"]["minimum"] == 1
    diff = {p["name"]: p["schema"] for p in paths["/api/v1/strategy/diff/"]["get"]["parameters"]}
    assert diff["from"]["minimum"] == 1 and diff["to"]["minimum"] == 1
