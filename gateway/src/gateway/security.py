"""Security headers on every response the gateway serves: the SPA, the API docs page, its own API
and every answer forwarded from a service (the outermost layer, so refusals by the edge and the
proxy carry them too).

- **Content-Security-Policy.** HTML pages (the SPA, the docs page, the placeholder) may load
  scripts, styles, fonts and data only from the gateway itself; no inline script, no eval, no
  plugins, no framing, forms post only here. Images may also be `data:`/`blob:` and the map's tile
  server when one is configured (its origin is read from the SPA's `config.json`, or given in
  `GATEWAY_CSP_IMG_SOURCES`). Inline `style="…"` attributes are allowed (the charts and the map set
  positions that way); `<style>` elements are not. Everything else (JSON, problem+json, files) gets
  `default-src 'none'`: a response that is not a page may not run or load anything.
- `frame-ancestors 'none'` and `X-Frame-Options: DENY`: no page of the platform inside another
  site's frame (clickjacking).
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` (no address of a resident's
  page reaches another site), `Cross-Origin-Opener-Policy` and `Cross-Origin-Resource-Policy:
  same-origin`, a `Permissions-Policy` that grants only the location (facilities near me) and the
  camera (check-in codes) to the platform itself, `X-Permitted-Cross-Domain-Policies: none`.
- `Strict-Transport-Security` on answers to requests that came over HTTPS (directly, or through a
  trusted proxy's `X-Forwarded-Proto`); never over plain HTTP, where browsers ignore it.
- `Cache-Control: no-store` on answers to requests that carried credentials, unless the service
  chose its own caching: nothing personal is kept in a shared computer's browser cache.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from gateway.proxy.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gateway.security")

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(self), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), hid=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), browsing-topics=()"
)


def page_csp(img_sources: Iterable[str] = ()) -> str:
    img = " ".join(["'self'", "data:", "blob:", *img_sources])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "style-src-elem 'self'",
            "style-src-attr 'unsafe-inline'",
            f"img-src {img}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' blob:",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "frame-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def tile_sources(spa_dir: Path) -> list[str]:
    """The map's tile server as a CSP source, from the SPA's runtime `config.json` (if any)."""
    config = spa_dir / "config.json"
    if not config.is_file():
        return []
    try:
        url = json.loads(config.read_text(encoding="utf-8")).get("tileUrl") or ""
    except (OSError, ValueError, AttributeError):
        log.warning("config.json beside the SPA is not a JSON object: no tile server allowed")
        return []
    return [source] if (source := _origin_source(url)) else []


def _origin_source(url: str) -> str | None:
    """`https://{s}.tile.example.org/{z}/{x}/{y}.png` → `https://*.tile.example.org`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    labels = host.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    host = ".".join(labels)
    if "{" in host or "}" in host or " " in host or ";" in host or "'" in host:
        return None
    return f"{parts.scheme}://{host}"


# Headers this layer decides; the same names coming from behind are replaced.
_OURS = frozenset(
    {
        b"content-security-policy",
        b"x-content-type-options",
        b"x-frame-options",
        b"referrer-policy",
        b"permissions-policy",
        b"cross-origin-opener-policy",
        b"cross-origin-resource-policy",
        b"x-permitted-cross-domain-policies",
        b"strict-transport-security",
    }
)


class SecurityHeaders:
    """ASGI middleware: adds the headers above to every HTTP response of `app`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        img_sources: Iterable[str] = (),
        hsts: str = "max-age=31536000",
        trust_forwarded: bool = False,
    ) -> None:
        self.app = app
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", PERMISSIONS_POLICY.encode()),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (b"x-permitted-cross-domain-policies", b"none"),
        ]
        self._page = [*common, (b"content-security-policy", page_csp(img_sources).encode())]
        self._other = [*common, (b"content-security-policy", API_CSP.encode())]
        self._hsts = (b"strict-transport-security", hsts.encode()) if hsts else None
        self._trust_forwarded = trust_forwarded

    def _secure(self, scope: Scope) -> bool:
        if scope.get("scheme") == "https":
            return True
        if self._trust_forwarded:
            for name, value in scope["headers"]:
                if name == b"x-forwarded-proto":
                    return bool(value.split(b",", 1)[0].strip().lower() == b"https")
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        credentials = False
        for name, _ in scope["headers"]:
            if name == b"authorization" or name == b"x-api-key":
                credentials = True
                break
        hsts = self._hsts if self._hsts is not None and self._secure(scope) else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                html = False
                cached = False
                for name, value in message.get("headers", ()):
                    lname = name.lower()
                    if lname in _OURS:
                        continue
                    if lname == b"content-type":
                        html = value[:9].lower() == b"text/html"
                    elif lname == b"cache-control":
                        cached = True
                    headers.append((name, value))
                headers.extend(self._page if html else self._other)
                if hsts is not None:
                    headers.append(hsts)
                if credentials and not cached:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
