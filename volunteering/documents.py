"""Documents the volunteering marketplace hands out: the attestation de bénévolat (PDF) and a mission's calendar."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from .ical import mission_calendar
from .models import Attestation, Mission
from .services import mission_last_day


def attestation_context(attestation: Attestation) -> dict:
    application = attestation.application
    mission = application.mission
    return {
        "attestation": attestation,
        "volunteer_name": application.volunteer.public_name,
        "mission": mission,
        "organization": application.organization,
        "start": mission.start_date,
        "end": mission_last_day(mission) or mission.start_date,
        "issued_on": timezone.localtime(attestation.issued_at).date(),
    }


def attestation_html(attestation: Attestation) -> str:
    return render_to_string("volunteering/attestation_pdf.html", attestation_context(attestation))


def attestation_response(attestation: Attestation, base_url: str) -> HttpResponse:
    from weasyprint import HTML  # heavy: imported only when a PDF is asked for

    pdf = HTML(string=attestation_html(attestation), base_url=base_url).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestation-benevolat-{attestation.application_id}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def calendar_response(mission: Mission) -> HttpResponse:
    response = HttpResponse(mission_calendar(mission), content_type="text/calendar; charset=utf-8")
    name = slugify(mission.title)[:60] or "mission"
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response
