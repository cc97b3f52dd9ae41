from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import geocoding
from .models import Notification, Theme
from .realtime import channel_layer_status
from .selectors import districts_geojson_cached
from .serializers import DistrictSerializer, NotificationSerializer, ThemeSerializer


class ThemeList(generics.ListAPIView):
    queryset = Theme.objects.all()
    serializer_class = ThemeSerializer
    pagination_class = None


class DistrictList(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("simplified", bool, description="Borders simplified to about 15 m (a map's base layer)")
        ],
        responses={200: DistrictSerializer(many=True)},
        description="GeoJSON FeatureCollection of the 20 arrondissements.",
    )
    def get(self, request):
        simplified = request.query_params.get("simplified") in ("1", "true", "yes")
        data = districts_geojson_cached(lambda qs: DistrictSerializer(qs, many=True).data, simplified=simplified)
        return Response(data)


class PlaceSerializer(serializers.Serializer):
    label = serializers.CharField()
    kind = serializers.CharField()
    district = serializers.IntegerField(allow_null=True)
    geometry = serializers.DictField(help_text="GeoJSON Point (lon, lat)")


class PlaceSearch(APIView):
    """Address and place search inside Paris: what the map and the mission search use instead of coordinates."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="An address, a place, or 'lat, lon' / 'lon,lat'"),
            OpenApiParameter("limit", int, description="1–10 (default 5)"),
        ],
        responses={200: PlaceSerializer(many=True)},
    )
    def get(self, request):
        text = (request.query_params.get("q") or "").strip()
        if len(text) < geocoding.MIN_QUERY or len(text) > geocoding.MAX_QUERY:
            raise ValidationError(
                {
                    "q": [
                        _("Type between %(min)d and %(max)d characters.")
                        % {"min": geocoding.MIN_QUERY, "max": geocoding.MAX_QUERY}
                    ]
                }
            )
        try:
            limit = min(10, max(1, int(request.query_params.get("limit") or 5)))
        except ValueError:
            raise ValidationError({"limit": [_("limit must be a whole number.")]}) from None
        return Response([match.as_dict() for match in geocoding.geocode(text, limit=limit)])


class NotificationList(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self):
        return self.request.user.notifications.all()


class NotificationsReadAll(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="All notifications marked read")})
    def post(self, request):
        request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(responses={200: OpenApiResponse(description="Health of the database and the channel layer")})
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def healthz(request):
    database = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001
        database = "unavailable"
    body = {"database": database, "channel_layer": channel_layer_status(), "time": timezone.now().isoformat()}
    return Response(body, status=200 if database == "ok" else 503)
