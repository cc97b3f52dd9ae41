"""Everything that changes the volunteering marketplace: missions, applications, reminders, matching e-mails."""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Organization
from accounts.rules import refusal_reason
from core import follows
from core.contributions import support_changed
from core.geo import locate
from core.models import Notification
from core.notifications import Message, notify
from core.side_effects import each
from serving import realtime
from serving.rest import Conflict

from . import pdf
from .models import (
    Application,
    ApplicationEvent,
    ApplicationMessage,
    Attestation,
    Mission,
    SavedSearch,
    Solicitation,
    VolunteerProfile,
)
from .validators import from_today, not_too_far

MAX_CV_BYTES = 5 * 1024 * 1024
MAX_SOLICITATIONS_PER_MONTH = 2
UNANSWERED_AFTER = datetime.timedelta(days=7)
UNTOUCHED_AFTER = datetime.timedelta(days=90)
CV_RETENTION = datetime.timedelta(days=183)

S = Application.Status
TRANSITIONS = {
    S.SUBMITTED: {S.SHORTLISTED, S.INVITED, S.ACCEPTED, S.DECLINED},
    S.WAITLISTED: {S.SHORTLISTED, S.INVITED, S.ACCEPTED, S.DECLINED},
    S.SHORTLISTED: {S.INVITED, S.ACCEPTED, S.DECLINED},
    S.INVITED: {S.ACCEPTED, S.DECLINED},
    S.ACCEPTED: {S.DECLINED},
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}
ORG_STATUSES = (S.SHORTLISTED, S.INVITED, S.ACCEPTED, S.DECLINED)


def org_group(organization_id) -> str:
    """Live channel of an organisation's dashboard (new applications, status changes)."""
    return f"volunteering-org-{organization_id}"


# --- CVs ------------------------------------------------------------------------------------------------


def validate_cv(upload):
    """A real PDF (checked by content, not by name) of at most 5 MB, with no active content (volunteering.pdf):
    the organisation's staff open it, so it must not run a script or a program."""
    if upload is None:
        return
    if upload.size > MAX_CV_BYTES:
        raise ValidationError({"cv": [_("The CV is too big: the maximum is 5 MB.")]})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    not_pdf = ValidationError({"cv": [_("The CV must be a PDF file.")]})
    if not re.match(rb"%PDF-\d\.\d", data[:16]):
        raise not_pdf
    tail = data[-2048:]
    # Parse sanity: an object (whole numbers: "%PDF-1.4\n1 obj" has none), a cross-reference pointer and the
    # end-of-file marker.
    if b"%%EOF" not in tail or b"startxref" not in tail or not re.search(rb"(?<![\w.])\d+\s+\d+\s+obj\b", data):
        raise not_pdf
    if pdf.has_active_content(data):
        raise ValidationError(
            {
                "cv": [
                    _(
                        "The CV must not contain scripts, automatic actions or attached files: "
                        "save it again as a plain PDF (for example with “Print to PDF”)."
                    )
                ]
            }
        )


# --- Missions -------------------------------------------------------------------------------------------


def _organization_for(user, organization=None) -> Organization:
    if not user.is_authenticated:
        raise PermissionDenied(_("You need to log in to do this."))
    memberships = list(user.organizations.all())
    if organization is None:
        if not memberships:
            raise PermissionDenied(_("Only members of an organisation can publish missions."))
        if len(memberships) > 1:
            raise ValidationError(
                {"organization": [_("You belong to several organisations: say which one publishes this mission.")]}
            )
        organization = memberships[0]
    if user.has_perm("volunteering.publish_for", organization):
        return organization
    # Refused by the rule: say why.
    if organization not in memberships:
        raise PermissionDenied(_("You are not a member of this organisation."))
    if not organization.verified:
        raise PermissionDenied(
            _("Your organisation has not been verified by the mission team yet: it cannot publish missions.")
        )
    raise PermissionDenied(refusal_reason(user))


MISSION_FIELDS = (
    "title",
    "description",
    "address",
    "location",
    "remote",
    "schedule",
    "start_date",
    "end_date",
    "weekdays",
    "time_slots",
    "commitment",
    "commitment_hours",
    "places",
    "skills",
    "min_age",
    "accessible",
    "contact_name",
    "contact_email",
    "contact_phone",
    "trade",
    "level",
    "tasks",
    "paid",
    "weekly_hours",
    "duration_weeks",
    "tutor_name",
    "tutor_email",
    "publication_start",
    "publication_end",
)

# Beyond two months an internship must be paid (Code de l'éducation, L124-6); counted here in whole weeks.
MAX_UNPAID_WEEKS = 8


def unpaid_internship_error(paid: bool, duration_weeks: int | None):
    """The refusal of an unpaid internship over 8 weeks, or None: shared by the form, the API and the service."""
    if not paid and duration_weeks is not None and duration_weeks > MAX_UNPAID_WEEKS:
        return _("An internship of more than 8 weeks (two months) must be paid: tick “paid”, or shorten it to 8 weeks.")
    return None


