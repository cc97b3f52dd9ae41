"""How map proposals appear in the strategy inbox (key "map")."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core.contributions import ContributionData, Source, register

from .models import Proposal, Vote


def describe(proposal: Proposal) -> ContributionData:
    return ContributionData(
        source="map",
        source_id=proposal.pk,
        title=proposal.title,
        text=proposal.description,
        url=proposal.get_absolute_url(),
        created_at=proposal.created_at,
        theme=proposal.theme.slug if proposal.theme_id else None,
        district=proposal.district.number if proposal.district_id else None,
        location=proposal.geometry,
        support=proposal.votes_for,
        author_id=proposal.author_id,
        public=proposal.is_public,
    )


def queryset():
    return Proposal.objects.select_related("theme", "district")


def followers(proposal: Proposal):
    users = [proposal.author] if proposal.author_id else []
    voters = Vote.objects.filter(proposal=proposal).select_related("user")
    return users + [v.user for v in voters if v.user_id != proposal.author_id]


def support():
    """The support figure, computed by SQL: votes for (services call support_changed() after every vote)."""
    return Proposal.objects.annotate(support=F("votes_for"))


register(
    Source(
        "map",
        _("Map proposal"),
        Proposal,
        describe=describe,
        queryset=queryset,
        followers=followers,
        support=support,
    )
)
