"""The routing table, read from the services' OpenAPI documents at start-up.

:class:`ServiceRoutes` asks every service for its document once when the gateway starts. A
service that does not answer yet (it starts after the gateway, or is down) is asked again every
``retry_s`` seconds in the background, and its paths are answered 503 with ``Retry-After`` until
it has answered: the gateway starts and serves its own pages meanwhile, and says which service
it is waiting for (in the log, in those answers and in ``/readyz``). Once read, a service's
routes stay: a service that restarts later is reached again as soon as it is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from .routing import API_PREFIX, Route, RoutingConflict, RoutingTable, derive_routes

__all__ = ["FetchDocument", "ServiceRoutes"]

log = logging.getLogger("gateway.proxy.discovery")

#: ``await fetch(service)``: that service's OpenAPI document, or None when it cannot be had.
FetchDocument = Callable[[str], Awaitable[Mapping[str, Any] | None]]

#: Paths that belong to some service (never to the gateway's own pages): while a service's
#: routes are unknown, an unresolved path under these is answered 503, not 404.
SERVICE_ROOTS = (API_PREFIX + "/", "/open311/")


class ServiceRoutes:
    """The current routing table and the services it still waits for."""

    def __init__(
        self,
        services: Iterable[str],
        fetch: FetchDocument | None = None,
        *,
        reserved: Iterable[str] = (),
        retry_s: float = 2.0,
    ) -> None:
        self.services = tuple(services)
        self._fetch = fetch
        self._reserved = frozenset(reserved)
        self._retry_s = retry_s
        self._documents: dict[str, Mapping[str, Any]] = {}
        self.table = RoutingTable({}, services=self.services)
        self.missing: frozenset[str] = frozenset(self.services)
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def fixed(cls, table: RoutingTable) -> ServiceRoutes:
        """A table given outright (tests, the bench): nothing to fetch, nothing missing."""
        routes = cls(table.services)
        routes.table = table
        routes.missing = frozenset()
        return routes

    def resolve(self, path: str) -> Route | None:
        return self.table.resolve(path)

    def waits_for(self, path: str) -> bool:
        """Whether an unresolved ``path`` may belong to a service not read yet."""
        if not self.missing or not path.startswith(SERVICE_ROOTS):
            return False
        segment = path[len(API_PREFIX) + 1 :].split("/", 1)[0] if path.startswith(API_PREFIX + "/") else None
        return segment not in self._reserved

    async def start(self) -> None:
        """Read every service's document once; keep asking the missing ones in the background."""
        if self._fetch is None or self._task is not None:
            return
        await self.refresh()
        if self.missing:
            log.warning(
                "no OpenAPI document yet from %s: their paths answer 503 until they do; asking again every %g s",
                ", ".join(f"{name}-api" for name in sorted(self.missing)),
                self._retry_s,
            )
            self._task = asyncio.create_task(self._keep_asking(), name="gateway-route-discovery")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def refresh(self) -> None:
        """Ask the missing services once; rebuild the table from every document read so far."""
        if self._fetch is None or not self.missing:
            return
        names = sorted(self.missing)
        found = await asyncio.gather(*(self._fetch(name) for name in names))
        documents = {**self._documents, **{n: d for n, d in zip(names, found, strict=True) if d is not None}}
        if len(documents) == len(self._documents):
            return
        try:
            table = derive_routes(documents, services=self.services, reserved=self._reserved)
        except RoutingConflict:
            log.exception("the services' OpenAPI documents disagree on who owns a path; routing unchanged")
            return
        self._documents = documents
        self.table = table
        self.missing = frozenset(self.services) - set(documents)
        for name in names:
            if name in documents:
                log.info("routing %s-api's paths", name)

    async def _keep_asking(self) -> None:
        while self.missing:
            await asyncio.sleep(self._retry_s)
            try:
                await self.refresh()
            except Exception:  # keep asking: a transient failure must not end discovery
                log.exception("reading the services' OpenAPI documents failed")
        log.info("every service's routes are known")
