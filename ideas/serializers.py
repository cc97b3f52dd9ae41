from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import DELETED_ACCOUNT_LABEL
from core.contributions import Outcome, outcome_fields

from . import selectors
from .models import Comment, Connection, Idea, IdeaImage, Message, Need, NeedKind, NewsPost, Offer, PartnerProfile


def _name(user):
    return user.public_name if user else str(DELETED_ACCOUNT_LABEL)


class NeedSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True, required=False)

    class Meta:
        model = Need
        fields = ["id", "kind", "kind_label", "description", "amount", "covered", "mission_id"]
        read_only_fields = ["id", "covered", "mission_id"]


class NeedInputSerializer(serializers.Serializer):
    """Loose on purpose: services.clean_needs gives the contract's messages (need N: …)."""

    kind = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class IdeaInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=150)
    pitch = serializers.CharField(
        error_messages={"max_length": _("The pitch must be at most 280 characters.")}, max_length=280
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    themes = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    districts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    stage = serializers.ChoiceField(choices=Idea.Stage.choices, required=False, default=Idea.Stage.IDEA)
    team = serializers.CharField(required=False, allow_blank=True, default="")
    organization = serializers.IntegerField(required=False, allow_null=True)
    needs = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    publish = serializers.BooleanField(required=False, default=True)


class IdeaImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = IdeaImage
        fields = ["id", "url", "alt"]

    def get_url(self, obj) -> str:
        return obj.image.url


class IdeaImageInputSerializer(serializers.Serializer):
    image = serializers.FileField()
    # Blank reaches the service, which says why a description is needed.
    alt = serializers.CharField(max_length=200, allow_blank=True, help_text="What the image shows (text alternative)")


class IdeaSerializer(serializers.ModelSerializer):
    holder = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    themes = serializers.SerializerMethodField()
    districts = serializers.SerializerMethodField()
    needs = NeedSerializer(many=True, read_only=True)
    images = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    description = serializers.SerializerMethodField()
    description_html = serializers.SerializerMethodField()
    strategy_status = serializers.SerializerMethodField()
    strategy_version = serializers.SerializerMethodField()
    strategy_sections = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = [
            "id",
            "title",
            "pitch",
            "description",
            "description_html",
            "holder",
            "organization",
            "themes",
            "districts",
            "stage",
            "status",
            "team",
            "supporters_count",
            "needs",
            "images",
            "is_hidden",
            "hidden_reason",
            "published_at",
            "url",
            "strategy_status",
            "strategy_version",
            "strategy_sections",
        ]

    def _outcome(self, obj) -> dict:
        outcomes = self.context.get("outcomes") or {}
        return outcome_fields(outcomes.get(obj.pk, Outcome()))

    @extend_schema_field(serializers.CharField())
    def get_strategy_status(self, obj):
        return self._outcome(obj)["strategy_status"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_strategy_version(self, obj):
        return self._outcome(obj).get("strategy_version")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_strategy_sections(self, obj):
        return self._outcome(obj).get("strategy_sections", [])

    def get_holder(self, obj) -> str:
        return _name(obj.holder)

    def get_organization(self, obj) -> dict | None:
        return {"id": obj.organization_id, "name": obj.organization.name} if obj.organization_id else None

    def get_themes(self, obj) -> list[str]:
        return [t.slug for t in obj.themes.all()]

    def get_districts(self, obj) -> list[int]:
        return [d.number for d in obj.districts.all()]

    def get_description(self, obj) -> str:
        return "" if obj.is_hidden else obj.description

    @extend_schema_field(IdeaImageSerializer(many=True))
    def get_images(self, obj):
        return [] if obj.is_hidden else IdeaImageSerializer(obj.images.all(), many=True).data

    def get_description_html(self, obj) -> str:
        return "" if obj.is_hidden else obj.description_html


class OfferSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Offer
        fields = ["kind", "kind_label", "description"]


class OfferInputSerializer(serializers.Serializer):
    kind = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class PartnerInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    themes = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    districts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    offers = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    capacity = serializers.IntegerField(required=False, allow_null=True)


class PartnerSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()
    themes = serializers.SerializerMethodField()
    districts = serializers.SerializerMethodField()
    offers = OfferSerializer(many=True, read_only=True)

    class Meta:
        model = PartnerProfile
        fields = ["id", "organization", "description", "themes", "districts", "capacity", "offers"]

    def get_organization(self, obj) -> dict:
        org = obj.organization
        return {"id": org.pk, "name": org.name, "kind": org.kind, "verified": org.verified}

    def get_themes(self, obj) -> list[str]:
        return [t.slug for t in obj.themes.all()]

    def get_districts(self, obj) -> list[int]:
        return [d.number for d in obj.districts.all()]


class PartnerMatchSerializer(serializers.Serializer):
    partner = PartnerSerializer(source="obj")
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class IdeaMatchSerializer(serializers.Serializer):
    idea = IdeaSerializer(source="obj")
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class ConnectionInputSerializer(serializers.Serializer):
    partner = serializers.IntegerField()
    need = serializers.IntegerField()
    message = serializers.CharField(required=False, allow_blank=True, default="")


class ConnectionDecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("accepted", "accepted"), ("declined", "declined")])


class ConnectionSerializer(serializers.ModelSerializer):
    idea = serializers.SerializerMethodField()
    need = NeedSerializer(read_only=True)
    partner = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Connection
        fields = [
            "id",
            "idea",
            "need",
            "partner",
            "initiated_by",
            "status",
            "created_at",
            "decided_at",
            "contacts",
            "url",
        ]

    def get_idea(self, obj) -> dict:
        return {"id": obj.idea_id, "title": obj.idea.title}

    def get_partner(self, obj) -> dict:
        return {"id": obj.partner_id, "name": obj.partner.organization.name}

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_contacts(self, obj):
        return selectors.contacts(obj)


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "author", "author_id", "body", "created_at"]

    def get_author(self, obj) -> str:
        return _name(obj.author)


class BodySerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    is_deleted = serializers.BooleanField(
        read_only=True, help_text="Deleted by its author: the body says so, replies stay."
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "author",
            "body",
            "is_hidden",
            "hidden_reason",
            "created_at",
            "edited_at",
            "is_deleted",
        ]

    def get_author(self, obj) -> str:
        return _name(obj.author)

    def get_body(self, obj) -> str:
        if obj.is_deleted:
            return str(_("deleted by its author"))
        return "" if obj.is_hidden else obj.body


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)
    parent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Id of the comment this one answers (a reply to a reply joins its thread).",
    )


class NewsSerializer(serializers.ModelSerializer):
    class Meta:
        model = NewsPost
        fields = ["id", "title", "body", "created_at"]


class ReportSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    comment = serializers.IntegerField(required=False, allow_null=True)


class ModerationSerializer(serializers.Serializer):
    hidden = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class MissionLinkSerializer(serializers.Serializer):
    mission_id = serializers.IntegerField()


class SupportSerializer(serializers.Serializer):
    supporters_count = serializers.IntegerField()


NEED_KINDS = NeedKind.values
