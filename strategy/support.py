"""The support figure of an inbox row, read from its source: shared by the copy after each vote
(strategy.contributions) and the periodic repair (strategy.services.refresh_support)."""

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from core import contributions as registry

from .models import Contribution


def support_subquery(source: registry.Source):
    """The source's support figure for the inbox row's object, as a correlated SQL subquery."""
    figure = source.support().filter(pk=OuterRef("source_id")).values("support")[:1]
    return Coalesce(Subquery(figure), 0)


def refresh_all_support(source: registry.Source) -> int:
    """The periodic repair: one UPDATE per source for every row whose support differs from the source."""
    if source.support is None:
        return 0
    fresh = support_subquery(source)
    return Contribution.objects.filter(source=source.key).filter(~Q(support=fresh)).update(support=fresh)
