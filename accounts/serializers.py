from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Membership, Organization, User


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, min_length=8, max_length=128, style={"input_type": "password"})
    display_name = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")


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

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "preferred_language",
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
