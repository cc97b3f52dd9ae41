"""How ideas appear in the strategy inbox (registry entry; strategy/ never imports this app)."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core.contributions import ContributionData, Source, register

from .models import Idea


def describe(idea: Idea) -> ContributionData:
    themes = list(idea.themes.all())
    districts = list(idea.districts.all())
    return ContributionData(
        source="idea",
        source_id=idea.pk,
        title=idea.title,
        text=f"{idea.pitch}\n\n{idea.description}".strip(),
        url=idea.get_absolute_url(),
        created_at=idea.published_at or idea.created_at,
        theme=themes[0].slug if themes else None,
        district=districts[0].number if len(districts) == 1 else None,
        support=idea.supporters_count,
        author_id=idea.holder_id,
        public=idea.is_public,
    )


def queryset():
    return Idea.objects.filter(status__in=Idea.PUBLIC_STATUSES).prefetch_related("themes", "districts")


def followers(idea: Idea):
    from .services import supporters

    return supporters(idea)


def support():
    """Supporters, computed by SQL (services call support_changed() after a support is given or withdrawn)."""
    return Idea.objects.annotate(support=F("supporters_count"))


register(
    Source(
        key="idea",
        label=_("Ideas marketplace"),
        model=Idea,
        describe=describe,
        queryset=queryset,
        followers=followers,
        # describe() reads the themes and districts, which create_idea() sets after the first save.
        depends_on=(Idea.themes.through, Idea.districts.through),
        support=support,
    )
)
