from django.conf import settings

from . import login_guard


class LoginGuardMiddleware:
    """A log-in refused by accounts.login_guard answers 429 with Retry-After (the form says why, the e-mail typed
    stays); a successful one leaves a signed device cookie, so that the account's own devices are never slowed down
    by guesses made elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        wait = getattr(request, "login_guard_wait", None)
        if wait is not None and response.status_code == 200:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        account = getattr(request, "login_guard_device", None)
        if account is not None:
            response.set_cookie(
                login_guard.DEVICE_COOKIE,
                login_guard.device_cookie_value(request, account),
                max_age=365 * 86400,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response
