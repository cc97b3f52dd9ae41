from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.views import APIView

from core import gdpr

from . import services
from .serializers import MeSerializer, RegisterSerializer, TokenRequestSerializer, TokenSerializer


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_scope = "signup"  # core.throttling: per IP

    @extend_schema(request=RegisterSerializer, responses={201: MeSerializer}, tags=["accounts"])
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.register(
            language=(getattr(request, "LANGUAGE_CODE", "fr") or "fr")[:2], **serializer.validated_data
        )
        from allauth.account.models import EmailAddress

        address = EmailAddress.objects.get(user=user, email=user.email)
        transaction.on_commit(lambda: address.send_confirmation(request._request, signup=True))
        return Response(MeSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_scope = "login"  # core.throttling: per IP; django-axes locks an account out after repeated failures

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, tags=["accounts"])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["email"].lower(),
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong e-mail address or password."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(generics.RetrieveUpdateDestroyAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self):
        return self.request.user

    @extend_schema(tags=["accounts"], responses={204: OpenApiResponse(description="Account deleted")})
    def delete(self, request, *args, **kwargs):
        services.delete_account(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["accounts"], responses={200: OpenApiResponse(description="All of the account's data")})
    def get(self, request):
        response = Response(gdpr.export(request.user))
        response["Content-Disposition"] = 'attachment; filename="participe-export.json"'
        return response
