"""How map proposals appear in the strategy inbox (key "map")."""

from django.utils.translation import gettext_lazy as _

from core.contributions import ContributionData, register_model_source

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


def followers(proposal: Proposal):
    users = [proposal.author] if proposal.author_id else []
    voters = Vote.objects.filter(proposal=proposal).select_related("user")
    return users + [v.user for v in voters if v.user_id != proposal.author_id]


register_model_source(
    "map",
    _("Map proposal"),
    Proposal,
    describe=describe,
    select_related=("theme", "district"),
    # votes for, computed by SQL (services call support_changed() after every vote)
    support_field="votes_for",
    followers=followers,
)
