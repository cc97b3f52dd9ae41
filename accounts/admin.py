from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Membership, Organization, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "email_verified", "is_team", "is_active", "date_joined"]
    list_filter = ["email_verified", "is_team", "is_active", "is_staff"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "preferred_language"]}),
        (_("Roles"), {"fields": ["email_verified", "is_team", "is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "district", "verified", "created_at"]
    list_filter = ["kind", "verified", "district"]
    search_fields = ["name"]
    inlines = [MembershipInline]
    actions = ["mark_verified", "mark_unverified"]

    @admin.action(description=_("Mark as verified"))
    def mark_verified(self, request, queryset):
        for organization in queryset:
            services.set_organization_verified(organization, request.user, True)

    @admin.action(description=_("Mark as not verified"))
    def mark_unverified(self, request, queryset):
        for organization in queryset:
            services.set_organization_verified(organization, request.user, False)
