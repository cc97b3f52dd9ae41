from django.contrib import messages
from django.contrib.gis import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Ballot, Campaign, PaperCount, Project, ProjectNote, ProjectPhoto, Scope


class ScopeInline(admin.TabularInline):
    model = Scope
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["year", "rule", "submission_opens", "vote_opens", "results_on", "results_published"]
    inlines = [ScopeInline]
    actions = ["publish_results"]

    @admin.action(description=_("Count the ballots and publish the results"))
    def publish_results(self, request, queryset):
        for campaign in queryset:
            try:
                services.compute_results(request.user, campaign)
            except PermissionDenied as error:
                self.message_user(request, str(error), messages.ERROR)
                return
        self.message_user(request, _("Results published."))


class ProjectNoteInline(admin.TabularInline):
    model = ProjectNote
    extra = 0
    fields = ["kind", "text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]


class ProjectPhotoInline(admin.TabularInline):
    model = ProjectPhoto
    extra = 0
    fields = ["image", "caption", "added_by", "created_at"]
    readonly_fields = ["added_by", "created_at"]


@admin.register(Project)
class ProjectAdmin(admin.GISModelAdmin):
    inlines = [ProjectNoteInline, ProjectPhotoInline]
    list_display = ["title", "campaign", "scope", "status", "cost", "winner", "stage", "approximate_location"]
    list_filter = ["campaign", "status", "winner", "stage", "approximate_location"]
    search_fields = ["title", "address", "external_id"]
    raw_id_fields = ["author", "merged_into"]
    list_select_related = ["campaign", "scope__district"]
    actions = ["declare_admissible"]

    @admin.action(description=_("Declare admissible (the authors are notified)"))
    def declare_admissible(self, request, queryset):
        for project in queryset:
            try:
                services.study_verdict(request.user, project, admissible=True)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(
                    request, f"{project}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
                )


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    """Who voted, never for whom: the choices are not shown."""

    list_display = ["campaign", "voter", "updated_at"]
    list_filter = ["campaign"]
    fields = ["campaign", "voter", "created_at", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProjectNote)
class ProjectNoteAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["project", "author"]
    list_select_related = ["project"]


@admin.register(ProjectPhoto)
class ProjectPhotoAdmin(admin.ModelAdmin):
    list_display = ["project", "caption", "created_at"]
    raw_id_fields = ["project", "added_by"]
    list_select_related = ["project"]


@admin.register(PaperCount)
class PaperCountAdmin(admin.ModelAdmin):
    """The audit of paper ballots: who entered and who validated each count. Entered on the team page only."""

    list_display = ["polling_place", "project", "count", "entered_by", "validated_by", "validated_at"]
    list_filter = ["campaign"]
    list_select_related = ["project", "entered_by", "validated_by"]
    fields = [
        "campaign",
        "project",
        "polling_place",
        "count",
        "entered_by",
        "entered_at",
        "validated_by",
        "validated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Scope)
class ScopeAdmin(admin.ModelAdmin):
    list_display = ["campaign", "district", "envelope", "popular_share"]
    list_filter = ["campaign"]
    list_select_related = ["campaign", "district"]
