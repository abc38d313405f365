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


def network_of(address: str | None) -> str | None:
    """The hashed network of an address; None when there is none or it is not an IP address."""
    if not address:
        return None
    parts = address.split(".")
    if len(parts) == 4 and all(_octet(p) for p in parts):
        # a dotted IPv4 address (the usual case), read without the ipaddress module: on every rating,
        # from more residents' addresses than a cache of addresses would hold
        return _hashed(f"{parts[0]}.{parts[1]}.{parts[2]}.0/24")
    return _network_of_other(address)


def _octet(part: str) -> bool:
    # as ipaddress reads them: 0-255, ASCII digits, no leading zero
    return (
        part.isascii()
        and part.isdigit()
        and len(part) <= 3
        and int(part) <= 255
        and (part == "0" or part[0] != "0")
    )


@functools.lru_cache(maxsize=4096)
def _network_of_other(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 64
    return _hashed(str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False)))


@functools.lru_cache(maxsize=4096)  # the same few networks, hashed once
def _hashed(network: str) -> str:
    return hashlib.sha256(network.encode()).hexdigest()[:32]


def client_network(request: Request, *, trust_forwarded: bool) -> str | None:
    return network_of(client_address(request, trust_forwarded=trust_forwarded))
