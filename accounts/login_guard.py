"""Password guessing: growing delays per account and address, never a lock-out of everyone.

Every log-in path goes through here: the web form (accounts.adapter), the token endpoint (accounts.api) and any other
caller of Django's `authenticate` (accounts.backends.LoginGuardBackend, e.g. the admin's log-in). Three counts of
attempts, each with a free allowance and then a growing delay between attempts (LOGIN_GUARD settings):
- the pair (account as typed, client address): one person mistyping their own password at a library or a city office
  slows down only themselves;
- the account, from any address: rotating addresses does not give unlimited guesses on one account. This delay
  applies only to clients the account has not logged in from before (a signed device cookie, or an address it
  logged in from): nobody can keep the owner out of their own account from elsewhere;
- the address, for any account: a machine trying many accounts from one place is slowed down there, and only there
  (and not for the accounts that already logged in from it).
A delay grows with each attempt beyond the allowance (base × 2^n, capped); a successful log-in clears the pair and
the account. The account is the e-mail as typed, normalised (unknown addresses count the same as known ones, so the
answers say nothing of which exist). Counters live in the shared cache (Redis), in each process's memory while Redis
is unreachable (serving.cache).
"""

import contextlib
import hashlib
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from serving.cache import incr_many
from serving.clientip import client_ip, counting_key

DEVICE_COOKIE = "participe_device"
_DEVICE_SALT = "accounts.login_guard.device"
_DEVICE_MAX_ACCOUNTS = 5


@dataclass(frozen=True)
class Policy:
    free: int  # attempts allowed before any delay, per window
    base: int  # seconds of the first delay
    cap: int  # longest delay, seconds
    window: int  # seconds after which the attempts are forgotten


def _policies() -> dict[str, Policy]:
    configured = getattr(settings, "LOGIN_GUARD", {})
    return {scope: Policy(**values) for scope, values in configured.items()}


def normalise_account(identifier: str | None) -> str:
    return unicodedata.normalize("NFKC", identifier or "").strip().casefold()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]  # no e-mail address in the cache's keys


def _identifier(credentials: dict) -> str:
    return normalise_account(credentials.get("email") or credentials.get("username") or credentials.get("login"))


@dataclass
class Attempt:
    """One log-in attempt of `request` on the account typed in `credentials`."""

    account: str
    address: str

    @classmethod
    def of(cls, request, identifier: str) -> "Attempt":
        return cls(_digest(normalise_account(identifier)), counting_key(client_ip(request)))

    def scopes(self) -> dict[str, str]:
        return {
            "pair": f"login:pair:{self.account}:{self.address}",
            "account": f"login:account:{self.account}",
            "address": f"login:address:{self.address}",
        }


def _trusted(request, attempt: Attempt) -> bool:
    """Whether this client logged in to this account before: a device cookie, or an address it logged in from."""
    try:
        accounts = signing.loads(request.COOKIES.get(DEVICE_COOKIE, ""), salt=_DEVICE_SALT) or []
    except signing.BadSignature:
        accounts = []
    if attempt.account in accounts:
        return True
    return attempt.address in (cache.get(f"login:known:{attempt.account}") or ())


def _delay(policy: Policy, beyond: int) -> int:
    return min(policy.cap, policy.base * 2 ** max(0, min(beyond - 1, 30)))


def admit(request, identifier: str) -> int | None:
    """Count an attempt to log in as `identifier` from this request's client; None if it may go on (the password is
    then checked), else the seconds to wait. A refused attempt is not checked and not counted."""
    policies = _policies()
    if not policies:
        return None
    attempt = Attempt.of(request, identifier)
    scopes = {name: key for name, key in attempt.scopes().items() if name in policies}
    names = list(scopes)
    # Closed gates first: a client that must wait is refused without counting.
    now = time.time()
    gates = cache.get_many([f"{scopes[name]}:gate" for name in names])
    trusted = None
    waits = []
    for name in names:
        until = gates.get(f"{scopes[name]}:gate")
        if until and until > now:
            if name != "pair":
                trusted = _trusted(request, attempt) if trusted is None else trusted
                if trusted:
                    continue
            waits.append(until - now)
    if waits:
        return max(1, round(max(waits)))
    counts = incr_many([(f"{scopes[name]}:attempts", policies[name].window) for name in names])
    for name, count in zip(names, counts, strict=True):
        policy = policies[name]
        if count > policy.free:
            # This attempt goes on; the next one from this scope waits, longer each time.
            delay = _delay(policy, count - policy.free)
            cache.set(f"{scopes[name]}:gate", now + delay, timeout=delay)
    return None


def succeeded(request, identifier: str) -> None:
    """The password was right: forget the pair's and the account's attempts; remember this address for the account."""
    if not _policies():
        return
    attempt = Attempt.of(request, identifier)
    scopes = attempt.scopes()
    cache.delete_many([f"{scopes[name]}:{part}" for name in ("pair", "account") for part in ("attempts", "gate")])
    with contextlib.suppress(ValueError):  # the address counts guesses, not the residents who log in from it
        cache.decr(f"{scopes['address']}:attempts")
    known_key = f"login:known:{attempt.account}"
    known = [address for address in (cache.get(known_key) or ()) if address != attempt.address]
    cache.set(known_key, [attempt.address, *known][:20], timeout=90 * 86400)
    request.login_guard_device = attempt.account  # accounts.middleware.LoginGuardMiddleware sets the cookie


def device_cookie_value(request, account: str) -> str:
    try:
        accounts = signing.loads(request.COOKIES.get(DEVICE_COOKIE, ""), salt=_DEVICE_SALT) or []
    except signing.BadSignature:
        accounts = []
    accounts = [account, *(a for a in accounts if a != account)][:_DEVICE_MAX_ACCOUNTS]
    return signing.dumps(accounts, salt=_DEVICE_SALT)


def identifier_of(credentials: dict) -> str:
    return _identifier(credentials)


def refusal_message(wait: int) -> str:
    from django.utils.translation import gettext

    from serving.throttling import human_delay

    return gettext(
        "Too many log-in attempts on this account from your connection. Please try again in %(delay)s, "
        "or reset your password."
    ) % {"delay": human_delay(wait)}