def weeks_between(start: datetime.date | None, end: datetime.date | None) -> int | None:
    if not (start and end) or end < start:
        return None
    return -(-((end - start).days + 1) // 7)


def check_internship(mission: Mission) -> dict:
    """The errors of an internship offer's own fields (empty for a volunteering mission)."""
    errors = {}
    if mission.kind != Mission.Kind.INTERNSHIP:
        return errors
    if mission.organization_id and mission.organization.kind != Organization.Kind.CITY_SERVICE:
        errors["kind"] = [_("Only a City direction or a partner body (a city service) can offer internships.")]
    if not (mission.trade or "").strip():
        errors["trade"] = [_("Give the trade or domain of the internship.")]
    if not mission.level:
        errors["level"] = [_("Choose the level of study of the internship.")]
    if mission.duration_weeks is None:
        mission.duration_weeks = weeks_between(mission.start_date, mission.end_date)
    if mission.duration_weeks is None:
        errors["duration_weeks"] = [_("Give the duration of the internship in weeks, or its end date.")]
    refusal = unpaid_internship_error(mission.paid, mission.duration_weeks)
    if refusal:
        errors["paid"] = [refusal]
    if mission.publication_start and mission.publication_end and mission.publication_end < mission.publication_start:
        errors["publication_end"] = [_("The end of publication is before its start.")]
    return errors


# An offer's dates; each one given or changed must be from today and at most two years away (validators).
OFFER_DATES = ("start_date", "end_date", "publication_start", "publication_end")
MAX_INTERNSHIP_WEEKS = 52


def _date_errors(mission: Mission, data: dict, creating: bool) -> dict:
    """The refusals of the dates given or changed (an old offer keeps its past dates while they are unchanged)."""
    errors = {}
    today = timezone.localdate()
    for name in OFFER_DATES:
        value = data.get(name)
        if value is None or (not creating and value == getattr(mission, name)):
            continue
        if name == "start_date" and value < today:
            errors[name] = [_("The start date is in the past.")]
            continue
        try:
            from_today(value)
        except ValidationError as error:
            errors[name] = error.messages
    return errors


def _apply_mission_data(mission: Mission, data: dict, *, creating: bool):
    if creating and data.get("kind"):
        mission.kind = data["kind"]
    date_errors = _date_errors(mission, data, creating)
    for name in MISSION_FIELDS:
        if name in data:
            setattr(mission, name, data[name])
    errors = check_internship(mission)
    errors.update(date_errors)
    if (
        mission.is_internship
        and "end_date" not in errors
        and (weeks_between(mission.start_date, mission.end_date) or 0) > MAX_INTERNSHIP_WEEKS
    ):
        errors["end_date"] = [_("An internship lasts 52 weeks at most: check the end date.")]
    if mission.schedule == Mission.Schedule.ONE_OFF and mission.start_date:
        mission.end_date = mission.start_date
        mission.weekdays = [mission.start_date.weekday()]
    if mission.end_date and mission.start_date and mission.end_date < mission.start_date:
        errors["end_date"] = [_("The end date is before the start date.")]
    if mission.schedule == Mission.Schedule.RECURRING and not mission.weekdays:
        errors["weekdays"] = [_("Choose at least one day for a recurring mission.")]
    if mission.location is None and not mission.remote:
        errors["location"] = [_("Give the place of the mission, or say it can be done remotely.")]
    if mission.places is not None and mission.places < mission.accepted_count:
        errors["places"] = [_("There are already more accepted volunteers than this number of places.")]
    mission.weekdays = sorted(set(mission.weekdays or []))
    mission.time_slots = sorted(set(mission.time_slots or []))
    mission.skills = [s.strip() for s in mission.skills or [] if s.strip()]
    if errors:
        raise ValidationError(errors)
    mission.full_clean(exclude=["organization", "created_by", "district", "search_vector"], validate_constraints=False)
    if mission.location is not None:
        mission.district = locate(mission.location).district
    elif "location" in data:
        mission.district = None


@transaction.atomic
def create_mission(user, data: dict, *, organization=None, publish=True) -> Mission:
    organization = _organization_for(user, organization)
    themes = data.get("themes") or []
    internship = data.get("kind") == Mission.Kind.INTERNSHIP
    if internship and not user.has_perm("volunteering.manage_internships", organization):
        raise PermissionDenied(
            _("Only the administrators and internship correspondents of a City direction can offer internships.")
        )
    if not themes and not internship:
        raise ValidationError({"themes": [_("Choose at least one theme.")]})
    mission = Mission(organization=organization, created_by=user)
    _apply_mission_data(mission, data, creating=True)
    if publish:
        mission.status = Mission.Status.PUBLISHED
        mission.published_at = timezone.now()
    mission.save()
    mission.themes.set(themes)
    return mission


@transaction.atomic
def update_mission(user, mission: Mission, data: dict) -> Mission:
    if not user.has_perm("volunteering.change_mission", mission):
        raise PermissionDenied(_("Only members of the organisation can change this mission."))
    mission = Mission.objects.select_for_update().get(pk=mission.pk)
    _apply_mission_data(mission, data, creating=False)
    mission.save()
    if "themes" in data:
        if not data["themes"] and not mission.is_internship:
            raise ValidationError({"themes": [_("Choose at least one theme.")]})
        mission.themes.set(data["themes"])
    return mission


def _set_mission_status(user, mission: Mission, status: str, allowed_from) -> Mission:
    if not user.has_perm("volunteering.change_mission", mission):
        raise PermissionDenied(_("Only members of the organisation can change this mission."))
    if not mission.organization.verified:
        raise PermissionDenied(
            _("Your organisation has not been verified by the mission team yet: it cannot publish missions.")
        )
    with transaction.atomic():
        mission = Mission.objects.select_for_update().get(pk=mission.pk)
        if mission.status == status:
            return mission
        if mission.status not in allowed_from:
            raise Conflict(
                format_lazy(
                    _("A mission with the status “{status}” cannot be changed this way."),
                    status=mission.get_status_display(),
                )
            )
        mission.status = status
        if status == Mission.Status.PUBLISHED:
            if mission.end_date and mission.end_date < timezone.localdate():
                raise ValidationError({"end_date": [_("This mission has ended: change its dates first.")]})
            mission.published_at = mission.published_at or timezone.now()
            if mission.accepted_count >= mission.places:
                mission.status = Mission.Status.FULL
        mission.save(update_fields=["status", "published_at", "updated_at"])
        _tell_followers(mission)
    return mission


def _tell_followers(mission: Mission):
    follows.notify_followers(
        mission,
        "follow.status",
        Message(
            gettext_noop("“{title}”, which you follow, is now: {status}"),
            title=mission.title,
            status=Mission.Status(mission.status).label,
        ),
    )


def publish_mission(user, mission):
    M = Mission.Status
    return _set_mission_status(user, mission, M.PUBLISHED, {M.DRAFT, M.UNPUBLISHED, M.EXPIRED})


def unpublish_mission(user, mission):
    M = Mission.Status
    return _set_mission_status(user, mission, M.UNPUBLISHED, {M.PUBLISHED, M.FULL, M.DRAFT})


def close_mission(user, mission):
    M = Mission.Status
    return _set_mission_status(user, mission, M.CLOSED, {M.DRAFT, M.PUBLISHED, M.UNPUBLISHED, M.FULL, M.EXPIRED})


def record_view(mission: Mission) -> None:
    Mission.objects.filter(pk=mission.pk).update(views_count=F("views_count") + 1)


# --- Applications ---------------------------------------------------------------------------------------


def _notify_new_application(application: Application):
    mission = application.mission
    url = reverse("volunteering:dashboard", args=[application.organization.slug])
    target = mission.title if mission else application.organization.name
    title = Message(
        gettext_noop("New application from {name} for “{target}”"),
        name=application.volunteer.public_name,
        target=target,
    )
    for member in application.organization.members.all():
        notify(member, "volunteering.application", title, application.message[:500], url=url)
    realtime.publish_on_commit(
        org_group(application.organization_id),
        {
            "type": "application.created",
            "id": application.pk,
            "mission": mission.pk if mission else None,
            "mission_title": target,
            "volunteer": application.volunteer.public_name,
            "status": application.status,
        },
    )


def _store_cv(application: Application, cv):
    if cv is not None:
        validate_cv(cv)
        application.cv.save("cv.pdf", cv, save=False)


# Said by the check under the mission's lock, and by the unique constraint should two requests pass it together.
ALREADY_APPLIED = _("You have already applied to this mission.")


def apply(user, mission: Mission, message: str = "", cv=None, *, waiting_list: bool = False) -> Application:
    """Apply to a mission. Concurrent-safe: the mission row is locked and the unique constraint decides."""
    if not user.has_perm("volunteering.apply"):
        raise PermissionDenied(refusal_reason(user))
    if mission.kind == Mission.Kind.INTERNSHIP:
        errors = {}
        if not (message or "").strip():
            errors["message"] = [_("Write a cover letter: say why this internship interests you.")]
        if cv is None:
            errors["cv"] = [_("An internship application needs your CV (PDF).")]
        if errors:
            raise ValidationError(errors)
    validate_cv(cv)
    try:
        with transaction.atomic():
            mission = Mission.objects.select_for_update().select_related("organization").get(pk=mission.pk)
            status = Application.Status.SUBMITTED
            if mission.status == Mission.Status.FULL:
                if not waiting_list:
                    raise Conflict(
                        _(
                            "This mission is full. You can join its waiting list (waiting_list=true) to be told when a place frees up."
                        )
                    )
                status = Application.Status.WAITLISTED
            elif mission.status != Mission.Status.PUBLISHED:
                raise Conflict(_("This mission is not open to applications."))
            if Application.objects.filter(volunteer=user, mission=mission).exists():
                raise Conflict(ALREADY_APPLIED)
            application = Application(
                volunteer=user,
                mission=mission,
                kind=mission.kind,
                organization=mission.organization,
                message=message.strip(),
                status=status,
            )
            _store_cv(application, cv)
            application.save()
            ApplicationEvent.objects.create(application=application, actor=user, to_status=status)
            support_changed("mission", mission.pk)
            _notify_new_application(application)
    except IntegrityError:
        raise Conflict(ALREADY_APPLIED) from None
    return application


def apply_spontaneously(
    user, organization: Organization, message: str = "", cv=None, *, internship: dict | None = None
) -> Application:
    """A letter to an organisation without an offer; with `internship` ({wished_trade, wished_level, available_from,
    available_weeks}), a spontaneous internship application to a City direction."""
    if not user.has_perm("volunteering.apply"):
        raise PermissionDenied(refusal_reason(user))
    if not message.strip():
        raise ValidationError({"message": [_("Tell the organisation why you are writing to them.")]})
    fields = {}
    if internship is not None:
        if organization.kind != Organization.Kind.CITY_SERVICE:
            raise ValidationError({"organization": [_("Internship applications go to a City direction.")]})
        if not internship.get("wished_level"):
            raise ValidationError({"wished_level": [_("Choose your level of study.")]})
        fields = {k: internship.get(k) for k in ("wished_trade", "wished_level", "available_from", "available_weeks")}
        if fields["available_from"] is not None:
            try:
                from_today(fields["available_from"])
            except ValidationError as error:
                raise ValidationError({"available_from": error.messages}) from None
        fields["wished_trade"] = (fields["wished_trade"] or "").strip()
        fields["kind"] = Mission.Kind.INTERNSHIP
    validate_cv(cv)
    try:
        with transaction.atomic():
            application = Application(volunteer=user, organization=organization, message=message.strip(), **fields)
            _store_cv(application, cv)
            application.save()
            ApplicationEvent.objects.create(application=application, actor=user, to_status=application.status)
            _notify_new_application(application)
    except IntegrityError:
        raise Conflict(_("You already have an open spontaneous application to this organisation.")) from None
    return application


@transaction.atomic
def attach_to_mission(actor, application: Application, mission: Mission) -> Application:
    if not actor.has_perm("volunteering.change_application", application):
        raise PermissionDenied(_("You are not allowed to do this."))
    if mission.organization_id != application.organization_id:
        raise ValidationError({"mission": [_("This mission belongs to another organisation.")]})
    if mission.kind != application.kind:
        raise ValidationError({"mission": [_("An internship application can only join an internship offer.")]})
    if application.mission_id is not None:
        raise Conflict(_("This application is already attached to a mission."))
    application.mission = mission
    try:
        with transaction.atomic():
            application.save(update_fields=["mission", "updated_at"])
    except IntegrityError:
        raise Conflict(_("This volunteer has already applied to this mission.")) from None
    support_changed("mission", mission.pk)
    ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        from_status=application.status,
        to_status=application.status,
        message=f"→ {mission.title}",
    )
    return application


