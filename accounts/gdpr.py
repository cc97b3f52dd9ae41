from core import follows, gdpr, notifications
from core.models import Follow


def export_account(user):
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "preferred_language": user.preferred_language,
        "home_district": user.home_district.number if user.home_district_id else None,
        "verified": user.email_verified,
        "team": user.is_team,
        "date_joined": user.date_joined.isoformat(),
        "organizations": [
            {"id": m.organization_id, "name": m.organization.name, "role": m.role}
            for m in user.memberships.select_related("organization")
        ],
        "notifications": [
            {"title": n.title, "body": n.body, "url": n.url, "created_at": n.created_at.isoformat()}
            for n in user.notifications.all()
        ],
        # Every category, with the channel in force (the default when the person chose nothing).
        "notification_settings": notifications.settings_of(user),
        "follows": [
            {
                "kind": follows.kind_of(f.content_type.model_class()) if f.content_type.model_class() else None,
                "id": f.object_id,
                "created_at": f.created_at.isoformat(),
            }
            for f in Follow.objects.filter(user=user).select_related("content_type").order_by("created_at", "pk")
        ],
    }


gdpr.register("account", exporter=export_account)
