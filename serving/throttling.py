"""Rate limits per action — vote, propose, comment, apply, message, signup, login — for the API and the pages alike.

One allowance per action, counted in the shared cache (Redis in production, so every worker sees it): a resident who
votes through the page and through the API uses the same counter.
- API views declare the action with DRF's attribute, `throttle_scope = "vote"`; `RequestThrottle` (installed in
  REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]) applies it, with the global per-client rate of every API request;
  a refusal is a 429 `{"detail": ...}` with Retry-After.
- Page views are decorated with `@throttle("vote")`; a refusal renders templates/429.html, which says when to retry
  and keeps what the user typed so that nothing is lost.
Only writes count (POST, PUT, PATCH, DELETE). Each action has a rate per account and one per IP address
(settings.THROTTLE_ACTIONS, from THROTTLE_<ACTION> and THROTTLE_<ACTION>_IP): "N/period" where period is s, min, h
or d, optionally with a multiple ("5/10min"); several windows separated by commas ("300/min,1500/h"); "" = no limit.
"""

import logging
import math
import re
import time
from functools import lru_cache, wraps

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from .cache import incr_many
from .clientip import client_ip, counting_key

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Why the request was refused, in a sentence for the person; "when to retry" is added after it.
REASONS = {
    "vote": _("You have voted many times in a short while."),
    "propose": _("You have published many contributions in a short while."),
    "comment": _("You have written many comments in a short while."),
    "apply": _("You have sent many applications in a short while."),
    "message": _("You have sent many messages in a short while."),
    "signup": _("Many accounts have been created from your network in a short while."),
    "login": _("Many log-in attempts have come from your network in a short while."),
}

