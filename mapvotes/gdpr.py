"""What the map holds about an account (GET /api/v1/me/export/) and how it is erased (DELETE /api/v1/me/)."""

from core import gdpr

from .models import Comment, Proposal, Vote
from .services import erase_votes


def export(user) -> dict:
    return {
        "proposals": [
            {
                "id": p.pk,
                "title": p.title,
                "description": p.description,
                "theme": p.theme.slug,
                "status": p.status,
                "district": p.district.number,
                "geometry": p.geometry.geojson,
                "created_at": p.created_at.isoformat(),
            }
            for p in Proposal.objects.filter(author=user).select_related("theme", "district")
        ],
        "votes": [
            {"proposal": v.proposal_id, "value": v.value, "created_at": v.created_at.isoformat()}
            for v in Vote.objects.filter(user=user)
        ],
        "comments": [
            {
                "id": c.pk,
                "proposal": c.proposal_id,
                "parent": c.parent_id,
                "body": c.body,
                "stance": c.stance,
                "created_at": c.created_at.isoformat(),
                "edited_at": c.edited_at.isoformat() if c.edited_at else None,
                "deleted_at": c.deleted_at.isoformat() if c.deleted_at else None,
            }
            for c in Comment.objects.filter(author=user)
        ],
    }


def erase(user) -> None:
    # Proposals and comments are public contributions: they stay, with author NULL (SET_NULL).
    # Votes are personal: they go, and the counters follow.
    erase_votes(user)


gdpr.register("map", exporter=export, eraser=erase)
