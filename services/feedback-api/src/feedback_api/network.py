"""The client's network, as far as feedback-api may know it, for the one-network burst rule.

Behind the gateway the peer is the gateway itself; the gateway forwards X-Forwarded-For. Its first hop
is taken as the client only when settings say so (FEEDBACK_TRUST_FORWARDED), since anyone can send the
header. The network is the /24 (IPv4) or /64 (IPv6) around the address; only a hash of it is stored."""

from __future__ import annotations

import functools
import hashlib
import ipaddress

from fastapi import Request


def client_address(request: Request, *, trust_forwarded: bool) -> str | None:
    if trust_forwarded:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",", 1)[0].strip() or None
    return request.client.host if request.client else None


@functools.lru_cache(maxsize=4096)  # on every rating: the same few networks, parsed and hashed once
def network_of(address: str | None) -> str | None:
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 64
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    return hashlib.sha256(str(network).encode()).hexdigest()[:32]


def client_network(request: Request, *, trust_forwarded: bool) -> str | None:
    return network_of(client_address(request, trust_forwarded=trust_forwarded))
