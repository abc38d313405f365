"""URLs as clients see them: behind the gateway a service names the gateway's origin, not its own."""

from fastapi import Request


def public_url(request: Request) -> str:
    """The request's URL with the scheme and host the gateway received (X-Forwarded-Proto/Host)."""
    host = request.headers.get("x-forwarded-host")
    if not host:
        return str(request.url)
    proto = request.headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
    return str(request.url.replace(scheme=proto, netloc=host.split(",")[0].strip()))
