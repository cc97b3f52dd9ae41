"""French full-text search (stemming, accents ignored) shared by every app."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

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


def rank(vector_or_field, text: str):
    return SearchRank(vector_or_field, query(text))
