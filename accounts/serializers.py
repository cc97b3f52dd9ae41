from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from core.models import District

from .models import Membership, Organization, User


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, min_length=8, max_length=128, style={"input_type": "password"})
    display_name = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text="Public name shown next to contributions; a neutral one (“Participant·e 4821”) if empty.",
    )


class RegisterResponseSerializer(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema_serializer(component_name="Register")  # the schema's name for the registration body, as before
class TermsRegisterSerializer(RegisterSerializer):
    """Registration with the terms of use: `accept_terms: true` records the current version on the account; false is
    refused. Omitted, the account is created as the v1 contract says and asked to accept the terms at its first
    log-in (pages.selectors.must_accept_terms)."""

    # allow_null: in a form-encoded body an absent box is "not said" (None), not "refused" (DRF's default for HTML input)
    accept_terms = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: the account accepts the terms of use."
    )

    def validate_accept_terms(self, value):
        if value is False:
            raise serializers.ValidationError(_("You must accept the terms of use to create an account."))
        return value


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, max_length=128)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    organization_kind = serializers.CharField(source="organization.kind")
    organization_verified = serializers.BooleanField(source="organization.verified")

    class Meta:
        model = Membership
        fields = ["organization", "organization_name", "organization_kind", "organization_verified", "role"]


class MeSerializer(serializers.ModelSerializer):
    verified = serializers.BooleanField(source="email_verified", read_only=True)
    team = serializers.BooleanField(source="is_team", read_only=True)
    referent_themes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    memberships = MembershipSerializer(many=True, read_only=True)
    home_district = serializers.SlugRelatedField(
        slug_field="number",
        queryset=District.objects.all(),
        allow_null=True,
        required=False,
        help_text="Arrondissement of residence (1–20), declared to vote in the participatory budget.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "preferred_language",
            "home_district",
            "verified",
            "team",
            "referent_themes",
            "memberships",
            "date_joined",
        ]
        read_only_fields = ["id", "email", "date_joined"]


class OrganizationSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "kind", "description", "website", "district", "verified"]
        read_only_fields = ["slug", "verified"]
        extra_kwargs = {"name": {"error_messages": {"unique": _("An organisation with this name already exists.")}}}
