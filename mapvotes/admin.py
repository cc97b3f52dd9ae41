from django.contrib.gis import admin

from core.admin import ServiceWrittenAdmin

from .models import Comment, Proposal, ProposalRevision, TimelineEvent, Vote


@admin.register(Proposal)
class ProposalAdmin(admin.GISModelAdmin):
    list_display = ["title", "theme", "district", "status", "votes_for", "votes_against", "is_hidden"]
    list_filter = ["status", "theme", "district", "is_hidden"]
    search_fields = ["title"]
    raw_id_fields = ["author", "merged_into"]
    readonly_fields = ["votes_for", "votes_against", "comments_count", "district", "quartier", "point"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["proposal", "author", "stance", "is_hidden", "created_at"]
    raw_id_fields = ["proposal", "author"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["proposal", "user", "value", "created_at"]
    raw_id_fields = ["proposal", "user"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ["proposal", "kind", "status", "actor_label", "created_at"]
    raw_id_fields = ["proposal", "other", "actor"]


@admin.register(ProposalRevision)
class ProposalRevisionAdmin(ServiceWrittenAdmin):
    """Read-only: the previous versions of a proposal its author edited (mapvotes.services.edit_proposal)."""

    list_display = ["proposal", "editor"]
    list_select_related = ["proposal", "editor"]
    raw_id_fields = ["proposal", "editor"]
