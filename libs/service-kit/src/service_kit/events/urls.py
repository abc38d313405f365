"""Refuse webhook URLs that point into private networks (SSRF), unless settings allow them."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from service_kit.problems import RuleViolation


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return bool(
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


async def check_webhook_url(url: str, *, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuleViolation("url", "A webhook URL must be http(s) with a host.", code="webhook-url")
    if allow_private:
        return
    host = parts.hostname
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RuleViolation("url", f"The host {host} does not resolve.", code="webhook-url") from exc
    if any(_is_private(info[4][0]) for info in infos):
        raise RuleViolation(
            "url",
            f"{host} resolves to a private, loopback or reserved address; webhooks go to public addresses only.",
            code="webhook-url-private",
        )
