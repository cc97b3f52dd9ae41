"""Admin of the strategy: structure and look-ups. Editing the text, triage and publishing go through the team's
pages (strategy/views.py → services), which keep the optimistic locking, the public reasons and the audit log;
here those fields are read-only, and published versions can't be changed at all."""

from django.contrib.gis import admin

from core.admin import ServiceWrittenAdmin

from . import models
from .models import (
    Chapter,
    Contribution,
    ContributionSection,
    Document,
    Section,
    SectionComment,
    SectionVersion,
    Version,
)


class ReadOnlyAdmin(ServiceWrittenAdmin):
    """Published history: visible to the team, immutable for everyone."""

    def has_delete_permission(self, request, obj=None):
        return False


class ChapterInline(admin.TabularInline):
    model = Chapter
    fields = ["position", "title", "theme"]
    extra = 0


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title"]
    inlines = [ChapterInline]


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["position", "slug", "title", "theme", "revision"]
    readonly_fields = ["revision"]
    extra = 0


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["title", "document", "theme", "position"]
    list_filter = ["theme"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "chapter", "theme", "revision", "updated_at", "updated_by"]
    list_filter = ["theme", "chapter"]
    search_fields = ["title", "slug", "body"]
    readonly_fields = ["body", "revision", "updated_at", "updated_by"]


class SectionVersionInline(admin.TabularInline):
    model = SectionVersion
    fields = ["chapter_title", "title", "position"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "published_at", "published_by", "summary"]
    inlines = [SectionVersionInline]


@admin.register(SectionVersion)
class SectionVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "chapter_title", "title"]
    list_filter = ["version"]
    search_fields = ["title", "body"]


class ContributionSectionInline(admin.TabularInline):
    model = ContributionSection
    fields = ["section", "linked_at", "linked_by", "version"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contribution)
class ContributionAdmin(admin.GISModelAdmin):
    list_display = ["title", "source", "theme", "district", "status", "support", "assigned_to", "created_at"]
    list_filter = ["source", "status", "theme", "district", "is_public"]
    search_fields = ["title", "text", "event"]
    date_hierarchy = "created_at"
    raw_id_fields = ["author", "duplicate_of", "assigned_to"]
    readonly_fields = ["source", "source_id", "status", "public_reason", "support", "url", "created_at", "duplicate_of"]
    inlines = [ContributionSectionInline]


@admin.register(ContributionSection)
class ContributionSectionAdmin(ReadOnlyAdmin):
    list_display = ["contribution", "section", "linked_at", "version"]
    list_filter = ["version"]


@admin.register(SectionComment)
class SectionCommentAdmin(admin.ModelAdmin):
    list_display = ["section", "author", "created_at", "is_hidden"]
    list_filter = ["is_hidden"]
    search_fields = ["body", "quote"]
    raw_id_fields = ["section", "author"]
    readonly_fields = ["is_hidden", "hidden_reason"]


@admin.register(models.Consultation)
class ConsultationAdmin(ServiceWrittenAdmin):
    list_display = ["title", "starts_at", "ends_at", "closed_at"]


@admin.register(models.Annotation)
class AnnotationAdmin(ServiceWrittenAdmin):
    list_display = ["section", "kind", "stance", "author", "supporters_count", "is_outdated", "accepted_at"]
    list_filter = ["kind", "stance", "is_outdated", "is_hidden"]
    search_fields = ["body", "quote", "replacement"]
    raw_id_fields = ["section", "author"]


@admin.register(models.Workshop)
class WorkshopAdmin(ServiceWrittenAdmin):
    list_display = ["title", "held_on", "place", "participants", "organiser"]


@admin.register(models.ConsultationSection)
class ConsultationSectionAdmin(ServiceWrittenAdmin):
    list_display = ["consultation", "section", "question"]


@admin.register(models.AnnotationSupport)
class AnnotationSupportAdmin(ServiceWrittenAdmin):
    list_display = ["annotation", "user", "created_at"]
    raw_id_fields = ["annotation", "user"]


@admin.register(models.AnnotationReply)
class AnnotationReplyAdmin(ServiceWrittenAdmin):
    list_display = ["annotation", "author", "created_at", "is_hidden"]
    raw_id_fields = ["annotation", "author"]
