"""Admin of the ideas marketplace, for the mission team.

Writes end in ideas.services, which keep what the form cannot: rendered Markdown, the search vector and the
matching copies (open need kinds, themes, arrondissements). Statuses move through actions calling the services.
Conversations between an idea and a partner are private to the two sides: the admin shows who wrote when, never
what (reports go through core.moderation).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.exceptions import APIException

from core.admin import ServiceWrittenAdmin, service_error_message

from . import services
from .models import (
    Comment,
    Connection,
    Idea,
    IdeaImage,
    Message,
    Need,
    NewsPost,
    Offer,
    PartnerProfile,
    Support,
    TimelineEvent,
)


class NeedInline(admin.TabularInline):
    model = Need
    extra = 0
    fields = ["kind", "description", "amount", "covered", "mission_id", "position"]
    readonly_fields = ["covered", "mission_id"]


class IdeaImageInline(admin.TabularInline):
    """Pictures are uploaded by the holder (re-encoded without metadata); the team may fix a description or remove one."""

    model = IdeaImage
    extra = 0
    fields = ["image", "alt", "position"]
    readonly_fields = ["image"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(IdeaImage)
class IdeaImageAdmin(admin.ModelAdmin):
    list_display = ["alt", "idea", "position", "created_at"]
    search_fields = ["alt", "idea__title"]
    raw_id_fields = ["idea"]
    readonly_fields = ["image", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "holder",
        "organization",
        "stage",
        "status",
        "supporters_count",
        "needs_count",
        "connections_count",
        "is_hidden",
        "published_at",
    ]
    list_filter = ["status", "stage", "is_hidden", "themes", "districts"]
    search_fields = ["title", "pitch", "holder__email", "holder__display_name", "organization__name"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["holder", "organization"]
    filter_horizontal = ["themes", "districts"]
    readonly_fields = [
        "status",
        "supporters_count",
        "needs_count",
        "connections_count",
        "is_hidden",
        "hidden_reason",
        "published_at",
        "created_at",
        "updated_at",
    ]
    inlines = [NeedInline, IdeaImageInline]
    actions = ["publish", "mark_realised", "archive"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("holder", "organization")
            .annotate(needs_total=Count("needs", distinct=True), connections_total=Count("connections", distinct=True))
        )

    @admin.display(description=_("needs"), ordering="needs_total")
    def needs_count(self, idea):
        return getattr(idea, "needs_total", None) or idea.needs.count()

    @admin.display(description=_("connections"), ordering="connections_total")
    def connections_count(self, idea):
        return getattr(idea, "connections_total", None) or idea.connections.count()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        idea = form.instance
        # The service renders the Markdown and refreshes the search and matching copies (needs untouched here).
        services.update_idea(
            request.user,
            idea,
            title=idea.title,
            pitch=idea.pitch,
            description=idea.description,
            themes=[t.slug for t in idea.themes.all()],
            districts=[d.number for d in idea.districts.all()],
            stage=idea.stage,
            team=idea.team,
        )

    def _apply(self, request, queryset, action, done_message):
        changed = 0
        for idea in queryset:
            try:
                action(idea)
            except (PermissionDenied, ValidationError, APIException) as error:
                self.message_user(request, f"{idea} — {service_error_message(error)}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, done_message(changed), messages.SUCCESS)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        self._apply(
            request,
            queryset.filter(status=Idea.Status.DRAFT),
            lambda idea: services.publish_idea(request.user, idea),
            lambda n: ngettext("%(count)d idea published.", "%(count)d ideas published.", n) % {"count": n},
        )

    @admin.action(description=_("Mark the selected ideas as realised"))
    def mark_realised(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda idea: services.set_status(request.user, idea, Idea.Status.REALISED),
            lambda n: (
                ngettext("%(count)d idea marked as realised.", "%(count)d ideas marked as realised.", n) % {"count": n}
            ),
        )

    @admin.action(description=_("Archive the selected ideas"))
    def archive(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda idea: services.set_status(request.user, idea, Idea.Status.ARCHIVED),
            lambda n: ngettext("%(count)d idea archived.", "%(count)d ideas archived.", n) % {"count": n},
        )


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["idea", "kind", "description", "amount", "covered", "connections_count"]
    list_filter = ["kind", "covered"]
    search_fields = ["description", "idea__title"]
    raw_id_fields = ["idea"]
    readonly_fields = ["covered", "mission_id", "connections_count"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("idea").annotate(connections_total=Count("connections"))

    @admin.display(description=_("connections"), ordering="connections_total")
    def connections_count(self, need):
        return getattr(need, "connections_total", None) or need.connections.count()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.sync_match_fields(idea_ids=[obj.idea_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.sync_match_fields(idea_ids=[obj.idea_id])


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = ["kind", "description"]


@admin.register(PartnerProfile)
class PartnerProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "capacity", "offers_count", "connections_count", "created_at"]
    list_filter = ["themes", "districts"]
    search_fields = ["organization__name", "description"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["themes", "districts"]
    readonly_fields = ["offers_count", "connections_count", "created_at"]
    inlines = [OfferInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("organization")
            .annotate(
                offers_total=Count("offers", distinct=True), connections_total=Count("connections", distinct=True)
            )
        )

    @admin.display(description=_("offers"), ordering="offers_total")
    def offers_count(self, partner):
        return getattr(partner, "offers_total", None) or partner.offers.count()

    @admin.display(description=_("connections"), ordering="connections_total")
    def connections_count(self, partner):
        return getattr(partner, "connections_total", None) or partner.connections.count()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        partner = form.instance
        # The service refreshes the search vector and the matching copies.
        services.update_partner(
            request.user,
            partner,
            description=partner.description,
            themes=[t.slug for t in partner.themes.all()],
            districts=[d.number for d in partner.districts.all()],
            offers=[{"kind": o.kind, "description": o.description} for o in partner.offers.all()],
            capacity=partner.capacity,
        )


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["partner", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["description", "partner__organization__name"]
    raw_id_fields = ["partner"]
    list_select_related = ["partner__organization"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.sync_match_fields(partner_ids=[obj.partner_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.sync_match_fields(partner_ids=[obj.partner_id])


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["idea", "need", "partner", "initiated_by", "status", "messages_count", "created_at", "decided_at"]
    list_filter = ["status", "initiated_by"]
    search_fields = ["idea__title", "partner__organization__name"]
    raw_id_fields = ["idea", "need", "partner"]
    autocomplete_fields = ["created_by", "decided_by"]
    # Accepting or declining is for the two sides (services.decide_connection), which notifies the other one.
    readonly_fields = ["status", "decided_by", "decided_at", "messages_count", "created_at", "updated_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("idea", "need", "partner__organization")
            .annotate(messages_total=Count("messages"))
        )

    @admin.display(description=_("messages"), ordering="messages_total")
    def messages_count(self, connection):
        return getattr(connection, "messages_total", None) or connection.messages.count()


@admin.register(Message)
class MessageAdmin(ServiceWrittenAdmin):
    list_display = ["created_at", "connection", "author"]
    search_fields = ["connection__idea__title", "author__email"]
    list_select_related = ["connection__idea", "connection__partner__organization", "author"]
    # Never the body, and Message.__str__ is the start of the body: no row links, no action checkbox (labelled with
    # it), and no page per message.
    list_display_links = None
    actions = None

    def has_view_permission(self, request, obj=None):
        return obj is None and super().has_view_permission(request)


@admin.register(Support)
class SupportAdmin(ServiceWrittenAdmin):
    list_display = ["created_at", "idea", "user"]
    search_fields = ["idea__title", "user__email"]
    list_select_related = ["idea", "user"]

    def has_delete_permission(self, request, obj=None):
        return False  # the idea's supporters counter moves with services.support()/unsupport()


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "idea", "author", "is_hidden"]
    list_filter = ["is_hidden", "created_at"]
    search_fields = ["body", "idea__title", "author__email"]
    raw_id_fields = ["idea"]
    autocomplete_fields = ["author"]
    # Hiding needs a public reason and is audited: it goes through the moderation pages (core.moderation).
    readonly_fields = ["is_hidden", "hidden_reason", "created_at"]


@admin.register(NewsPost)
class NewsPostAdmin(admin.ModelAdmin):
    list_display = ["created_at", "idea", "title", "author"]
    search_fields = ["title", "body", "idea__title"]
    raw_id_fields = ["idea"]
    autocomplete_fields = ["author"]
    readonly_fields = ["created_at"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(ServiceWrittenAdmin):
    list_display = ["created_at", "idea", "kind", "text"]
    list_filter = ["kind"]
    search_fields = ["idea__title", "text"]
    list_select_related = ["idea"]
