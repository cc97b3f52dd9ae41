from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from .models import District, Notification, Theme


class ThemeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="label")

    class Meta:
        model = Theme
        fields = ["slug", "name", "color"]


class DistrictSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = District
        geo_field = "geometry"
        fields = ["number", "insee", "name", "official_name", "approximate"]


class NotificationSerializer(serializers.ModelSerializer):
    # Rendered in the language of the request from the stored message keys.
    title = serializers.CharField(source="display_title", read_only=True)
    body = serializers.CharField(source="display_body", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read"]

    def get_read(self, obj) -> bool:
        return obj.read_at is not None
