"""The gateway's reverse proxy: ``/api/v1/<resource>...`` to the service that owns it.

Wrap the gateway's FastAPI app and serve the result::

    from gateway.proxy import ProxyApp, ProxySettings

    app = ProxyApp(
        fastapi_app,
        {"facilities": "http://facilities-api:8000", "operators": ..., "feedback": ...},
        settings=ProxySettings(timeout=10.0),
        limiter=MemoryRateLimiter(rate=20, burst=40),   # or RedisRateLimiter.from_url(...)
    )
    # uvicorn.run(app, loop="uvloop", http="httptools", access_log=False, server_header=False)
"""

from .app import ProxyApp, ProxySettings, TransportFactory, lean_transport
from .ratelimit import MemoryRateLimiter, RedisRateLimiter
from .routing import DEFAULT_ROUTES, RESOURCES, Route, RoutingTable, resolve
from .upstream import (
    UpstreamConnectError,
    UpstreamError,
    UpstreamPool,
    UpstreamProtocolError,
    UpstreamTimeout,
)

__all__ = [
    "DEFAULT_ROUTES",
    "RESOURCES",
    "MemoryRateLimiter",
    "ProxyApp",
    "ProxySettings",
    "RedisRateLimiter",
    "Route",
    "RoutingTable",
    "TransportFactory",
    "UpstreamConnectError",
    "UpstreamError",
    "UpstreamPool",
    "UpstreamProtocolError",
    "UpstreamTimeout",
    "lean_transport",
    "resolve",
]
