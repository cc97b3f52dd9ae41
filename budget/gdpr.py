"""What the participatory budget holds about an account: the projects it submitted and its own ballots (what it
chose is shown to the account itself only). Ballots go with the account (CASCADE); projects stay, anonymous."""

from core import gdpr

from .models import Ballot, Project


def export(user) -> dict:
    return {
        "projects": [
            {"id": p.pk, "title": p.title, "edition": p.campaign.year, "created_at": p.created_at.isoformat()}
            for p in Project.objects.filter(author=user).select_related("campaign").order_by("pk")
        ],
        "ballots": [
            {
                "edition": b.campaign.year,
                "arrondissement": b.district.number if b.district_id else None,
                "projects": sorted(p.pk for p in b.projects.all()),
                "updated_at": b.updated_at.isoformat(),
            }
            for b in Ballot.objects.filter(voter=user)
            .select_related("campaign", "district")
            .prefetch_related("projects")
        ],
    }


gdpr.register("budget", exporter=export)
