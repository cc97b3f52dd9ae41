from django.urls import reverse
from rest_framework import serializers

from .models import Contribution, Section, Version


class PublishedSectionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    theme = serializers.CharField(source="theme_slug")
    chapter = serializers.CharField(source="chapter_title")
    body_html = serializers.CharField()
    contributions_count = serializers.IntegerField()


class VersionSummarySerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="number")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Version
        fields = ["version", "summary", "published_at", "url"]

    def get_url(self, obj) -> str:
        return reverse("strategy:version", args=[obj.number])


class CreditSerializer(serializers.Serializer):
    """An accepted amendment credited in the version's notes."""

    section = serializers.CharField(source="section_title")
    quote = serializers.CharField(source="annotation.quote")
    replacement = serializers.CharField(source="annotation.replacement")
    author = serializers.CharField(source="author_name", allow_null=True)


class VersionDetailSerializer(VersionSummarySerializer):
    sections = PublishedSectionSerializer(many=True, source="section_list")
    amendments = CreditSerializer(many=True, source="credits")

    class Meta(VersionSummarySerializer.Meta):
        fields = [*VersionSummarySerializer.Meta.fields, "sections", "amendments"]


class DraftSectionSerializer(serializers.ModelSerializer):
    theme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    chapter = serializers.CharField(source="chapter.title", read_only=True)
    referent = serializers.SerializerMethodField()

    class Meta:
        model = Section
        fields = ["slug", "title", "chapter", "theme", "referent", "body", "revision", "updated_at"]

    def get_referent(self, obj) -> str | None:
        referent = obj.theme.referent if obj.theme_id else None
        return referent.public_name if referent else None


class SectionEditSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)
    revision = serializers.IntegerField(min_value=1)
    title = serializers.CharField(required=False, max_length=200)


class ContributionSerializer(serializers.ModelSerializer):
    theme = serializers.SerializerMethodField()
    district = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()
    integrated_in = serializers.SerializerMethodField()
    assigned_to = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = Contribution
        fields = [
            "id",
            "source",
            "source_id",
            "title",
            "text",
            "theme",
            "district",
            "status",
            "public_reason",
            "duplicate_of",
            "support",
            "url",
            "page",
            "created_at",
            "assigned_to",
            "sections",
            "integrated_in",
            "event",
            "event_date",
            "participants",
        ]

    def get_theme(self, obj) -> str | None:
        return obj.theme.slug if obj.theme_id else None

    def get_district(self, obj) -> int | None:
        return obj.district.number if obj.district_id else None

    def get_sections(self, obj) -> list[str]:
        return [link.section.slug for link in obj.links.all()]

    def get_integrated_in(self, obj) -> int | None:
        # The first version that integrated it, as the contract's strategy_version: later ones do not replace it.
        numbers = [link.version.number for link in obj.links.all() if link.version_id]
        return min(numbers) if numbers else None

    def get_assigned_to(self, obj) -> str | None:
        return obj.assigned_to.public_name if obj.assigned_to_id else None

    def get_page(self, obj) -> str:
        return obj.get_absolute_url()


class TriageSerializer(serializers.Serializer):
    status = serializers.CharField(required=False)
    sections = serializers.ListField(child=serializers.CharField(), required=False)
    public_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    duplicate_of = serializers.IntegerField(required=False, min_value=1)


class BulkTriageSerializer(TriageSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)


class PublishSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, max_length=5000)
    confirm = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=20000,
        help_text="Ids of linked contributions to mark integrated although none of their sections changed.",
    )
