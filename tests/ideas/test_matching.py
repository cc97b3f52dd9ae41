"""Matching both ways: order by how well offers cover uncovered needs, theme and place, with human reasons."""

import pytest

from ideas import selectors, services
from ideas.models import Need

from .factories import make_idea, make_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea_three_needs(holder):
    return make_idea(
        holder,
        themes=["energie"],
        districts=[11],
        needs=[
            {"kind": "funding", "description": "Panneaux", "amount": 12000},
            {"kind": "place", "description": "Un toit"},
            {"kind": "skills", "description": "Un électricien"},
        ],
    )


def _ranked(idea):
    qs = selectors.partners_for_idea(idea)
    return selectors.matches_for_idea(idea, list(qs))


def test_partners_ranked_by_needs_covered_then_theme_then_place(idea_three_needs):
    best, _ = make_partner(name="Best", offers=("funding", "place"), themes=("energie",), districts=(11,))
    same_cover_no_theme, _ = make_partner(
        name="NoTheme", offers=("funding", "place"), themes=("culture",), districts=(11,)
    )
    one_need, _ = make_partner(name="OneNeed", offers=("skills",), themes=("energie",), districts=())
    far_away, _ = make_partner(name="FarAway", offers=("funding", "place"), themes=("energie",), districts=(16,))
    make_partner(name="Useless", offers=("communication",), themes=("energie",))
    matches = _ranked(idea_three_needs)
    assert [m.obj.organization.name for m in matches] == ["Best", "FarAway", "NoTheme", "OneNeed"]
    assert matches[0].reasons == [
        "couvre 2 besoins sur 3 : financement, lieu",
        "même thème : Énergie",
        "intervient dans le 11e",
    ]
    assert matches[-1].reasons == [
        "couvre 1 besoin sur 3 : compétences",
        "même thème : Énergie",
        "intervient dans tout Paris",
    ]
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert matches[0].score == 77  # 70 * 2/3 + 20 (theme) + 10 (place) ≈ 76.7


def test_covered_needs_no_longer_count(idea_three_needs):
    funder, _ = make_partner(name="Funder", offers=("funding",))
    Need.objects.filter(idea=idea_three_needs, kind="funding").update(covered=True)
    services.sync_match_fields(idea_ids=[idea_three_needs.pk])
    assert funder not in [m.obj for m in _ranked(idea_three_needs)]


def test_organisation_does_not_match_its_own_idea(holder):
    partner, member = make_partner(name="Self", offers=("funding", "place"))
    idea = make_idea(member, organization=partner.organization)
    assert _ranked(idea) == []


def test_ideas_ranked_for_partner_with_reasons(holder):
    partner, _ = make_partner(
        name="Énergies Citoyennes Paris", offers=("funding", "place"), themes=("energie",), districts=(11,)
    )
    full = make_idea(holder, title="Tout couvert", themes=["energie"], districts=[11])
    half = make_idea(
        holder,
        title="À moitié",
        themes=["culture"],
        districts=[],
        needs=[{"kind": "funding", "amount": 100}, {"kind": "volunteers"}],
    )
    make_idea(holder, title="Rien", needs=[{"kind": "communication"}])
    draft = make_idea(holder, title="Brouillon", publish=False)
    qs = selectors.ideas_for_partner(partner)
    matches = selectors.matches_for_partner(partner, list(qs))
    assert [m.obj.pk for m in matches] == [full.pk, half.pk]
    assert draft.pk not in [m.obj.pk for m in matches]
    assert matches[0].score == 100
    assert matches[0].reasons == [
        "couvre 2 besoins sur 2 : financement, lieu",
        "même thème : Énergie",
        "intervient dans le 11e",
    ]
    assert matches[1].reasons == ["couvre 1 besoin sur 2 : financement", "idée à l’échelle de Paris"]


def test_partner_matches_filters_and_search(holder):
    partner, _ = make_partner(offers=("funding",))
    solar = make_idea(holder, title="Toits solaires", districts=[11])
    make_idea(holder, title="Jardin", pitch="Potager", districts=[18], stage="prototype")
    filters = selectors.IdeaFilters.from_params({"q": "solaire"})
    assert [i.pk for i in selectors.ideas_for_partner(partner, filters)] == [solar.pk]
    filters = selectors.IdeaFilters.from_params({"district": "18"})
    assert [i.title for i in selectors.ideas_for_partner(partner, filters)] == ["Jardin"]


def test_accepting_removes_need_from_matches(holder):
    idea = make_idea(holder)
    partner, member = make_partner(offers=("funding",))
    connection = services.propose_connection(member, idea, partner=partner, need=idea.needs.get(kind="funding"))
    services.decide_connection(holder, connection, "accepted")
    assert list(selectors.ideas_for_partner(partner)) == []


def test_partner_search_list(db):
    make_partner(name="Fondation Paris Durable", offers=("funding",))
    make_partner(name="Fab'Lab Belleville", offers=("equipment",), kind="collective")
    filters = selectors.IdeaFilters.from_params({"q": "fablab belleville"})
    assert [p.organization.name for p in selectors.partner_list(filters)] in ([], ["Fab'Lab Belleville"])
    filters = selectors.IdeaFilters.from_params({"q": "durable"})
    assert [p.organization.name for p in selectors.partner_list(filters)] == ["Fondation Paris Durable"]
    filters = selectors.IdeaFilters.from_params({"need": "equipment"})
    assert [p.organization.name for p in selectors.partner_list(filters)] == ["Fab'Lab Belleville"]
