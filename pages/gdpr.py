"""What the pages hold about an account: the versions of the terms it accepted (the rows go with the account)."""

from core import gdpr

from .models import TermsAcceptance


def export(user) -> dict:
    return {
        "terms_accepted": [
            {"version": a.version, "accepted_at": a.accepted_at.isoformat()}
            for a in TermsAcceptance.objects.filter(user=user).order_by("version")
        ]
    }


gdpr.register("terms", exporter=export)
