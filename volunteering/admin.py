"""Admin of the volunteering space, for the mission team.

Status changes go through volunteering.services (actions), never through the form: the services check the rules
(a verified organisation, an end date still to come...) and notify. CVs are not shown here: only the applicant and
the organisation read them, through the permission-checking view.
"""

from django.contrib import admin, messages
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.exceptions import APIException

from core.admin import ServiceWrittenAdmin, service_error_message
from core.geo import OutsideParis, locate

from . import services
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


class ApplicationInline(admin.TabularInline):
    model = Application
    extra = 0
    fields = ["volunteer", "status", "created_at", "first_response_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Mission)
class MissionAdmin(GISModelAdmin):
    list_display = [
        "title",
        "organization",
        "status",
        "district",
        "start_date",
        "end_date",
        "places",
        "accepted_count",
        "applications_count",
        "views_count",
        "published_at",
    ]
    list_filter = ["status", "schedule", "remote", "accessible", "themes", "district"]
    search_fields = ["title", "description", "organization__name"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["organization", "created_by"]
    filter_horizontal = ["themes"]
    # The status moves through the actions below; the arrondissement is computed from the place.
    readonly_fields = [
        "status",
        "district",
        "accepted_count",
        "applications_count",
        "views_count",
        "published_at",
        "created_at",
        "updated_at",
        "reminded_at",
    ]
    inlines = [ApplicationInline]
    actions = ["publish", "unpublish", "close"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("organization", "district")
            .annotate(applications_total=Count("applications"))
        )

    @admin.display(description=_("applications"), ordering="applications_total")
    def applications_count(self, mission):
        return getattr(mission, "applications_total", None) or mission.applications.count()

    def save_model(self, request, obj, form, change):
        # Same helper as every other write: the arrondissement is stored once, at write time.
        try:
            obj.district = locate(obj.location).district if obj.location else None
        except OutsideParis:
            obj.district = None
        super().save_model(request, obj, form, change)

    def _change_status(self, request, queryset, service, done_message):
        changed = 0
        for mission in queryset:
            try:
                service(request.user, mission)
            except (PermissionDenied, ValidationError, APIException) as error:
                self.message_user(request, f"{mission} — {service_error_message(error)}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, done_message(changed), messages.SUCCESS)

    @admin.action(description=_("Publish the selected missions"))
    def publish(self, request, queryset):
        self._change_status(
            request,
            queryset,
            services.publish_mission,
            lambda n: ngettext("%(count)d mission published.", "%(count)d missions published.", n) % {"count": n},
        )

    @admin.action(description=_("Unpublish the selected missions"))
    def unpublish(self, request, queryset):
        self._change_status(
            request,
            queryset,
            services.unpublish_mission,
            lambda n: ngettext("%(count)d mission unpublished.", "%(count)d missions unpublished.", n) % {"count": n},
        )

    @admin.action(description=_("Close the selected missions"))
    def close(self, request, queryset):
        self._change_status(
            request,
            queryset,
            services.close_mission,
            lambda n: ngettext("%(count)d mission closed.", "%(count)d missions closed.", n) % {"count": n},
        )


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ["created_at", "actor", "from_status", "to_status", "message"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "mission", "organization", "status", "has_cv", "created_at", "first_response_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["volunteer__email", "volunteer__display_name", "mission__title", "organization__name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["volunteer", "organization"]
    raw_id_fields = ["mission"]
    # The CV stays private (see the module docstring); the status is the organisation's decision, through its
    # dashboard, which notifies the volunteer.
    exclude = ["cv"]
    readonly_fields = ["status", "has_cv", "created_at", "updated_at", "first_response_at", "reminded_at"]
    inlines = [ApplicationEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("volunteer", "mission", "organization")

    @admin.display(description=_("CV"), boolean=True)
    def has_cv(self, application):
        return bool(application.cv)


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ServiceWrittenAdmin):
    list_display = ["created_at", "application", "actor", "from_status", "to_status"]
    list_filter = ["to_status"]
    search_fields = ["application__volunteer__email", "application__mission__title"]
    list_select_related = ["application__volunteer", "application__mission", "actor"]


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(GISModelAdmin):
    list_display = ["user", "radius_km", "themes_count", "weekly_email", "updated_at"]
    list_filter = ["weekly_email", "themes"]
    search_fields = ["user__email", "user__display_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["themes"]
    readonly_fields = ["themes_count", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").annotate(themes_total=Count("themes"))

    @admin.display(description=_("themes"), ordering="themes_total")
    def themes_count(self, profile):
        return getattr(profile, "themes_total", None) or profile.themes.count()


@admin.register(Solicitation)
class SolicitationAdmin(ServiceWrittenAdmin):
    list_display = ["sent_at", "volunteer", "kind", "missions_count"]
    list_filter = ["kind", "sent_at"]
    search_fields = ["volunteer__email"]
    list_select_related = ["volunteer"]

    @admin.display(description=_("missions"))
    def missions_count(self, solicitation):
        return len(solicitation.mission_ids)


@admin.register(ApplicationMessage)
class ApplicationMessageAdmin(ServiceWrittenAdmin):
    """Read-only: a conversation is written by its two sides through volunteering.services, never by hand."""

    list_display = ["created_at", "application", "author"]
    list_select_related = ["application__mission", "application__volunteer", "author"]
    raw_id_fields = ["application", "author"]


@admin.register(Attestation)
class AttestationAdmin(ServiceWrittenAdmin):
    list_display = ["application", "signer_name", "hours"]
    list_select_related = ["application__mission", "application__volunteer"]
    raw_id_fields = ["application"]


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    """A candidate's saved internship search; its weekly e-mail is opt-in and can be stopped here on request."""

    list_display = ["user", "kind", "weekly_email", "created_at", "last_sent_at"]
    list_filter = ["kind", "weekly_email"]
    search_fields = ["user__email", "query"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
