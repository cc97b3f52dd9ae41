"""The ideas list filters by theme and arrondissement without duplicates, in its newest-first order."""

from ideas import selectors

from .factories import make_idea


def titles(**params):
    return [i.title for i in selectors.idea_list(selectors.IdeaFilters(**params))]


def test_theme_and_arrondissement_list_each_idea_once_newest_first(holder):
    make_idea(holder, title="Toits solaires", themes=["energie", "vegetalisation"], districts=[11, 12])
    make_idea(holder, title="Partout dans Paris", themes=["energie"], districts=[])
    make_idea(holder, title="Ailleurs", themes=["energie"], districts=[18])
    make_idea(holder, title="Autre thème", themes=["vegetalisation"], districts=[11])
    assert titles(theme="energie", district=11) == ["Partout dans Paris", "Toits solaires"]
    assert titles(theme="energie") == ["Ailleurs", "Partout dans Paris", "Toits solaires"]
    assert titles(district=12) == ["Partout dans Paris", "Toits solaires"]


def test_unknown_theme_lists_nothing(holder):
    make_idea(holder, title="Toits solaires", themes=["energie"])
    assert titles(theme="inconnu") == []


def test_filtered_list_count_matches_its_rows(holder):
    for n in range(3):
        make_idea(holder, title=f"Idée {n}", themes=["energie"], districts=[11, 12])
    qs = selectors.idea_list(selectors.IdeaFilters(theme="energie", district=12))
    assert qs.count() == len(list(qs)) == 3
