"""Personal data the ideas marketplace holds for an account (GET /api/v1/me/export/)."""

from core import gdpr

from .models import Comment, Connection, Message, NewsPost, Support


def export(user) -> dict:
    return {
        "ideas": [
            {
                "id": i.pk,
                "title": i.title,
                "pitch": i.pitch,
                "description": i.description,
                "status": i.status,
                "needs": [{"kind": n.kind, "description": n.description, "covered": n.covered} for n in i.needs.all()],
                "created_at": i.created_at.isoformat(),
            }
            for i in user.ideas.prefetch_related("needs")
        ],
        "supports": [{"idea": s.idea_id, "created_at": s.created_at.isoformat()} for s in user.idea_supports.all()],
        "comments": [
            {
                "id": c.pk,
                "idea": c.idea_id,
                "parent": c.parent_id,
                "body": c.body,
                "created_at": c.created_at.isoformat(),
                "edited_at": c.edited_at.isoformat() if c.edited_at else None,
                "deleted_at": c.deleted_at.isoformat() if c.deleted_at else None,
            }
            for c in Comment.objects.filter(author=user).order_by("created_at", "pk")
        ],
        "news": [
            {"idea": p.idea_id, "title": p.title, "body": p.body, "created_at": p.created_at.isoformat()}
            for p in NewsPost.objects.filter(author=user)
        ],
        "messages": [
            {"connection": m.connection_id, "body": m.body, "created_at": m.created_at.isoformat()}
            for m in Message.objects.filter(author=user)
        ],
        "connections": [
            {
                "id": c.pk,
                "idea": c.idea_id,
                "need": c.need.kind,
                "partner": str(c.partner.organization),
                "status": c.status,
                "created_at": c.created_at.isoformat(),
            }
            for c in Connection.objects.filter(created_by=user).select_related("need", "partner__organization")
        ],
    }


def erase(user) -> None:
    """Supports are personal (not public contributions): remove them and keep the counters true."""
    from django.db.models import F

    from .models import Idea

    for support in Support.objects.filter(user=user):
        Idea.objects.filter(pk=support.idea_id, supporters_count__gt=0).update(
            supporters_count=F("supporters_count") - 1
        )
    Support.objects.filter(user=user).delete()


gdpr.register("ideas", exporter=export, eraser=erase)
