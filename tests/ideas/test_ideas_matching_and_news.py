"""The fifth mutation sample of the ideas marketplace: the reading order of a thread's replies, the needs an edit
keeps, the queries a partner's matches cost, and the home page's ideas looking for partners."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ideas import services
from ideas.models import Idea
from tests.conftest import client_for
from tests.core.test_home import block, page, titles_in_order
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

from .factories import make_idea, make_partner

pytestmark = pytest.mark.django_db


def test_replies_posted_at_the_same_time_read_in_the_order_they_were_written(api_client, idea, holder, resident):
    """Two replies sent concurrently: the one saved last (higher id) was written first, and is read first."""
    first = services.add_comment(holder, idea, "Qui a un toit ?")
    later = services.add_comment(resident, idea, "Réponse écrite en second", parent=first.pk)
    earlier = services.add_comment(holder, idea, "Réponse écrite en premier", parent=first.pk)
    other = services.add_comment(resident, idea, "Autre fil")
    start = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    for comment, minutes in ((first, 0), (earlier, 1), (later, 2), (other, 3)):
        type(comment).objects.filter(pk=comment.pk).update(created_at=start + timedelta(minutes=minutes))
    response = api_client.get(f"/api/v1/ideas/{idea.pk}/comments/")
    assert response.status_code == 200, response.json()
    assert [(c["body"], c["parent"]) for c in response.json()["results"]] == [
        ("Qui a un toit ?", None),
        ("Réponse écrite en premier", first.pk),
        ("Réponse écrite en second", first.pk),
        ("Autre fil", None),
    ]


def test_editing_an_idea_keeps_the_needs_it_names_by_id(holder, idea):
    funding, place = idea.needs.order_by("position")
    services.update_idea(
        holder,
        idea,
        title=idea.title,
        pitch=idea.pitch,
        stage=idea.stage,
        themes=["energie"],
        districts=[11],
        needs=[
            {"kind": "equipment", "description": "Des échelles"},
            {"id": place.pk, "kind": "place", "description": "Un toit plein sud"},
        ],
    )
    needs = list(idea.needs.order_by("position").values_list("kind", "description", "position"))
    assert needs == [("equipment", "Des échelles", 0), ("place", "Un toit plein sud", 1)]
    assert idea.needs.get(kind="place").pk == place.pk  # the same need, edited in place
    assert not idea.needs.filter(pk=funding.pk).exists()


def test_a_partners_matches_cost_the_same_queries_for_one_or_three_carrying_organisations(holder):
    partner, member = make_partner(name="Énergies Citoyennes Paris", offers=("funding",))
    client = client_for(member)

    def idea_of(org_name, day):
        org = OrganizationFactory(name=org_name)
        MembershipFactory(organization=org, user=holder)
        idea = make_idea(holder, title=f"Idée de {org_name}", organization=org)
        Idea.objects.filter(pk=idea.pk).update(published_at=datetime(2025, 3, day, tzinfo=UTC))

    def matches():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/partners/{partner.pk}/matches/")
        assert response.status_code == 200, response.json()
        return [m["idea"]["organization"]["name"] for m in response.json()["results"]], len(queries)

    idea_of("Association Alpha", 1)
    names, one = matches()
    assert names == ["Association Alpha"]
    idea_of("Association Bêta", 2)
    idea_of("Association Gamma", 3)
    names, three = matches()
    assert names == ["Association Gamma", "Association Bêta", "Association Alpha"]
    assert three == one


def test_the_home_page_lists_the_four_newest_ideas_looking_for_partners_with_their_needs(client):
    holder = UserFactory()
    for day, title in enumerate(("Cinquième", "Quatrième", "Troisième", "Deuxième", "Première"), start=1):
        idea = make_idea(holder, title=f"Idée {title}", needs=[{"kind": "volunteers"}, {"kind": "place"}])
        Idea.objects.filter(pk=idea.pk).update(published_at=datetime(2025, 3, day, tzinfo=UTC))
    newest = make_idea(holder, title="Idée sans besoin", needs=[])
    Idea.objects.filter(pk=newest.pk).update(published_at=datetime(2025, 4, 1, tzinfo=UTC))
    ideas = block(page(client), "ideas")
    titles = ["Idée Première", "Idée Deuxième", "Idée Troisième", "Idée Quatrième", "Idée Cinquième"]
    assert titles_in_order(ideas, titles) == titles[:4]
    assert "Idée sans besoin" not in ideas
    assert ideas.count("besoins\u00a0: lieu, bénévoles") == 4