PLACEHOLDERS = ("name", "mission", "organization")


def render_message(template: str, application: Application) -> str:
    """Fill {name}, {mission}, {organization} in a message sent to many volunteers at once."""
    values = {
        "name": application.volunteer.public_name,
        "mission": application.mission.title if application.mission else "",
        "organization": application.organization.name,
    }
    text = template or ""
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _status_title(application: Application):
    target = application.mission.title if application.mission else application.organization.name
    titles = {
        S.SHORTLISTED: gettext_noop("Your application for “{target}” has been shortlisted"),
        S.INVITED: gettext_noop("You are invited to meet {organization} for “{target}”"),
        S.ACCEPTED: gettext_noop("Your application for “{target}” has been accepted"),
        S.DECLINED: gettext_noop("Your application for “{target}” was not selected"),
    }
    return Message(titles[application.status], target=target, organization=application.organization.name)


def _fill_place(application: Application, previous: str):
    if application.mission_id is None:
        return
    mission = Mission.objects.select_for_update().get(pk=application.mission_id)
    if application.status == S.ACCEPTED and previous != S.ACCEPTED:
        if mission.accepted_count >= mission.places:
            raise Conflict(format_lazy(_("“{mission}” has no place left."), mission=mission.title))
        mission.accepted_count += 1
        if mission.accepted_count >= mission.places and mission.status == Mission.Status.PUBLISHED:
            mission.status = Mission.Status.FULL
        mission.save(update_fields=["accepted_count", "status", "updated_at"])
    elif previous == S.ACCEPTED and application.status != S.ACCEPTED:
        mission.accepted_count -= 1
        reopened = mission.status == Mission.Status.FULL
        if reopened:
            mission.status = Mission.Status.PUBLISHED
        mission.save(update_fields=["accepted_count", "status", "updated_at"])
        if reopened:
            _tell_waiting_list(mission)
    application.mission = mission


