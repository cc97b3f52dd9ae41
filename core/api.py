from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response
from rest_framework.views import APIView

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
        responses={200: DistrictSerializer(many=True)},
        description="GeoJSON FeatureCollection of the 20 arrondissements.",
    )
    def get(self, request):
        data = districts_geojson_cached(lambda qs: DistrictSerializer(qs, many=True).data)
        return Response(data)


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
