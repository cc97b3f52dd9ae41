from django.contrib.gis.geos import Point
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from serving.cache import cache_status
from serving.realtime import channel_layer_status

from . import follows, geocoding
from .models import Notification, Theme
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
            OpenApiParameter(
                "q",
                # 2 to 200 characters once trimmed: two non-blank characters at least
                {"type": "string", "minLength": 2, "maxLength": 200, "pattern": r"\S[\s\S]*\S"},
                required=True,
                description="An address, a place, or 'lat, lon' / 'lon,lat'",
            ),
            OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": 10}, description="1–10 (default 5)"),
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


class PlaceReverse(APIView):
    """Words for a point chosen on a map (what a picker shows in the place field): 404 outside Paris."""

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", {"type": "number", "minimum": -180, "maximum": 180}, required=True),
            OpenApiParameter("lat", {"type": "number", "minimum": -90, "maximum": 90}, required=True),
        ],
        responses={200: PlaceSerializer, 404: OpenApiResponse(description="The point is not in Paris")},
    )
    def get(self, request):
        errors = {}
        values = {}
        for name, bound in (("lon", 180), ("lat", 90)):
            try:
                values[name] = float(request.query_params.get(name, ""))
            except ValueError:
                errors[name] = [_("Give a number.")]
                continue
            if not -bound <= values[name] <= bound:
                errors[name] = [_("Give a number between %(min)d and %(max)d.") % {"min": -bound, "max": bound}]
        if errors:
            raise ValidationError(errors)
        match = geocoding.reverse(Point(values["lon"], values["lat"], srid=4326))
        if match is None:
            raise NotFound(_("This point is outside Paris."))
        return Response(match.as_dict())


class NotificationList(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self):
        return self.request.user.notifications.all()


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()


class FollowView(APIView):
    """Follow (PUT), unfollow (DELETE) or ask (GET) about a proposal, an idea, a mission or a strategy section."""

    permission_classes = [permissions.IsAuthenticated]

    def _target(self, kind, pk):
        target = follows.followable(kind, pk)
        if target is None:
            raise NotFound(_("Not found."))
        return target

    @extend_schema(responses={200: FollowSerializer})
    def get(self, request, kind, pk):
        return Response({"following": follows.is_following(request.user, self._target(kind, pk))})

    @extend_schema(request=None, responses={200: FollowSerializer})
    def put(self, request, kind, pk):
        follows.follow(request.user, self._target(kind, pk))
        return Response({"following": True})

    @extend_schema(request=None, responses={200: FollowSerializer})
    def delete(self, request, kind, pk):
        follows.unfollow(request.user, self._target(kind, pk))
        return Response({"following": False})


class NotificationsReadAll(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="All notifications marked read")})
    def post(self, request):
        request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    responses={
        200: OpenApiResponse(
            description="Health: `database` ok|unavailable (503 when unavailable), `channel_layer` ok|unavailable (live "
            "updates off), `cache` ok|per-process (Redis unreachable: cache, rate limits and log-in counters kept "
            "in each worker's memory)|local (no Redis configured), `status` ok|degraded"
        )
    }
)
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def healthz(request):
    database = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001
        database = "unavailable"
    body = {"database": database, "channel_layer": channel_layer_status(), "cache": cache_status()}
    body["status"] = "ok" if body["channel_layer"] == "ok" and body["cache"] != "per-process" else "degraded"
    body["time"] = timezone.now().isoformat()
    return Response(body, status=200 if database == "ok" else 503)
