"""What the volunteering space holds about an account (export) and how it is erased."""

from core import gdpr

from . import services
from .models import Application, SavedSearch, Solicitation, VolunteerProfile


def export(user) -> dict:
    profile = VolunteerProfile.objects.filter(user=user).prefetch_related("themes").first()
    data = {
        "profile": None,
        "applications": [],
        "solicitations": [
            {"kind": s.kind, "missions": s.mission_ids, "sent_at": s.sent_at.isoformat()}
            for s in Solicitation.objects.filter(volunteer=user).order_by("sent_at")
        ],
        "saved_searches": [
            {"kind": s.kind, "query": s.query, "weekly_email": s.weekly_email, "created_at": s.created_at.isoformat()}
            for s in SavedSearch.objects.filter(user=user).order_by("created_at")
        ],
    }
    if profile:
        data["profile"] = {
            "themes": [t.slug for t in profile.themes.all()],
            "skills": profile.skills,
            "availability": profile.availability,
            "home_location": list(profile.home_location.coords) if profile.home_location else None,
            "work_location": list(profile.work_location.coords) if profile.work_location else None,
            "radius_km": profile.radius_km,
            "languages": profile.languages,
            "weekly_email": profile.weekly_email,
        }
    for a in (
        Application.objects.filter(volunteer=user)
        .select_related("mission", "organization")
        .prefetch_related("events", "messages")
    ):
        data["applications"].append(
            {
                "id": a.pk,
                "organization": a.organization.name,
                "mission": a.mission.title if a.mission else None,
                "message": a.message,
                "status": a.status,
                "has_cv": bool(a.cv),
                "created_at": a.created_at.isoformat(),
                "convocation_at": a.convocation_at.isoformat() if a.convocation_at else None,
                "history": [
                    {"status": e.to_status, "message": e.message, "at": e.created_at.isoformat()}
                    for e in a.events.all()
                ],
                # The conversation under the application, both sides: the account is one of its two parties.
                "messages": [
                    {"mine": m.author_id == user.pk, "body": m.body, "at": m.created_at.isoformat()}
                    for m in a.messages.all()
                ],
            }
        )
    return data


def erase(user) -> None:
    services.erase_account(user)
    Application.objects.filter(volunteer=user).delete()
    VolunteerProfile.objects.filter(user=user).delete()


gdpr.register("volunteering", exporter=export, eraser=erase)
