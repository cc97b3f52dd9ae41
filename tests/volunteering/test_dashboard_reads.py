"""What an organisation's dashboard reads: a page of its offers, or the one offer asked for — never all of them,
whatever the size of the direction (the City's have hundreds of offers and thousands of applications)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.volunteering.factories import ApplicationFactory, InternshipFactory, MissionFactory
from volunteering.views import MISSIONS_PER_PAGE

pytestmark = pytest.mark.django_db


def dashboard(client, direction, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/benevolat/organisations/{direction.slug}/tableau-de-bord/", params)
    assert response.status_code == 200
    return response, len(queries)


def grow(direction, offers):
    for n in range(offers):
        stage = InternshipFactory(organization=direction, title=f"Autre stage n°{n}")
        ApplicationFactory(mission=stage)
    ApplicationFactory(mission=MissionFactory(organization=direction, title="Mission bénévole"))


def test_one_offer_reads_the_same_queries_whatever_the_directions_size(client, direction, correspondent):
    stage = InternshipFactory(organization=direction, title="Stage jardinier")
    for _ in range(3):
        ApplicationFactory(mission=stage)
    client.force_login(correspondent)
    dashboard(client, direction, mission=stage.pk)  # warms the per-process caches (the terms page, the session)
    small, small_count = dashboard(client, direction, mission=stage.pk)
    grow(direction, 12)
    ApplicationFactory(mission=stage)
    large, large_count = dashboard(client, direction, mission=stage.pk)
    assert large_count == small_count <= 14
    # Only that offer: its row, its four applications and its figures.
    assert [m.pk for m in large.context["missions"]] == [stage.pk]
    assert len(large.context["applications"]) == 4
    [figures] = large.context["statistics"]
    assert (figures["mission"], figures["applications"]) == (stage.pk, 4)
    html = large.content.decode()
    assert "Autre stage" not in html and "Mission bénévole" not in html


def test_the_offers_come_a_page_at_a_time_with_the_same_queries(client, direction, correspondent):
    client.force_login(correspondent)
    grow(direction, 3)
    dashboard(client, direction)
    _, few = dashboard(client, direction)
    grow(direction, MISSIONS_PER_PAGE + 2)
    first, many = dashboard(client, direction)
    assert many == few
    assert len(first.context["missions"]) == MISSIONS_PER_PAGE
    assert 'rel="next"' in first.content.decode()
    last, _ = dashboard(client, direction, page=2)
    assert len(last.context["missions"]) == 3 + 1 + MISSIONS_PER_PAGE + 2 + 1 - MISSIONS_PER_PAGE
