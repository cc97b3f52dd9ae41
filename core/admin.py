from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import ValidationError
from rest_framework.exceptions import APIException

from .models import (
    AuditLog,
    CityBoundary,
    District,
    Follow,
    Notification,
    NotificationSetting,
    Place,
    Quartier,
    Report,
    Theme,
)


class ServiceWrittenAdmin(admin.ModelAdmin):
    """For rows only the services write (logs, counters' rows): visible to the team, never added or edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def service_error_message(error) -> str:
    """What a refused service call says, for an admin action's message."""
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    if isinstance(error, APIException):
        return str(error.detail)
    return str(error)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "referent", "in_strategy", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["referent"]

    def save_model(self, request, obj, form, change):
        """Naming or changing a theme's referent here is audited (accounts.services.record_referent_change)."""
        from accounts import services

        previous_id = Theme.objects.filter(pk=obj.pk).values_list("referent_id", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        services.record_referent_change(request.user, obj, previous_id)


@admin.register(District)
class DistrictAdmin(GISModelAdmin):
    list_display = ["number", "name", "official_name", "insee", "approximate"]


@admin.register(Quartier)
class QuartierAdmin(GISModelAdmin):
    list_display = ["number", "name", "district", "insee", "approximate"]
    list_filter = ["district"]


@admin.register(Place)
class PlaceAdmin(GISModelAdmin):
    """The gazetteer of the place search (filled by manage.py load_places); the team may add local names."""

    list_display = ["name", "kind", "district"]
    list_filter = ["kind", "district"]
    search_fields = ["name", "normalized"]
    readonly_fields = ["district"]

    def save_model(self, request, obj, form, change):
        from .geo import district_of_point
        from .geocoding import normalize

        obj.normalized = normalize(obj.name)
        obj.district = district_of_point(obj.point.x, obj.point.y)
        super().save_model(request, obj, form, change)


@admin.register(CityBoundary)
class CityBoundaryAdmin(GISModelAdmin):
    list_display = ["name"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__email"]
    raw_id_fields = ["recipient"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "content_type", "object_id", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(NotificationSetting)
class NotificationSettingAdmin(admin.ModelAdmin):
    list_display = ["user", "category", "channel"]
    list_filter = ["category", "channel"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_repr", "reason"]
    list_filter = ["action"]
    search_fields = ["target_repr", "reason"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "content_type", "object_id", "reporter", "reason", "resolved_at"]
    list_filter = ["content_type", "resolved_at"]
