"""Which service owns a public path.

The gateway is the one public origin. A request under ``/api/v1/<resource>`` goes to the
service that owns ``<resource>``, at the same path (every service mounts its routers under
``/api/v1``). Each service also publishes infrastructure of its own (its event feed and its
webhook subscriptions); those are reached as ``/api/v1/<service>/events`` and
``/api/v1/<service>/webhooks...`` and land on ``/api/v1/events`` and ``/api/v1/webhooks...``
of that service; so does what it holds on the signed-in resident (``/api/v1/<service>/personal-data``).
Open311 GeoReport v2 (``/open311/v2/...``) belongs to feedback, unchanged.

To add a resource, extend :data:`RESOURCES` (or build a :class:`RoutingTable` from your own
mapping and hand it to the proxy)::

    RoutingTable({**RESOURCES, "inspections": "operators"})

Anything that does not resolve is left to the gateway's own app, which answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

__all__ = [
    "API_PREFIX",
    "DEFAULT_ROUTES",
    "PASSTHROUGH",
    "RESOURCES",
    "SERVICE_SCOPED",
    "Route",
    "RoutingTable",
    "resolve",
]

API_PREFIX = "/api/v1"

#: Top-level resource under ``/api/v1`` → owning service.
RESOURCES: dict[str, str] = {
    "facilities": "facilities",
    "facilities.geojson": "facilities",
    "subdistricts": "facilities",
    "communities": "facilities",
    "activities": "facilities",
    "activities.ics": "facilities",
    "bookings": "facilities",
    "coverage": "facilities",
    "stats": "facilities",
    "special-requests": "facilities",
    "service-proposals": "facilities",
    "operators": "operators",
    "selections": "operators",
    "contracts": "operators",
    "ocds": "operators",
    "audit-log": "operators",
    "evaluation-schemes": "operators",
    "evaluations": "operators",
    "fee-applications": "operators",
    "incubations": "operators",
    "inspections": "operators",
    "rectifications": "operators",
    "service-reports": "operators",
    "trainings": "operators",
    "volunteer-teams": "operators",
    "volunteers": "operators",
    "ratings": "feedback",
    "cases": "feedback",
    "demands": "feedback",
    "satisfaction": "feedback",
    "menu-rounds": "feedback",
    "moderation": "feedback",
    "open311-clients": "feedback",
}

#: Infrastructure each service publishes under its own name: ``/api/v1/<service>/<name>...``.
SERVICE_SCOPED: tuple[str, ...] = ("events", "webhooks", "personal-data")

#: Path prefixes forwarded unchanged to one service (the prefix itself and everything below it).
PASSTHROUGH: dict[str, str] = {"/open311/v2": "feedback"}

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
        resources: Mapping[str, str] = RESOURCES,
        *,
        prefix: str = API_PREFIX,
        service_scoped: Iterable[str] = SERVICE_SCOPED,
        services: Iterable[str] | None = None,
        passthrough: Mapping[str, str] = PASSTHROUGH,
    ) -> None:
        self._resources = dict(resources)
        self._prefix = prefix.rstrip("/") + "/"
        self._scoped = frozenset(service_scoped)
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

    def extended(self, resources: Mapping[str, str]) -> RoutingTable:
        """A copy with more (or re-pointed) resources."""
        return RoutingTable(
            {**self._resources, **resources},
            prefix=self._prefix,
            service_scoped=self._scoped,
            services=self._services,
            passthrough=dict(self._passthrough),
        )

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


DEFAULT_ROUTES = RoutingTable()


def resolve(path: str, table: RoutingTable = DEFAULT_ROUTES) -> tuple[str, str] | None:
    """``(service_name, upstream_path)`` for a public path, or None if no service owns it."""
    return table.resolve(path)
