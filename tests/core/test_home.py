"""The home page shows what is happening: the latest proposals on a small map, missions near a place (typed, or the
volunteer's home), ideas looking for partners, the strategy's latest version and what changed — and what to do when
a block is empty."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ideas.models import Idea
from strategy import services as strategy_services
from strategy.models import Section
from tests.factories import HOTEL_DE_VILLE, MONTMARTRE, REPUBLIQUE, TeamUserFactory, UserFactory
from tests.ideas.factories import make_idea
from tests.mapvotes.factories import ProposalFactory
from tests.strategy.factories import ChapterFactory, SectionFactory
from tests.volunteering.factories import MissionFactory, VolunteerProfileFactory

pytestmark = pytest.mark.django_db


def page(client, params=None, **headers):
    response = client.get("/", params or {}, HTTP_ACCEPT_LANGUAGE="fr", **headers)
    assert response.status_code == 200
    return response.content.decode()


def block(html: str, name: str) -> str:
    """The markup of one activity block of the home page (its <section id="home-NAME">)."""
    match = re.search(rf'<section class="card home-block" id="home-{name}".*?</section>', html, re.S)
    assert match, f"no block {name}"
    return match.group(0)


def titles_in_order(html: str, titles: list[str]) -> list[str]:
    return sorted((t for t in titles if t in html), key=html.index)


# --- empty states ---------------------------------------------------------------------------------------------------


def test_empty_platform_says_what_to_do_in_each_block(client):
    html = page(client)
    assert "Soyez la première ou le premier" in block(html, "proposals")
    assert 'href="/carte/proposer/"' in block(html, "proposals")
    assert 'id="home-map"' not in html and "leaflet.js" not in html  # no map, no Leaflet to download
    assert "Aucune mission n’est ouverte" in block(html, "missions")
    assert "Aucune idée ne cherche de partenaires" in block(html, "ideas")
    assert "Aucune version de la stratégie" in block(html, "strategy")


# --- latest proposals on a small map ----------------------------------------------------------------------------------


def test_latest_proposals_newest_first_on_the_map_and_in_the_list(client):
    old = ProposalFactory(title="Bancs place des Vosges")
    hidden = ProposalFactory(title="Proposition masquée", is_hidden=True)
    new = ProposalFactory(title="Fontaine rue de Lappe", geometry=REPUBLIQUE.clone())
    html = page(client)
    proposals = block(html, "proposals")
    assert titles_in_order(proposals, [old.title, new.title]) == [new.title, old.title]
    assert hidden.title not in html
    assert f'href="/carte/propositions/{new.pk}/"' in proposals
    # The map reads its points from the page (json_script: no inline script under the strict CSP).
    data = json.loads(
        re.search(r'<script id="home-proposals-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["title"] for f in data["features"]] == [new.title, old.title]
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [REPUBLIQUE.x, REPUBLIQUE.y]}
    assert 'type="module" src="/static/core/js/home-map.mjs"' in html
    assert "<script>" not in html


# --- missions near a place --------------------------------------------------------------------------------------------


@pytest.fixture
def three_missions(db):
    return {
        "hotel": MissionFactory(title="Mission Hôtel de Ville", location=HOTEL_DE_VILLE.clone()),
        "republique": MissionFactory(title="Mission République", location=REPUBLIQUE.clone()),
        "montmartre": MissionFactory(title="Mission Montmartre", location=MONTMARTRE.clone()),
    }


TITLES = ["Mission Hôtel de Ville", "Mission République", "Mission Montmartre"]


def test_missions_near_a_typed_place_nearest_first_with_their_distance(client, three_missions):
    # Typed without JavaScript: the text alone is sent and geocoded (here, coordinates as words).
    html = page(client, {"near": "48.8867, 2.3431"})
    missions = block(html, "missions")
    assert titles_in_order(missions, TITLES) == ["Mission Montmartre", "Mission République", "Mission Hôtel de Ville"]
    assert "Missions près de « 48.8867, 2.3431 »" in missions.replace("\u00a0", " ")
    assert "0,0 km" in missions  # the nearest one is right there
    # "Search around this place" opens the mission search on the same point.
    link = re.search(r'href="(/benevolat/\?[^"]+)"', missions).group(1)
    assert "near_lon=2.343100" in link and "near_lat=48.886700" in link


def test_missions_near_a_place_chosen_among_suggestions(client, three_missions):
    # With JavaScript, the place field fills the hidden coordinates of the suggestion chosen.
    params = {"near": "Place de la République", "near_lon": "2.3631", "near_lat": "48.8675"}
    params["near_for"] = params["near"]
    missions = block(page(client, params), "missions")
    assert titles_in_order(missions, TITLES)[0] == "Mission République"
    assert 'value="Place de la République"' in missions  # the field keeps what was typed


def test_missions_near_the_volunteers_home_when_no_place_is_typed(client, three_missions):
    volunteer = UserFactory()
    VolunteerProfileFactory(user=volunteer, home_location=MONTMARTRE.clone())
    client.force_login(volunteer)
    missions = block(page(client), "missions")
    assert "Missions près de chez vous" in missions
    assert titles_in_order(missions, TITLES)[0] == "Mission Montmartre"
    # A typed place wins over the profile's home.
    missions = block(page(client, {"near": "48.8566, 2.3522"}), "missions")
    assert titles_in_order(missions, TITLES)[0] == "Mission Hôtel de Ville"


def test_without_a_place_the_newest_missions_and_an_invitation_to_type_one(client, three_missions):
    missions = block(page(client), "missions")
    assert titles_in_order(missions, TITLES) == ["Mission Montmartre", "Mission République", "Mission Hôtel de Ville"]
    assert "Tapez une adresse" in missions
    assert "km" not in missions


def test_unknown_place_is_said_next_to_the_field_and_the_rest_of_the_page_stays(client, three_missions):
    ProposalFactory(title="Bancs place des Vosges")
    html = page(client, {"near": "Nulle part zzq"})
    missions = block(html, "missions")
    assert 'role="alert"' in missions and "Nulle part zzq" in missions
    assert "Mission Montmartre" in missions  # the newest missions, still
    assert "Bancs place des Vosges" in block(html, "proposals")


# --- ideas looking for partners ---------------------------------------------------------------------------------------


def test_ideas_with_uncovered_needs_only_with_what_they_need(client):
    holder = UserFactory()
    seeking = make_idea(holder, title="Toits solaires partagés")
    make_idea(holder, title="Idée sans besoin", needs=[])
    draft = make_idea(holder, title="Brouillon d’idée")
    Idea.objects.filter(pk=draft.pk).update(status=Idea.Status.DRAFT)
    ideas = block(page(client), "ideas")
    assert "Toits solaires partagés" in ideas
    assert f'href="{seeking.get_absolute_url()}"' in ideas
    assert "financement" in ideas and "lieu" in ideas  # its open needs, in French
    assert "Idée sans besoin" not in ideas
    assert "Brouillon" not in ideas


# --- the strategy's latest version and what changed -------------------------------------------------------------------


def test_strategy_latest_version_and_the_sections_it_changed(client):
    team = TeamUserFactory()
    chapter = ChapterFactory(title="Mobilité")
    kept = SectionFactory(chapter=chapter, slug="velo", title="Une ville cyclable", position=0)
    rewritten = SectionFactory(chapter=chapter, slug="ecoles", title="Des rues aux écoles", position=1)
    removed = SectionFactory(chapter=chapter, slug="parkings", title="Moins de parkings", position=2)
    strategy_services.publish_version(team, "Première version.")
    strategy = block(page(client), "strategy")
    assert "Version 1" in strategy and "première version" in strategy

    rewritten.body = "Toutes les rues qui bordent une école sont fermées aux voitures aux heures d’entrée."
    rewritten.save()
    removed.delete()
    SectionFactory(chapter=chapter, slug="arbres", title="Des arbres dans chaque rue", position=3)
    strategy_services.publish_version(team, "Les rues aux écoles partout ; une section sur les arbres.")
    strategy = block(page(client), "strategy")
    assert 'href="/strategie/versions/2/"' in strategy
    assert "Les rues aux écoles partout" in strategy
    assert "Ce qui a changé depuis la version 1" in strategy.replace("\u00a0", " ")
    assert re.search(
        r'href="/strategie/versions/2/#ecoles">Des rues aux écoles</a>\s*<span class="meta">· réécrite', strategy
    )
    assert re.search(r"Des arbres dans chaque rue</a>\s*<span class=\"meta\">· nouvelle section", strategy)
    assert re.search(r"Moins de parkings\s*<span class=\"meta\">· section retirée", strategy)
    assert kept.title not in strategy  # unchanged: not listed
    assert 'href="/strategie/comparer/?from=1&amp;to=2"' in strategy


# --- no N+1: the page costs the same number of queries with 2 or 12 of everything --------------------------------------


def fill(n: int, team):
    """n of everything, and a new version of the strategy that adds n sections and rewrites the others."""
    holder = UserFactory()
    for i in range(n):
        ProposalFactory(title=f"Proposition {n}-{i}")
        MissionFactory(title=f"Mission {n}-{i}", themes=["solidarite", "environnement"])
        make_idea(holder, title=f"Idée {n}-{i}")
    Section.objects.update(body=f"Texte réécrit pour la version avec {n} sections de plus.")
    for i in range(n):
        SectionFactory(slug=f"section-{n}-{i}", title=f"Section {n}-{i}")
    strategy_services.publish_version(team, f"{n} sections de plus.")


def count_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client, params)
    return len(queries)


def test_home_queries_do_not_grow_with_the_content(client, django_assert_max_num_queries):
    team = TeamUserFactory()
    SectionFactory(slug="velo")
    strategy_services.publish_version(team, "Première version.")
    volunteer = UserFactory()
    VolunteerProfileFactory(user=volunteer, home_location=REPUBLIQUE.clone())
    fill(2, team)
    page(client, {"near": "48.8867, 2.3431"})  # per-process caches (themes, boundaries) are warm, as in production
    few = count_queries(client), count_queries(client, {"near": "48.8867, 2.3431"})
    fill(10, team)
    many = count_queries(client), count_queries(client, {"near": "48.8867, 2.3431"})
    assert few == many
    with django_assert_max_num_queries(16):
        page(client, {"near": "48.8867, 2.3431"})
    client.force_login(volunteer)
    with django_assert_max_num_queries(21):  # + session, account, unread notifications, the profile's home
        html = page(client)
    assert "Missions près de chez vous" in html