def _tell_waiting_list(mission: Mission):
    first = (
        Application.objects.filter(mission=mission, status=S.WAITLISTED)
        .select_related("organization")
        .order_by("created_at")
        .first()
    )
    if first:
        url = reverse("volunteering:dashboard", args=[mission.organization.slug])
        for member in mission.organization.members.all():
            notify(
                member,
                "volunteering.waiting_list",
                Message(
                    gettext_noop("A place is free again on “{mission}”: the waiting list is waiting"),
                    mission=mission.title,
                ),
                url=url,
            )


def _change(actor, application: Application, status: str, message: str, convocation: dict | None):
    previous = application.status
    if status not in TRANSITIONS.get(previous, set()):
        raise ValidationError(
            {
                "status": [
                    format_lazy(
                        _("An application that is “{current}” cannot become “{new}”."),
                        current=application.get_status_display(),
                        new=S(status).label if status in S.values else status,
                    )
                ]
            }
        )
    application.status = status
    now = timezone.now()
    if application.first_response_at is None:
        application.first_response_at = now
    if status == S.INVITED:
        convocation = convocation or {}
        when = convocation.get("convocation_at")
        if when is None:
            raise ValidationError({"convocation_at": [_("Give the date and time of the meeting.")]})
        if when < now:
            raise ValidationError({"convocation_at": [_("The meeting date is in the past.")]})
        try:
            not_too_far(when)  # 2062 for 2026 is a slip of the year, not a meeting
        except ValidationError as error:
            raise ValidationError({"convocation_at": error.messages}) from None
        application.convocation_at = when
        application.convocation_place = convocation.get("convocation_place", "") or ""
        # {name}… are filled in here too: the volunteer reads this on their applications page
        application.convocation_message = render_message(
            convocation.get("convocation_message", "") or message, application
        )
    _fill_place(application, previous)
    application.save()
    text = render_message(message, application)
    ApplicationEvent.objects.create(
        application=application, actor=actor, from_status=previous, to_status=status, message=text
    )
    body = text
    if status == S.INVITED:  # the date is stored as such and written in the reader's language and date style
        place = application.convocation_place
        meeting = (
            Message(gettext_noop("Meeting on {when} — {place}"), when=application.convocation_at, place=place)
            if place
            else Message(gettext_noop("Meeting on {when}"), when=application.convocation_at)
        )
        body = Message("{message}\n{meeting}", message=text, meeting=meeting) if text else meeting
    notify(
        application.volunteer,
        f"volunteering.{status}",
        _status_title(application),
        body,
        url=reverse("volunteering:my_applications"),
    )
    realtime.publish_on_commit(
        org_group(application.organization_id), {"type": "application.status", "id": application.pk, "status": status}
    )


