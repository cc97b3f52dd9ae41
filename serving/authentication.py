"""API token authentication: DRF's, answering the same, with the account read in one plain SQL statement.

DRF looks the token up with `Token.objects.select_related("user").get(key=...)`; building that join through the ORM
cost 0.9 ms of CPU on every API request, a fifth of a whole vote (bench/mapvotes_bench.py). The statement below is
the same join, written once per process from the models' own metadata and prepared on each pooled connection
(serving/db.py), and its row is read straight into the two model instances (`Model.from_db`, as the ORM itself does), so that `request.user` and `request.auth` are what DRF
would have given.
"""

from functools import cache

from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions

from .db import prepared_cursor


@cache
def _statement(token_model, alias):
    user_model = token_model._meta.get_field("user").related_model
    q = connections[alias].ops.quote_name
    token_fields = [f.attname for f in token_model._meta.concrete_fields]
    user_fields = [f.attname for f in user_model._meta.concrete_fields]
    token_columns = [f"t.{q(f.column)}" for f in token_model._meta.concrete_fields]
    user_columns = [f"u.{q(f.column)}" for f in user_model._meta.concrete_fields]
    # Identifiers from the models' metadata, quoted; the key is a parameter.
    columns = ", ".join(token_columns + user_columns)
    token_table, user_table = q(token_model._meta.db_table), q(user_model._meta.db_table)
    user_id, user_pk = q(token_model._meta.get_field("user").column), q(user_model._meta.pk.column)
    sql = f"SELECT {columns} FROM {token_table} t JOIN {user_table} u ON u.{user_pk} = t.{user_id} WHERE t.{q(token_model._meta.pk.column)} = %s"  # noqa: S608, E501
    return sql, user_model, token_fields, user_fields


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        token_model = self.get_model()
        alias = router.db_for_read(token_model)
        sql, user_model, token_fields, user_fields = _statement(token_model, alias)
        with prepared_cursor(alias) as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = token_model.from_db(alias, token_fields, row[: len(token_fields)])
        user = user_model.from_db(alias, user_fields, row[len(token_fields) :])
        token.user = user  # as select_related would have cached it
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token


# The refusal of a write without its CSRF token, for the pages and the API alike (DRF's own says "CSRF Failed: …" in
# English only).
CSRF_REFUSAL = _(
    "This form has expired or came from another site: nothing was saved. Reload the page, then send it again."
)


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(CSRF_REFUSAL) from None


class FrenchSessionScheme(SessionScheme):
    """The OpenAPI schema describes it as DRF's session scheme ("cookieAuth"): only its refusal's words differ."""

    target_class = "serving.authentication.SessionAuthentication"
