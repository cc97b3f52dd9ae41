from core import gdpr


def export_account(user):
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "preferred_language": user.preferred_language,
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
    }


gdpr.register("account", exporter=export_account)