def change_status(actor, application: Application, status: str, message: str = "", convocation: dict | None = None):
    if status not in ORG_STATUSES:
        raise ValidationError({"status": [_("Choose shortlisted, invited, accepted or declined.")]})
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("volunteer", "organization", "mission")
            .get(pk=application.pk)
        )
        if not actor.has_perm("volunteering.change_application", application):
            raise PermissionDenied(_("Only members of the organisation can answer this application."))
        _change(actor, application, status, message, convocation)
    return application


def bulk_change_status(
    actor, ids, status: str, message: str = "", convocation: dict | None = None
) -> list[Application]:
    """One status and one templated message for many applications; all or nothing."""
    if status not in ORG_STATUSES:
        raise ValidationError({"status": [_("Choose shortlisted, invited, accepted or declined.")]})
    ids = sorted(set(ids))
    if not ids:
        raise ValidationError({"ids": [_("Select at least one application.")]})
    if len(ids) > 500:
        raise ValidationError({"ids": [_("Select at most 500 applications at a time.")]})
    with transaction.atomic():
        applications = list(
            Application.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, organization__memberships__user=actor)
            .select_related("volunteer", "organization", "mission")
            .order_by("pk")
        )
        allowed = {}  # one permission check per (organisation, kind), not per application
        for application in applications:
            key = (application.organization_id, application.kind)
            if key not in allowed:
                allowed[key] = actor.has_perm("volunteering.change_application", application)
        applications = [a for a in applications if allowed[(a.organization_id, a.kind)]]
        found = {a.pk for a in applications}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError(
                {"ids": [format_lazy(_("Unknown applications: {ids}."), ids=", ".join(map(str, missing)))]}
            )
        for application in applications:
            _change(actor, application, status, message, convocation)
    return applications


def withdraw(user, application: Application) -> Application:
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("mission", "organization")
            .get(pk=application.pk)
        )
        if not user.has_perm("volunteering.withdraw_application", application):
            raise PermissionDenied(_("Only the volunteer can withdraw this application."))
        if application.status in (S.WITHDRAWN, S.DECLINED):
            raise Conflict(_("This application is already closed."))
        previous = application.status
        application.status = S.WITHDRAWN
        _fill_place(application, previous)
        application.save()
        ApplicationEvent.objects.create(
            application=application, actor=user, from_status=previous, to_status=S.WITHDRAWN
        )
        support_changed("mission", application.mission_id)
        target = application.mission.title if application.mission else application.organization.name
        for member in application.organization.members.all():
            notify(
                member,
                "volunteering.withdrawn",
                Message(
                    gettext_noop("{name} withdrew their application for “{target}”"),
                    name=user.public_name,
                    target=target,
                ),
                url=reverse("volunteering:dashboard", args=[application.organization.slug]),
                email=False,
            )
    return application


