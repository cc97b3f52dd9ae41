"""DRF plumbing shared by every app: pagination, the contract's error format, rule-based permissions.

The sentence of a refusal (`require_perm`) is the project's: settings.SERVING_REFUSAL_REASON names the function that
writes it from the account (accounts.rules.refusal_reason); serving/ knows no account rule."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .throttling import ActionThrottled

logger = logging.getLogger(__name__)


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        page = request.query_params.get(self.page_query_param) or 1
        try:
            return max(1, int(page))
        except (TypeError, ValueError):
            raise exceptions.ValidationError({"page": [_("Page must be a positive whole number.")]}) from None

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise exceptions.ValidationError({"page_size": [_("page_size must be a whole number.")]}) from None
        if size < 1:
            raise exceptions.ValidationError({"page_size": [_("page_size must be at least 1.")]})
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            raise exceptions.NotFound(_("This page does not exist.")) from None


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This action conflicts with the current state.")
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The service is temporarily unavailable. Please try again in a moment.")
    default_code = "unavailable"


def _as_lists(value):
    if isinstance(value, dict):
        return {str(k): _as_lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        flat = []
        for item in value:
            if isinstance(item, dict):
                flat.append(_as_lists(item))
            else:
                flat.extend(_as_lists(item) if isinstance(item, list | tuple) else [str(item)])
        return flat
    return [str(value)]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, OperationalError | InterfaceError):
        logger.warning("Database unavailable", exc_info=True)
        exc = ServiceUnavailable()
    elif isinstance(exc, DatabaseError):
        logger.exception("Database error")
        exc = exceptions.ValidationError({"non_field_errors": [_("These data could not be saved.")]})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": gettext("Some of the data are invalid."), "errors": _as_lists(errors)}
    elif isinstance(exc, ActionThrottled):  # a per-action limit (serving.throttling) says which action
        response.data = {"detail": str(exc.detail)}
    elif isinstance(exc, exceptions.Throttled):
        response.data = {
            "detail": gettext("Too many requests. Please wait %(seconds)s seconds and try again.")
            % {"seconds": int(exc.wait or 1)}
        }
    elif isinstance(exc, exceptions.NotAuthenticated):
        response.data = {"detail": gettext("You need to log in to do this.")}
        response.status_code = status.HTTP_401_UNAUTHORIZED if response.status_code == 401 else response.status_code
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else response.data
        response.data = {"detail": str(detail)}
    return response


class RulePermission(permissions.BasePermission):
    """Ask a named django-rules permission; its message says why a refusal happened."""

    perm: str = ""
    object_perm: bool = False

    def has_permission(self, request, view):
        if self.object_perm:
            return True
        return request.user.has_perm(self.perm)

    def has_object_permission(self, request, view, obj):
        if not self.object_perm:
            return True
        return request.user.has_perm(self.perm, obj)


def require_perm(user, perm: str, obj=None, message=None):
    """Raise 401/403 with a sentence the user understands unless `user` has `perm`."""
    if user.has_perm(perm, obj):
        return
    if not user.is_authenticated:
        raise exceptions.NotAuthenticated()
    if not message and getattr(settings, "SERVING_REFUSAL_REASON", None):
        message = import_string(settings.SERVING_REFUSAL_REASON)(user)
    raise exceptions.PermissionDenied(message)


def json_error_response(status_code: int, detail) -> Response:
    return Response({"detail": str(detail)}, status=status_code)
