"""Full-text search in the inbox: the same rows and order whichever plan the search takes."""

import datetime

import pytest
from django.utils import timezone

from strategy import selectors


@pytest.fixture
def searchable(make_contribution):
    now = timezone.now()
    rows = [
        make_contribution(title="Pistes vélo devant l'école", text="", created_at=now - datetime.timedelta(days=3)),
        make_contribution(
            title="Un jardin partagé", text="Près de l'école", created_at=now - datetime.timedelta(days=2)
        ),
        make_contribution(title="Un vélo-bus pour les écoles", text="", created_at=now - datetime.timedelta(days=1)),
        make_contribution(title="Bancs publics", text="", created_at=now),
    ]
    return rows


def pks(filters):
    return [c.pk for c in selectors.inbox(filters)]


def test_rare_words_are_matched_first_then_sorted_newest_first(searchable):
    old, _garden, new, _benches = searchable
    assert pks(selectors.InboxFilters(q="vélo école")) == [new.pk, old.pk]


def test_common_words_give_the_same_rows_through_the_date_walk(searchable, monkeypatch):
    expected = pks(selectors.InboxFilters(q="école", sort="oldest"))
    monkeypatch.setattr(selectors, "RARE_MATCHES", 0)  # every word counts as common
    assert pks(selectors.InboxFilters(q="école", sort="oldest")) == expected
    assert len(expected) == 3


def test_search_combines_with_the_other_filters_and_relevance(searchable):
    old, _garden, new, _benches = searchable
    since_yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert pks(selectors.InboxFilters(q="vélo", date_from=since_yesterday)) == [new.pk]
    assert set(pks(selectors.InboxFilters(q="vélo école", sort="relevance"))) == {old.pk, new.pk}


def test_search_with_no_match_is_an_empty_page(searchable):
    assert pks(selectors.InboxFilters(q="téléphérique")) == []
