"""Which service owns a public path.

The gateway is the one public origin. A request under ``/api/v1/<resource>`` goes to the
service that owns ``<resource>``, at the same path (every service mounts its routers under
``/api/v1``). Each service also publishes infrastructure of its own (its event feed and its
webhook subscriptions); those are reached as ``/api/v1/<service>/events`` and
``/api/v1/<service>/webhooks...`` and land on ``/api/v1/events`` and ``/api/v1/webhooks...``
of that service; so does what it holds on the signed-in resident (``/api/v1/<service>/personal-data``).
Paths outside ``/api/v1`` (Open311 GeoReport v2, ``/open311/v2/...``) are forwarded unchanged
under their first two segments.

Nobody keeps the table by hand: :func:`derive_routes` reads it from the ``paths`` of each
service's OpenAPI document (:mod:`gateway.proxy.discovery` fetches them at start-up). A new
router in a service is routed as soon as the gateway has read that service's document.

Anything that does not resolve is left to the gateway's own app, which answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

__all__ = [
    "API_PREFIX",
    "SERVICE_SCOPED",
    "SKIPPED",
    "Route",
    "RoutingConflict",
    "RoutingTable",
    "derive_routes",
]

API_PREFIX = "/api/v1"

#: Infrastructure each service publishes under its own name: ``/api/v1/<service>/<name>...``.
SERVICE_SCOPED: tuple[str, ...] = ("events", "webhooks", "personal-data")

#: A service's own paths the gateway never forwards (it asks them itself, for /readyz).
SKIPPED = frozenset({"/healthz", "/readyz", "/metrics"})

_DOT_SEGMENTS = frozenset({".", "..", "%2e", "%2e%2e", ".%2e", "%2e."})


class Route(NamedTuple):
    """Where a request goes: the service name and the path to ask it for."""

    service: str
    path: str


class RoutingTable:
    """Resource → service table with the path rules above. Immutable once built."""

    __slots__ = ("_passthrough", "_prefix", "_resources", "_scoped", "_services")

    def __init__(
        self,
        resources: Mapping[str, str],
        *,
        prefix: str = API_PREFIX,
        service_scoped: Iterable[str] = SERVICE_SCOPED,
        services: Iterable[str] | None = None,
        passthrough: Mapping[str, str] | None = None,
    ) -> None:
        self._resources = dict(resources)
        self._prefix = prefix.rstrip("/") + "/"
        self._scoped = frozenset(service_scoped)
        passthrough = passthrough or {}
        names = set(self._resources.values()) | set(passthrough.values())
        self._services = frozenset(services) if services is not None else frozenset(names)
        self._passthrough = tuple((p.rstrip("/"), s) for p, s in passthrough.items())

    @property
    def services(self) -> frozenset[str]:
        """Every service some path can resolve to."""
        return self._services | frozenset(self._resources.values()) | {s for _, s in self._passthrough}

    @property
    def resources(self) -> Mapping[str, str]:
        return dict(self._resources)

    @property
    def passthrough(self) -> Mapping[str, str]:
        return dict(self._passthrough)

    def resolve(self, path: str) -> Route | None:
        """Map a request path (without query string) to ``Route(service, upstream_path)``.

        Returns None when no service owns the path, or when the path carries ``.``/``..``
        segments (which no client needs and which would only serve to confuse routing).
        """
        prefix = self._prefix
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            slash = rest.find("/")
            segment = rest if slash < 0 else rest[:slash]
            if slash >= 0 and segment in self._services:
                tail = rest[slash + 1 :]
                cut = tail.find("/")
                if (tail if cut < 0 else tail[:cut]) in self._scoped:
                    if _has_dot_segment(tail):
                        return None
                    return Route(segment, prefix + tail)
            service = self._resources.get(segment)
            if service is None or _has_dot_segment(rest):
                return None
            return Route(service, path)
        for base, service in self._passthrough:
            if path.startswith(base) and (len(path) == len(base) or path[len(base)] == "/"):
                if _has_dot_segment(path):
                    return None
                return Route(service, path)
        return None


def _has_dot_segment(path: str) -> bool:
    if "." not in path and "%" not in path:
        return False
    return any(seg.lower() in _DOT_SEGMENTS for seg in path.split("/"))


class RoutingConflict(ValueError):
    """Two services (or a service and the gateway itself) publish the same top-level path."""


def derive_routes(
    documents: Mapping[str, Mapping[str, Any]],
    *,
    services: Iterable[str] | None = None,
    reserved: Iterable[str] = (),
) -> RoutingTable:
    """The routing table the services' OpenAPI documents describe (``service → document``).

    ``/api/v1/<resource>...`` paths make ``<resource>`` that service's; the service-scoped
    infrastructure (:data:`SERVICE_SCOPED`) stays reachable under the service's name; any other
    path is forwarded by its first two segments (``/open311/v2``). ``reserved`` names the
    resources the gateway serves itself: a service publishing one of them is a conflict, as is a
    resource two services publish.
    """
    own = frozenset(reserved)
    resources: dict[str, str] = {}
    passthrough: dict[str, str] = {}
    prefix = API_PREFIX + "/"
    for service, document in documents.items():
        for path in document.get("paths", {}):
            if path in SKIPPED:
                continue
            if path.startswith(prefix):
                segment = path[len(prefix) :].split("/", 1)[0]
                if not segment or segment in SERVICE_SCOPED:
                    continue
                if "{" in segment:
                    raise RoutingConflict(f"{service}-api publishes {path}: a resource name must not be a parameter")
                claims, table = (own, resources)
            else:
                segment = "/".join(path.split("/", 3)[:3])
                if "{" in segment or segment.count("/") < 2:
                    raise RoutingConflict(f"{service}-api publishes {path} outside {API_PREFIX} without a fixed prefix")
                claims, table = (frozenset(), passthrough)
            if segment in claims:
                raise RoutingConflict(f"{service}-api publishes {path}, which the gateway serves itself")
            owner = table.setdefault(segment, service)
            if owner != service:
                raise RoutingConflict(f"{owner}-api and {service}-api both publish {segment!r}")
    return RoutingTable(
        resources,
        services=set(services) if services is not None else set(documents),
        passthrough=passthrough,
    )
