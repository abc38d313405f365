"""The gateway's reverse proxy: ``/api/v1/<resource>...`` to the service that owns it.

- :mod:`.routing`: which service owns a path, derived from the services' OpenAPI documents;
- :mod:`.discovery`: reads those documents at start-up (and again until every service answered);
- :mod:`.forward`: the middleware that forwards, on aiohttp's client;
- :mod:`.balancer`: a service's replicas, round-robin, taken out passively when they fail;
- :mod:`.metrics`: the access log line and the Prometheus metrics of proxied requests;
- :mod:`.ratelimit`: per-client limits on the `limits` library (memory, or Redis);
- :mod:`.problems`: the problem+json answers the proxy gives itself.
"""

from .balancer import Replica, Replicas, replica_urls
from .discovery import ServiceRoutes
from .forward import Answer, Proxy, ProxySettings, UpstreamError, Upstreams
from .metrics import ProxyMetrics
from .ratelimit import RateLimit, per_minute
from .routing import Route, RoutingConflict, RoutingTable, derive_routes

__all__ = [
    "Answer",
    "Proxy",
    "ProxyMetrics",
    "ProxySettings",
    "RateLimit",
    "Replica",
    "Replicas",
    "Route",
    "RoutingConflict",
    "RoutingTable",
    "ServiceRoutes",
    "UpstreamError",
    "Upstreams",
    "derive_routes",
    "per_minute",
    "replica_urls",
]
