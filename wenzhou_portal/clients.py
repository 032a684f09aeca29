"""Who is asking: the client's address behind our own proxies, and keyed hashes of it.

Every per-client limit, the audit log and the request log read the client from here;
nothing else reads ``REMOTE_ADDR``. Behind ``PROXY_COUNT`` trusted reverse proxies the
client is the address the outermost of them appended to ``X-Forwarded-For``: entries to
its left were written by the client and are ignored, so a forged header changes nothing.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104  a placeholder for "no address", never bound
_CACHE_ATTRIBUTE = "_portal_client_ip"


def _parse_address(value: str) -> str | None:
    """The address in one header entry, or None: ports and IPv6 brackets are dropped."""
    value = value.strip()
    if value.startswith("["):  # "[2001:db8::1]:443"
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # "203.0.113.7:5678"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_ip(request: HttpRequest | None) -> str:
    """The client's address, honouring PROXY_COUNT trusted proxies in front of the app."""
    if request is None:
        return UNKNOWN_ADDRESS
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    address = _parse_address(request.META.get("REMOTE_ADDR", "")) or UNKNOWN_ADDRESS
    proxies = settings.PROXY_COUNT
    if proxies > 0:
        forwarded = [
            entry
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        # Fewer entries than proxies means the request did not come through all of them;
        # then the socket address is the only one we can trust.
        if len(forwarded) >= proxies:
            address = _parse_address(forwarded[-proxies]) or address
    setattr(request, _CACHE_ATTRIBUTE, address)
    return address


def client_network(address: str) -> str:
    """The unit a limit counts: the address itself, or its /64 for IPv6.

    One IPv6 subscriber is routinely given a whole /64, so counting single addresses
    would let one phone take 2^64 budgets.
    """
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_hash(request: HttpRequest) -> str:
    """A keyed hash of the client's network: safe in cache keys and logs, useless elsewhere."""
    network = client_network(client_ip(request))
    return salted_hmac("wenzhou_portal.clients", network, algorithm="sha256").hexdigest()[:32]


def device_hash(request: HttpRequest) -> str:
    """A keyed hash of the client's address and browser: tells devices apart, no more."""
    raw = client_ip(request) + "|" + request.headers.get("user-agent", "")[:100]
    return salted_hmac("wenzhou_portal.clients.device", raw, algorithm="sha256").hexdigest()
