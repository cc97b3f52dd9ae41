"""French full-text search (stemming, accents ignored) shared by every app."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F

CONFIG = "french_unaccent"


def vector(*fields, weights=None):
    """SearchVector over `fields` with the French unaccent configuration (weights: list like ["A", "B"])."""
    if weights:
        v = None
        for field, weight in zip(fields, weights, strict=True):
            part = SearchVector(field, config=CONFIG, weight=weight)
            v = part if v is None else v + part
        return v
    return SearchVector(*fields, config=CONFIG)


def query(text: str) -> SearchQuery:
    return SearchQuery(text, config=CONFIG, search_type="websearch")


def rank(field: str, text: str):
    """How well the stored search vector in column `field` matches `text` (its weights and repeats count). The
    column is passed as F(field): given a bare name, SearchRank would rebuild a vector from the column read as text,
    and every one-word match would rank the same."""
    return SearchRank(F(field), query(text))
