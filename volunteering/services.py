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

from accounts.models import Organization
from core import realtime
from core.contributions import support_changed
from core.geo import locate
from core.models import Notification
from core.notifications import notify
from core.rest import Conflict

from .models import Application, ApplicationEvent, Mission, Solicitation, VolunteerProfile

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
    """A real PDF (checked by content, not by name) of at most 5 MB."""
    if upload is None:
        return
    if upload.size > MAX_CV_BYTES:
        raise ValidationError({"cv": [_("The CV is too big: the maximum is 5 MB.")]}, code="too_big")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    not_pdf = ValidationError({"cv": [_("The CV must be a PDF file.")]}, code="not_pdf")
    if not re.match(rb"%PDF-\d\.\d", data[:16]):
        raise not_pdf
    tail = data[-2048:]
    # Parse sanity: an object, a cross-reference pointer and the end-of-file marker.
    if b"%%EOF" not in tail or b"startxref" not in tail or not re.search(rb"\d+\s+\d+\s+obj\b", data):
        raise not_pdf


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
    elif organization not in memberships:
        raise PermissionDenied(_("You are not a member of this organisation."))
    if not organization.verified:
        raise PermissionDenied(
            _("Your organisation has not been verified by the mission team yet: it cannot publish missions.")
        )
    if not user.is_verified:
        raise PermissionDenied(_("Please confirm your e-mail address first: only verified accounts can take part."))
    return organization


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
)


def _apply_mission_data(mission: Mission, data: dict, *, creating: bool):
    for name in MISSION_FIELDS:
        if name in data:
            setattr(mission, name, data[name])
    errors = {}
    today = timezone.localdate()
    if mission.start_date and ("start_date" in data or creating) and mission.start_date < today:
        errors["start_date"] = [_("The start date is in the past.")]
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
    if not themes:
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
        if not data["themes"]:
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
    return mission


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
    title = format_lazy(
        _("New application from {name} for “{target}”"), name=application.volunteer.public_name, target=target
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


def apply(user, mission: Mission, message: str = "", cv=None, *, waiting_list: bool = False) -> Application:
    """Apply to a mission. Concurrent-safe: the mission row is locked and the unique constraint decides."""
    if not user.has_perm("volunteering.apply"):
        from accounts.rules import refusal_reason

        raise PermissionDenied(refusal_reason(user))
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
                raise Conflict(_("You have already applied to this mission."))
            application = Application(
                volunteer=user,
                mission=mission,
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
        raise Conflict(_("You have already applied to this mission.")) from None
    return application


def apply_spontaneously(user, organization: Organization, message: str = "", cv=None) -> Application:
    if not user.has_perm("volunteering.apply"):
        from accounts.rules import refusal_reason

        raise PermissionDenied(refusal_reason(user))
    if not message.strip():
        raise ValidationError({"message": [_("Tell the organisation why you are writing to them.")]})
    validate_cv(cv)
    try:
        with transaction.atomic():
            application = Application(volunteer=user, organization=organization, message=message.strip())
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
        S.SHORTLISTED: _("Your application for “{target}” has been shortlisted"),
        S.INVITED: _("You are invited to meet {organization} for “{target}”"),
        S.ACCEPTED: _("Your application for “{target}” has been accepted"),
        S.DECLINED: _("Your application for “{target}” was not selected"),
    }
    return format_lazy(titles[application.status], target=target, organization=application.organization.name)


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
                format_lazy(
                    _("A place is free again on “{mission}”: the waiting list is waiting"), mission=mission.title
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
        application.convocation_at = when
        application.convocation_place = convocation.get("convocation_place", "") or ""
        application.convocation_message = convocation.get("convocation_message", "") or message
    _fill_place(application, previous)
    application.save()
    text = render_message(message, application)
    ApplicationEvent.objects.create(
        application=application, actor=actor, from_status=previous, to_status=status, message=text
    )
    body = text
    if status == S.INVITED:
        when = timezone.localtime(application.convocation_at).strftime("%d/%m/%Y %H:%M")
        body = "\n".join(filter(None, [text, f"{when} — {application.convocation_place}"]))
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
                format_lazy(
                    _("{name} withdrew their application for “{target}”"), name=user.public_name, target=target
                ),
                url=reverse("volunteering:dashboard", args=[application.organization.slug]),
                email=False,
            )
    return application


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
    today = today or timezone.localdate()
    expired = []
    with transaction.atomic():
        missions = list(
            Mission.objects.select_for_update()
            .filter(status__in=[Mission.Status.PUBLISHED, Mission.Status.FULL], end_date__lt=today)
            .select_related("organization")
        )
        for mission in missions:
            mission.status = Mission.Status.EXPIRED
            mission.save(update_fields=["status", "updated_at"])
            expired.append(mission)
            for member in mission.organization.members.all():
                notify(
                    member,
                    "volunteering.expired",
                    format_lazy(_("“{mission}” has ended: update its dates or close it"), mission=mission.title),
                    url=reverse("volunteering:mission_edit", args=[mission.pk]),
                )
    return len(expired)


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
                    format_lazy(
                        _("{count} applications have been waiting for an answer for more than 7 days"),
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
                format_lazy(_("“{mission}” has not changed for 3 months: is it still current?"), mission=mission.title),
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
            format_lazy(_("Reminder: “{mission}” starts tomorrow"), mission=application.mission.title),
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
                format_lazy(_("{count} new missions for you this week"), count=len(missions)),
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
