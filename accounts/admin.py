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

    def save_model(self, request, obj, form, change):
        """Role flags ticked or unticked here are audited like any other role change."""
        before = services.role_values(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        services.record_role_changes(request.user, obj, before)


class MembershipInline(admin.TabularInline):
    """Who may see and change an organisation's members here: the rule "accounts.manage_members"."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def _may_manage(self, request, obj):
        return request.user.has_perm("accounts.manage_members", obj)

    def has_view_permission(self, request, obj=None):
        return self._may_manage(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._may_manage(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request, obj)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "district", "verified", "created_at"]
    list_filter = ["kind", "verified", "district"]
    search_fields = ["name"]
    inlines = [MembershipInline]
    actions = ["mark_verified", "mark_unverified"]

    def save_model(self, request, obj, form, change):
        """Ticking "verified" here is audited like the "Mark as verified" action."""
        was = Organization.objects.filter(pk=obj.pk).values_list("verified", flat=True).first() if change else False
        super().save_model(request, obj, form, change)
        if obj.verified != was:
            services.record_verification_change(request.user, obj)

    def save_formset(self, request, form, formset, change):
        """Members added, removed or given another role in the inline are audited."""
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        before = {
            m["pk"]: m for m in Membership.objects.filter(organization=form.instance).values("pk", "user_id", "role")
        }
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.remove_membership(membership, request.user)
        for membership in memberships:
            previous = before.get(membership.pk)
            membership.save()
            services.record_membership_saved(request.user, membership, previous)
        formset.save_m2m()

    def has_verify_permission(self, request):
        """The two actions below are offered to those the rule "accounts.verify_organization" allows."""
        return request.user.has_perm("accounts.verify_organization")

    @admin.action(description=_("Mark as verified"), permissions=["verify"])
    def mark_verified(self, request, queryset):
        for organization in queryset:
            services.set_organization_verified(organization, request.user, True)

    @admin.action(description=_("Mark as not verified"), permissions=["verify"])
    def mark_unverified(self, request, queryset):
        for organization in queryset:
            services.set_organization_verified(organization, request.user, False)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Every membership across organisations (also editable inline on each organisation); changes are audited."""

    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__email", "user__display_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]

    def save_model(self, request, obj, form, change):
        previous = Membership.objects.filter(pk=obj.pk).values("pk", "user_id", "role").first() if change else None
        super().save_model(request, obj, form, change)
        services.record_membership_saved(request.user, obj, previous)

    def delete_model(self, request, obj):
        services.remove_membership(obj, request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.remove_membership(membership, request.user)
