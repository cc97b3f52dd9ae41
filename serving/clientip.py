"""The client's address: what the server saw, unless proxies are declared. The one place that decides it.

Used by the rate limits (serving.throttling), the log-in guard (accounts.login_guard) and anything else that records or
counts an address. Without `NUM_PROXIES` only the connection's address counts: `X-Forwarded-For` is a header any
client can write, and trusting it let anyone pick a new address, and a fresh allowance, at each request. With
`NUM_PROXIES=N` (N reverse proxies of our own in front of the server), each proxy appends the address it saw, so the
client is the N-th address from the right; fewer entries than proxies means the header was not written by them all,
and the leftmost (the one the outermost proxy saw) is taken. uvicorn's own proxy-header rewriting is off
(scripts/serve_prod.sh) so that it cannot disagree with this.
"""

import ipaddress

from django.conf import settings


def _valid(candidate: str) -> str | None:
    candidate = candidate.strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def from_meta(remote_addr: str | None, forwarded_for: str | None) -> str:
    proxies = getattr(settings, "NUM_PROXIES", 0) or 0
    if proxies > 0 and forwarded_for:
        chain = [part for part in forwarded_for.split(",") if part.strip()]
        if chain:
            address = _valid(chain[-min(proxies, len(chain))])
            if address:
                return address
    return _valid(remote_addr or "") or "unknown"


def client_ip(request) -> str:
    """The address of the client of a Django (or DRF) request, as a normalised string ("unknown" if none)."""
    meta = request.META
    return from_meta(meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR"))


def scope_client_ip(scope) -> str:
    """The same for an ASGI scope (WebSocket consumers)."""
    client = scope.get("client") or (None, None)
    forwarded = None
    for name, value in scope.get("headers") or []:
        if name == b"x-forwarded-for":
            forwarded = value.decode("latin-1")
    return from_meta(client[0], forwarded)


def counting_key(address: str) -> str:
    """The unit an address is counted in: an IPv6 client usually holds a whole /64, so it counts as one."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address) + "/64"
    return str(parsed)