# --- Messages and attestations ---------------------------------------------------------------------------


def application_url(application: Application) -> str:
    return reverse("volunteering:application", args=[application.pk])


def post_application_message(user, application: Application, body: str) -> ApplicationMessage:
    """A message from the applicant to the organisation's members, or from a member to the applicant."""
    if not user.has_perm("volunteering.message_application", application):
        if user.has_perm("volunteering.read_messages", application):
            raise PermissionDenied(_("This application is closed: no more messages can be sent."))
        raise PermissionDenied(_("Only the volunteer and the organisation's members can write here."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a message first.")]})
    if len(body) > 5000:
        raise ValidationError({"body": [_("A message must be at most 5000 characters.")]})
    with transaction.atomic():
        message = ApplicationMessage.objects.create(application=application, author=user, body=body)
        target = application.mission.title if application.mission_id else application.organization.name
        title = Message(gettext_noop("New message from {name} about “{target}”"), name=user.public_name, target=target)
        if user.pk == application.volunteer_id:
            recipients = list(application.organization.members.all())
        else:
            recipients = [application.volunteer]
        for recipient in recipients:
            if recipient.pk != user.pk:
                notify(recipient, "volunteering.message", title, body[:500], url=application_url(application))
    return message


def mission_last_day(mission: Mission) -> datetime.date | None:
    """The mission's last day: its end date, its only date, or (open-ended, then closed) the day it was closed."""
    if mission.end_date:
        return mission.end_date
    if mission.schedule == Mission.Schedule.ONE_OFF:
        return mission.start_date
    if mission.status in (Mission.Status.CLOSED, Mission.Status.EXPIRED):
        return max(mission.start_date, timezone.localtime(mission.updated_at).date())
    return None  # still running


def mission_has_ended(mission: Mission | None, today=None) -> bool:
    last_day = mission_last_day(mission) if mission is not None else None
    return last_day is not None and last_day < (today or timezone.localdate())


def issue_attestation(
    actor, application: Application, *, signer_name: str, signer_role: str = "", hours: int | None = None
):
    """Issue (or issue again, corrected) the attestation de bénévolat of an accepted volunteer once the mission ended."""
    if not actor.has_perm("volunteering.issue_attestation", application):
        raise PermissionDenied(_("Only members of the organisation can issue an attestation."))
    if application.status != S.ACCEPTED:
        raise ValidationError(
            {"application": [_("An attestation can only be issued for a volunteer accepted on the mission.")]}
        )
    if application.mission_id is None:
        raise ValidationError(
            {"application": [_("An attestation is issued for a mission: attach this application to one first.")]}
        )
    if not mission_has_ended(application.mission):
        raise ValidationError(
            {
                "application": [
                    _("The mission has not ended yet: the attestation can be issued from the day after its end.")
                ]
            }
        )
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise ValidationError({"signer_name": [_("Say who signs the attestation.")]})
    if len(signer_name) > 120 or len(signer_role or "") > 120:
        raise ValidationError({"signer_name": [_("A name or a role must be at most 120 characters.")]})
    if hours is not None and not 1 <= hours <= 10000:
        raise ValidationError({"hours": [_("Give a number of hours between 1 and 10,000, or leave it empty.")]})
    with transaction.atomic():
        attestation, created = Attestation.objects.update_or_create(
            application=application,
            defaults={
                "signer_name": signer_name,
                "signer_role": (signer_role or "").strip(),
                "hours": hours,
                "issued_by": actor,
                "issued_at": timezone.now(),
            },
        )
        notify(
            application.volunteer,
            "volunteering.attestation",
            Message(
                gettext_noop("{org} issued your attestation of volunteering for “{mission}”"),
                org=application.organization.name,
                mission=application.mission.title,
            ),
            url=application_url(application),
        )
    return attestation


# --- Profiles -------------------------------------------------------------------------------------------


@transaction.atomic
def save_profile(user, data: dict) -> VolunteerProfile:
    profile, _created = VolunteerProfile.objects.get_or_create(user=user)
    for name in (
        "skills",
        "availability",
        "home_location",
        "work_location",
        "radius_km",
        "languages",
        "weekly_email",
        "birth_year",
        "phone",
    ):
        if name in data:
            setattr(profile, name, data[name])
    profile.full_clean(exclude=["user"])
    profile.save()
    if "themes" in data:
        profile.themes.set(data["themes"])
    return profile


# --- Periodic jobs --------------------------------------------------------------------------------------


def expire_missions(today=None) -> int:
    """Every mission whose end date has passed, each in its own transaction: one that fails is logged and retried
    at the next run, and the others expire."""
    today = today or timezone.localdate()
    ended = Mission.objects.filter(status__in=[Mission.Status.PUBLISHED, Mission.Status.FULL], end_date__lt=today)

    def expire(pk):
        mission = ended.select_for_update(of=("self",)).select_related("organization").filter(pk=pk).first()
        if mission is None:  # changed meanwhile (republished with new dates, closed)
            return
        mission.status = Mission.Status.EXPIRED
        mission.save(update_fields=["status", "updated_at"])
        _tell_followers(mission)
        for member in mission.organization.members.all():
            notify(
                member,
                "volunteering.expired",
                Message(gettext_noop("“{mission}” has ended: update its dates or close it"), mission=mission.title),
                url=reverse("volunteering:mission_edit", args=[mission.pk]),
            )

    done, _failed = each(list(ended.order_by("pk").values_list("pk", flat=True)), expire, "Mission expiry")
    return done


def remind_unanswered(now=None) -> int:
    now = now or timezone.now()
    with transaction.atomic():
        pending = list(
            Application.objects.select_for_update(of=("self",))
            .filter(status=S.SUBMITTED, created_at__lt=now - UNANSWERED_AFTER, reminded_at__isnull=True)
            .select_related("organization")
        )
        by_org = {}
        for application in pending:
            by_org.setdefault(application.organization, []).append(application)
        for organization, applications in by_org.items():
            for member in organization.members.all():
                notify(
                    member,
                    "volunteering.unanswered",
                    Message(
                        gettext_noop("{count} applications have been waiting for an answer for more than 7 days"),
                        count=len(applications),
                    ),
                    url=reverse("volunteering:dashboard", args=[organization.slug]),
                )
        Application.objects.filter(pk__in=[a.pk for a in pending]).update(reminded_at=now)
    return len(pending)


def remind_untouched(now=None) -> int:
    now = now or timezone.now()
    limit = now - UNTOUCHED_AFTER
    missions = list(
        Mission.objects.filter(status=Mission.Status.PUBLISHED, updated_at__lt=limit)
        .exclude(reminded_at__gte=limit)
        .select_related("organization")
    )
    for mission in missions:
        for member in mission.organization.members.all():
            notify(
                member,
                "volunteering.untouched",
                Message(
                    gettext_noop("“{mission}” has not changed for 3 months: is it still current?"),
                    mission=mission.title,
                ),
                url=reverse("volunteering:mission_edit", args=[mission.pk]),
            )
    # update() keeps updated_at: a reminder is not an update of the mission.
    Mission.objects.filter(pk__in=[m.pk for m in missions]).update(reminded_at=now)
    return len(missions)


def remind_upcoming(today=None) -> int:
    """The day before a one-off mission or the start of a period: remind accepted and invited volunteers."""
    tomorrow = (today or timezone.localdate()) + datetime.timedelta(days=1)
    applications = Application.objects.filter(
        mission__start_date=tomorrow, status__in=[S.ACCEPTED, S.INVITED]
    ).select_related("mission", "volunteer")
    # The scheduler may run this twice a day (a restart, a manual run): a volunteer is reminded once.
    already = set(
        Notification.objects.filter(
            kind="volunteering.upcoming", created_at__gte=timezone.now() - datetime.timedelta(days=2)
        ).values_list("recipient_id", "url")
    )
    count = 0
    for application in applications:
        if (application.volunteer_id, application.mission.get_absolute_url()) in already:
            continue
        notify(
            application.volunteer,
            "volunteering.upcoming",
            Message(gettext_noop("Reminder: “{mission}” starts tomorrow"), mission=application.mission.title),
            application.mission.address,
            url=application.mission.get_absolute_url(),
        )
        count += 1
    return count


def send_weekly_matches(now=None) -> int:
    """Opt-in e-mail of new matching missions; never more than two solicitations a month per volunteer."""
    from .selectors import recommendations

    now = now or timezone.now()
    sent = 0
    for profile_id in VolunteerProfile.objects.filter(weekly_email=True, user__is_active=True).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            profile = VolunteerProfile.objects.select_for_update().select_related("user").get(pk=profile_id)
            recent = Solicitation.objects.filter(
                volunteer=profile.user, sent_at__gte=now - datetime.timedelta(days=30)
            ).count()
            if recent >= MAX_SOLICITATIONS_PER_MONTH:
                continue
            missions = list(recommendations(profile.user, limit=5, published_since=now - datetime.timedelta(days=7)))
            if not missions:
                continue
            lines = [f"• {m.title} — {', '.join(str(r) for r in m.reasons)}" for m in missions]
            notify(
                profile.user,
                "volunteering.matches",
                Message(gettext_noop("A new mission for you this week"))
                if len(missions) == 1
                else Message(gettext_noop("{count} new missions for you this week"), count=len(missions)),
                "\n".join(lines),
                url=reverse("volunteering:for_you"),
            )
            Solicitation.objects.create(
                volunteer=profile.user, kind="weekly_matches", mission_ids=[m.pk for m in missions]
            )
            sent += 1
    return sent


def delete_old_cvs(today=None) -> int:
    """Retention: a CV is deleted 6 months after its mission ended (or after a spontaneous application closed)."""
    today = today or timezone.localdate()
    limit = today - CV_RETENTION
    old = Application.objects.exclude(cv="").filter(mission__end_date__lt=limit)
    old_spontaneous = Application.objects.exclude(cv="").filter(mission__isnull=True, updated_at__date__lt=limit)
    count = 0
    for application in list(old) + list(old_spontaneous):
        application.cv.delete(save=False)
        Application.objects.filter(pk=application.pk).update(cv="")
        count += 1
    return count


def erase_account(user) -> None:
    """GDPR: delete the CV files (the rows go with the account through CASCADE) once the deletion is committed,
    so that a rolled-back deletion keeps both the rows and their files."""
    storage_names = [
        (application.cv.storage, application.cv.name)
        for application in Application.objects.filter(volunteer=user).exclude(cv="")
    ]
    Application.objects.filter(volunteer=user).update(cv="")

    def delete_files():
        for storage, name in storage_names:
            storage.delete(name)

    transaction.on_commit(delete_files)


# --- Saved searches -------------------------------------------------------------------------------------

MAX_SAVED_SEARCHES = 10
SEARCH_PAGES = {Mission.Kind.INTERNSHIP: "volunteering:internships", Mission.Kind.VOLUNTEERING: "volunteering:index"}


def _search_filters(kind: str, query: str):
    from django.http import QueryDict

    from .forms import NearForm
    from .serializers import MissionSearchSerializer

    invalid = ValidationError({"query": [_("This search has invalid filters: correct them before saving it.")]})
    data = QueryDict(query, mutable=True)
    # The page's place is words with their point (near, near_lon, near_lat): the search takes the point, as on the page.
    place = NearForm(data)
    if not place.is_valid():
        raise invalid
    data.pop("near", None)
    if near := place.near_param():
        data["near"] = near
    data["kind"] = kind
    params = MissionSearchSerializer(data=data)
    if not params.is_valid():
        raise invalid
    return params.filters()


def save_search(user, kind: str, query: str, *, weekly_email: bool = False) -> SavedSearch:
    """Keep a search (its query string, without the page) for a signed-in account; saving it again updates it."""
    if not user.is_authenticated:
        raise PermissionDenied(_("You need to log in to do this."))
    if kind not in Mission.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of offer.")]})
    from django.http import QueryDict

    data = QueryDict(query or "", mutable=True)
    data.pop("page", None)
    query = data.urlencode()[:2000]
    _search_filters(kind, query)
    with transaction.atomic():
        existing = SavedSearch.objects.select_for_update().filter(user=user, kind=kind, query=query).first()
        if existing is None and SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
            raise ValidationError({"query": [_("You can keep at most 10 searches: delete one first.")]})
        saved, _created = SavedSearch.objects.update_or_create(
            user=user, kind=kind, query=query, defaults={"weekly_email": weekly_email}
        )
    return saved


def delete_saved_search(user, pk) -> SavedSearch | None:
    """Forget one of the account's own saved searches (and its weekly e-mail); None when it has no such search."""
    saved = SavedSearch.objects.filter(user=user, pk=pk).first() if user.is_authenticated else None
    if saved is not None:
        saved.delete()
    return saved


def saved_searches_of(user, kind: str) -> list[SavedSearch]:
    return list(SavedSearch.objects.filter(user=user, kind=kind)) if user.is_authenticated else []


def send_saved_search_alerts(now=None) -> int:
    """Weekly, opt-in: the offers published in the last 7 days that match each saved search, in one e-mail each."""
    from .selectors import search_missions

    now = now or timezone.now()
    week_ago = now - datetime.timedelta(days=7)
    sent = 0
    due = SavedSearch.objects.filter(weekly_email=True, user__is_active=True).exclude(last_sent_at__gt=week_ago)
    for saved in due.select_related("user").order_by("pk"):
        try:
            filters = _search_filters(saved.kind, saved.query)
        except ValidationError:
            continue  # a filter that became invalid (a removed theme): the search stays, silent
        offers = list(search_missions(filters).filter(published_at__gte=week_ago)[:10])
        if offers:
            url = reverse(SEARCH_PAGES[saved.kind]) + (f"?{saved.query}" if saved.query else "")
            notify(
                saved.user,
                "volunteering.saved_search",
                Message(gettext_noop("A new offer matches your saved search"))
                if len(offers) == 1
                else Message(gettext_noop("{count} new offers match your saved search"), count=len(offers)),
                "\n".join(f"• {m.title} — {m.organization.name}" for m in offers),
                url=url,
            )
            sent += 1
        SavedSearch.objects.filter(pk=saved.pk).update(last_sent_at=now)
    return sent
