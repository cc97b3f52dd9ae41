from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import login_guard


class LoginGuardBackend:
    """First of AUTHENTICATION_BACKENDS: every password check of Django's `authenticate` with a request (the admin's
    log-in, any future form) is admitted by accounts.login_guard first. The web form (accounts.adapter) and the token
    endpoint (accounts.api) admit their attempts themselves, to answer with their own message, and mark them."""

    def authenticate(self, request, **credentials):
        if request is None or getattr(request, "login_guard_admitted", False):
            return None
        request.login_guard_admitted = True
        wait = login_guard.admit(request, login_guard.identifier_of(credentials))
        if wait is not None:
            request.login_guard_wait = wait
            raise PermissionDenied  # stops the other backends: the password is not checked
        return None

    def get_user(self, user_id):
        # Being first, it is the backend Django records for sessions opened without one (Client.force_login).
        return ModelBackend().get_user(user_id)