# DRF's spellings too ("100/minute", "10/second", "1000/day"), in the singular or the plural.
_UNITS = {
    **dict.fromkeys(("s", "sec", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


@lru_cache(maxsize=64)
def parse_rates(rates: str) -> tuple[tuple[int, int], ...]:
    """'300/min,1500/h' → ((300, 60), (1500, 3600)): (requests allowed, window in seconds)."""
    parsed = []
    for rate in filter(None, (part.strip() for part in (rates or "").split(","))):
        match = _RATE.match(rate.lower())
        if not match or match.group(3) not in _UNITS:
            raise ValueError(f"Invalid rate {rate!r}: expected N/period, e.g. 60/min, 5/10min, 1000/h")
        multiple = int(match.group(2) or 1)
        parsed.append((int(match.group(1)), multiple * _UNITS[match.group(3)]))
    return tuple(parsed)


def action_keys(request, action: str) -> list[tuple[str, str]]:
    """(counter key, rates) of `action` for this request: per account and per IP address; none for a read."""
    if request.method not in WRITE_METHODS:
        return []
    config = settings.THROTTLE_ACTIONS.get(action)
    if config is None:
        raise KeyError(f"Unknown rate-limited action {action!r}; add it to settings.THROTTLE_ACTIONS")
    keys = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and config.get("account"):
        keys.append((f"{action}:account:{user.pk}", config["account"]))
    if config.get("ip"):
        ip = client_ip(request)
        if ip not in settings.THROTTLE_EXEMPT_IPS:
            keys.append((f"{action}:ip:{counting_key(ip)}", config["ip"]))
    return keys


def waits(groups: dict[str, list[tuple[str, str]]]) -> dict[str, int]:
    """Count this request in every window of every group of (key, rates), in one cache round trip; return the
    groups over a limit with the seconds to wait. A cache outage refuses nobody (it is logged)."""
    now = time.time()
    # Fixed windows: one counter per key, window length and window number (atomic increments, shared by workers).
    windows = [
        (group, limit, window, f"throttle:{key}:{window}:{int(now // window)}")
        for group, keys in groups.items()
        for key, rates in keys
        for limit, window in parse_rates(rates)
    ]
    if not windows:
        return {}
    try:
        counts = incr_many([(counter, window + 1) for _group, _limit, window, counter in windows])
    except Exception:  # noqa: BLE001 - a cache outage must not refuse residents; it is logged
        logger.warning("Rate limits %s not applied: cache unavailable", ", ".join(groups), exc_info=True)
        return {}
    over = {}
    for (group, limit, window, _counter), count in zip(windows, counts, strict=True):
        if count > limit:
            wait = max(1, math.ceil((now // window + 1) * window - now))
            over[group] = max(over.get(group, 0), wait)
    return over


def check(request, action: str) -> int | None:
    """Count this request against `action`'s limits: None if allowed, else the seconds to wait."""
    wait = waits({action: action_keys(request, action)}).get(action)
    if wait is not None:
        logger.info("Rate limit %s reached for %s", action, request.path)
    return wait


def human_delay(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    if seconds < 3600:
        minutes = math.ceil(seconds / 60)
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = math.ceil(seconds / 3600)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def refusal_message(action: str, wait: int) -> str:
    retry = gettext("Please try again in %(delay)s.") % {"delay": human_delay(wait)}
    return f"{REASONS.get(action, _('Too many requests.'))} {retry}"


class ActionThrottled(Throttled):
    """A 429 whose detail says which action was limited (serving.rest.exception_handler keeps it)."""

    def __init__(self, wait: int, message: str):
        super().__init__(detail=message)  # without DRF's English "Expected available in N seconds."
        self.wait = wait


class RequestThrottle(BaseThrottle):
    """DRF side, the only throttle class installed (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]):
    - every API request counts against the global rate of its client: "user" per account, "anon" per IP address
      (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "" = none, as in tests);
    - a write to a view with `throttle_scope = "<action>"` counts against that action's limits as well;
    all of it in one cache round trip (DRF's own throttles cost two each, and pickle a list of timestamps)."""

    def __init__(self):
        self._wait = None

    def allow_request(self, request, view):
        user = request.user
        if user.is_authenticated:
            groups = {"": [(f"user:{user.pk}", api_settings.DEFAULT_THROTTLE_RATES.get("user") or "")]}
        else:
            groups = {
                "": [
                    (f"anon:{counting_key(client_ip(request))}", api_settings.DEFAULT_THROTTLE_RATES.get("anon") or "")
                ]
            }
        action = getattr(view, "throttle_scope", None)
        if action:
            groups[action] = action_keys(request, action)
        over = waits(groups)
        if action in over:
            logger.info("Rate limit %s reached for %s", action, request.path)
            raise ActionThrottled(over[action], refusal_message(action, over[action]))
        self._wait = over.get("")
        return self._wait is None

    def wait(self):
        return self._wait


def throttle(action: str):
    """Page side: `@throttle("comment")` on a view; a refused POST gets the 429 page, the view does not run."""
    if action not in REASONS:
        raise ValueError(f"Unknown rate-limited action {action!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            wait = check(request, action)
            if wait is None:
                return view(request, *args, **kwargs)
            return too_many_requests_page(request, action, wait)

        return wrapper

    return decorator


def too_many_requests_page(request, action: str, wait: int):
    """429 page: when to retry, what the user typed (to copy), and a button that sends the same form again."""
    # (name, value, multi-line): a multi-line text goes back in a hidden textarea, which keeps its line breaks.
    fields = [
        (name, value, "\n" in value)
        for name, values in request.POST.lists()
        for value in values
        if name != "csrfmiddlewaretoken"
    ]
    typed = [
        value for name, value, _multiline in fields if name != "next" and (" " in value.strip() or len(value) > 40)
    ]
    response = render(
        request,
        "429.html",
        {
            "message": refusal_message(action, wait),
            "retry_after": wait,
            "fields": fields,
            "typed": typed,
            "had_files": bool(request.FILES),
            "retry_url": request.get_full_path(),
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
