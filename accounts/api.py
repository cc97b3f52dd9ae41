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
from serving.throttling import ActionThrottled

from . import login_guard, services
from .serializers import (
    MeSerializer,
    RegisterResponseSerializer,
    TermsRegisterSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_scope = "signup"  # serving.throttling: per IP

    @extend_schema(
        request=TermsRegisterSerializer,
        responses={201: RegisterResponseSerializer},
        tags=["accounts"],
        description=(
            "Creates an unverified account and e-mails a confirmation link. The answer is the same whether or not "
            "the address is already registered (the owner of a registered address is e-mailed instead, with the "
            "way to reset the password): it never tells who has an account. If no `display_name` is given, the "
            "public name is a neutral one such as “Participant·e 4821”, never taken from the e-mail address."
        ),
    )
    def post(self, request):
        serializer = TermsRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accepted_terms = serializer.validated_data.pop("accept_terms", False)
        with transaction.atomic():  # the account and its acceptance of the terms, together
            user = services.register(
                language=(getattr(request, "LANGUAGE_CODE", "fr") or "fr")[:2],
                request=request._request,
                **serializer.validated_data,
            )
            if user is not None and accepted_terms:
                from pages.services import accept_terms

                accept_terms(user)
        detail = _("An e-mail has been sent to this address: follow it to finish signing up.")
        return Response({"detail": detail}, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_scope = "login"  # serving.throttling: per IP; accounts.login_guard: growing delays per account and address

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        tags=["accounts"],
        description=(
            "Returns the account's API token, the same one at each log-in, until the password is changed or reset "
            "or the e-mail address changes: that revokes it (answers are then 401) and a new log-in gives a new one."
        ),
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        wait = login_guard.admit(request._request, email)
        if wait is not None:
            raise ActionThrottled(wait, login_guard.refusal_message(wait))
        request._request.login_guard_admitted = True  # accounts.backends.LoginGuardBackend: counted once
        user = authenticate(request._request, username=email.lower(), password=serializer.validated_data["password"])
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong e-mail address or password."))
        login_guard.succeeded(request._request, user.email)
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
