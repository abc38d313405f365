"""Where webhooks may go: public addresses only (no SSRF into the platform's own networks).

A webhook URL is judged by the addresses its host resolves to, not by its spelling, and the
delivery connects to exactly the address that was judged (`resolve_webhook_target` →
`WebhookTarget.pinned_url`), so a name that resolves to a public address when checked and to a
private one a moment later (DNS rebinding) cannot steer a delivery inside.

Refused, unless settings allow private URLs (development and tests):

- every address that is not globally reachable: private, loopback, link-local, CGNAT
  (100.64.0.0/10), documentation and benchmarking ranges, reserved, unspecified, multicast,
  broadcast, unique-local IPv6;
- the cloud metadata endpoints, whatever range they sit in (169.254.169.254, fd00:ec2::254,
  100.100.100.200, Azure's 168.63.129.16) and their names (metadata.google.internal, ...);
- IPv6 addresses that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4
  2002::/16, Teredo 2001::/32) are judged by the IPv4 address they carry; local-use NAT64
  (64:ff9b:1::/48) is not globally reachable and is refused outright;
- names that only make sense inside a network: single-label names (``gateway``, ``postgres``:
  resolved through search domains), ``localhost`` and reserved private-use suffixes (``.local``,
  ``.internal``, ``.home.arpa``, ...).

What a refusal says names the host the subscriber gave, never the address it resolved to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from service_kit.problems import RuleViolation

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud metadata services: refused by address even where the range itself would pass.
METADATA_ADDRESSES: frozenset[Address] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean ...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wire server (a public address)
        "192.0.0.192",  # Oracle Cloud
    )
)
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.com",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com",
        "metadata.platformequinix.com",
    }
)
#: Suffixes reserved or commonly used for names that exist only inside a network.
PRIVATE_SUFFIXES = (
    ".localhost",
    ".local",
    ".internal",
    ".localdomain",
    ".home.arpa",
    ".intranet",
    ".corp",
    ".lan",
    ".home",
    ".private",
    ".svc",
    ".cluster.local",
)
#: Ranges refused besides what `ipaddress` calls non-global (which lets these through).
EXTRA_REFUSED: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
    ipaddress.ip_network("192.88.99.0/24"),  # 6to4 relay anycast (deprecated)
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215)
    ipaddress.ip_network("2001:db8::/32"),  # documentation
    ipaddress.ip_network("100::/64"),  # discard-only
    ipaddress.ip_network("ff00::/8"),  # multicast
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
TEREDO = ipaddress.ip_network("2001::/32")

#: ``(host, port) -> [address, ...]``; replaced in tests to answer with any range.
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


# Module-level so tests can answer with any address without any traffic leaving the machine.
resolver: Resolver = system_resolver


def refusal(ip: Address) -> str | None:
    """Why `ip` is not a public destination, or None when it is."""
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped (link-local) address"
        bare = ipaddress.IPv6Address(int(ip))
        if bare in IPV4_MAPPED:
            return _embedded(ipaddress.IPv4Address(int(bare) & 0xFFFFFFFF))
        if bare in NAT64:
            return _embedded(ipaddress.IPv4Address(int(bare) & 0xFFFFFFFF))
        if bare in SIX_TO_FOUR:
            return _embedded(ipaddress.IPv4Address((int(bare) >> 80) & 0xFFFFFFFF))
        if bare in TEREDO:
            server, client = bare.teredo  # type: ignore[misc]
            return _embedded(server) or _embedded(client)
        ip = bare
    if any(ip in net for net in EXTRA_REFUSED if net.version == ip.version):
        return "a reserved address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if not ip.is_global:
        return "a private or reserved address"
    return None


def _embedded(ip: ipaddress.IPv4Address) -> str | None:
    why = refusal(ip)
    return f"an IPv6 address carrying {why}" if why else None


def name_refusal(host: str) -> str | None:
    """Why a host name (not an address literal) cannot be a public webhook host, or None."""
    name = host.rstrip(".").lower()
    if name in METADATA_NAMES:
        return "a cloud metadata name"
    if name == "localhost" or name.endswith(PRIVATE_SUFFIXES):
        return "a name that exists only inside a network"
    if "." not in name:
        return "a single-label name (give the fully qualified domain name)"
    return None


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """A webhook URL and the one address a delivery to it connects to."""

    url: str
    scheme: str
    host: str  # as written in the URL (what Host and TLS SNI carry)
    port: int
    address: str  # the address that was judged

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def pinned_url(self) -> str:
        """The URL with its host replaced by the judged address (path and query kept)."""
        parts = urlsplit(self.url)
        address = f"[{self.address}]" if ":" in self.address else self.address
        return urlunsplit((parts.scheme, f"{address}:{self.port}", parts.path or "/", parts.query, ""))


def _bad(message: str, code: str = "webhook-url") -> RuleViolation:
    return RuleViolation("url", message, code=code)


async def resolve_webhook_target(url: str, *, allow_private: bool) -> WebhookTarget:
    """Resolve the URL's host once and judge every address it resolves to; the target connects
    to the first. Raises RuleViolation (field `url`) for a URL that may not receive webhooks."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _bad("A webhook URL needs a valid host and port.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise _bad("A webhook URL must be http(s) with a host.")
    host = parts.hostname
    port = port or (443 if scheme == "https" else 80)
    not_public = f"{host} is not a public address; webhooks go to public addresses only."
    literal: Address | None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is None and not allow_private:
        why = name_refusal(host)
        if why:
            raise _bad(f"{host} is {why}; webhooks go to public addresses only.", "webhook-url-private")
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = await resolver(host, port)
        except (OSError, UnicodeError) as exc:
            # Said the same way as a private answer: whether a name resolves inside the platform's
            # network is not the subscriber's to learn.
            raise _bad(f"{host} does not resolve to a public address.", "webhook-url-private") from exc
    if not addresses:
        raise _bad(f"{host} does not resolve to a public address.", "webhook-url-private")
    judged: list[Address] = []
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError as exc:
            raise _bad(not_public, "webhook-url-private") from exc
        if not allow_private and refusal(ip) is not None:
            if literal is not None:
                raise _bad(f"{host} is {refusal(ip)}; webhooks go to public addresses only.", "webhook-url-private")
            raise _bad(f"{host} does not resolve to a public address.", "webhook-url-private")
        judged.append(ip)
    first = judged[0]
    return WebhookTarget(url=url, scheme=scheme, host=host, port=port, address=str(first))


async def check_webhook_url(url: str, *, allow_private: bool) -> None:
    """Refuse a URL that may not receive webhooks (at subscription; deliveries judge it again)."""
    await resolve_webhook_target(url, allow_private=allow_private)
