from django import forms
from django.contrib import admin

from core.admin import ServiceWrittenAdmin

from . import services
from .models import Page, PageVersion, TermsAcceptance


class PageAdminForm(forms.ModelForm):
    summary = forms.CharField(label=PageVersion._meta.get_field("summary").verbose_name, max_length=300, required=False)
    requires_acceptance = forms.BooleanField(
        label=PageVersion._meta.get_field("requires_acceptance").verbose_name, required=False
    )

    class Meta:
        model = Page
        fields = ["title", "body"]


class PageVersionInline(admin.TabularInline):
    model = PageVersion
    fields = ["number", "summary", "requires_acceptance", "created_at", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    """Editing a page in the admin publishes a new version through the same service as the edit page."""

    form = PageAdminForm
    list_display = ["title", "slug", "version", "acceptance_version", "updated_at"]
    readonly_fields = ["slug", "version", "acceptance_version"]
    inlines = [PageVersionInline]

    def has_add_permission(self, request):
        return False  # the five pages come from the data migration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.publish_page(
            obj,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            summary=form.cleaned_data.get("summary", ""),
            requires_acceptance=form.cleaned_data.get("requires_acceptance", False),
            actor=request.user,
        )
        obj.refresh_from_db()


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(ServiceWrittenAdmin):
    list_display = ["user", "version", "accepted_at"]
    list_filter = ["version"]
    search_fields = ["user__email"]

    def has_delete_permission(self, request, obj=None):
        return False
