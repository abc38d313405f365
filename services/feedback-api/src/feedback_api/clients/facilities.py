"""The one way feedback-api asks facilities-api something: does this facility exist, and what is it?

Calls go over the app's shared `httpx.AsyncClient` (made in the lifespan) with a hard deadline, so a
slow or dead facilities-api gives a clear `FacilitiesUnavailable`, never a hang. A GET is safe to
repeat, so a refused connection is retried once at once (another replica may answer).

Found facilities are remembered for a short while (60 s by default) in a bounded in-process cache:
each replica keeps its own, so a facility removed from the registry may still be accepted for up to
the TTL. Facilities that were not found are not remembered: one created a moment ago is seen at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx

from service_kit.logs import request_id_var

log = logging.getLogger("feedback_api.clients.facilities")

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class FacilityRef:
    """What feedback-api needs to know about a facility (a subset of facilities-api's FacilityRead)."""

    id: int
    name_zh: str
    subdistrict: str
    status: str
    operator_id: int | None


class FacilitiesUnavailable(Exception):
    """facilities-api gave no usable answer: refused, timed out, answered 5xx or a body we cannot read."""


class TTLCache(Generic[K, V]):
    """A bounded dict whose entries expire. Expired entries go first when it is full, then the oldest."""

    def __init__(self, *, ttl_s: float, max_entries: int, now: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._now = now
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if self._now() >= expires_at:
            del self._entries[key]
            return None
        return value

    def put(self, key: K, value: V) -> None:
        if self.ttl_s <= 0:
            return
        now = self._now()
        self._entries.pop(key, None)
        if len(self._entries) >= self.max_entries:
            for k in [k for k, (exp, _) in self._entries.items() if exp <= now]:
                del self._entries[k]
            while len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]
        self._entries[key] = (now + self.ttl_s, value)

    def __len__(self) -> int:
        return len(self._entries)


def _facility_ref(body: object) -> FacilityRef:
    if not isinstance(body, dict):
        raise TypeError("the body is not an object")
    operation = body.get("operation") or {}
    operator_id = operation.get("operator_id") if isinstance(operation, dict) else None
    return FacilityRef(
        id=int(body["id"]),
        name_zh=str(body["name_zh"]),
        subdistrict=str(body["subdistrict"]),
        status=str(body["status"]),
        operator_id=int(operator_id) if operator_id is not None else None,
    )


class FacilitiesClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        timeout_s: float = 3.0,
        cache_ttl_s: float = 60.0,
        cache_size: int = 4096,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.cache: TTLCache[int, FacilityRef] = TTLCache(ttl_s=cache_ttl_s, max_entries=cache_size, now=now)

    async def get_facility(self, facility_id: int) -> FacilityRef | None:
        """The facility, or None when facilities-api says there is no such facility (404).
        Raises FacilitiesUnavailable when it cannot tell."""
        cached = self.cache.get(facility_id)
        if cached is not None:
            return cached
        url = f"{self.base_url}/api/v1/facilities/{facility_id}"
        try:
            async with asyncio.timeout(self.timeout_s):
                resp = await self._get(url)
        except (httpx.HTTPError, TimeoutError) as exc:
            log.warning("facilities-api did not answer", extra={"url": url, "error": type(exc).__name__})
            raise FacilitiesUnavailable(f"{type(exc).__name__} calling {url}") from exc
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            log.warning("facilities-api answered an error", extra={"url": url, "status": resp.status_code})
            raise FacilitiesUnavailable(f"facilities-api answered {resp.status_code} for {url}")
        try:
            facility = _facility_ref(resp.json())
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("facilities-api answered a body we cannot read", extra={"url": url})
            raise FacilitiesUnavailable(f"unreadable answer from {url}") from exc
        self.cache.put(facility_id, facility)
        return facility

    async def _get(self, url: str) -> httpx.Response:
        headers = {"accept": "application/json"}
        request_id = request_id_var.get()
        if request_id:
            headers["x-request-id"] = request_id
        timeout = httpx.Timeout(self.timeout_s)
        try:
            return await self.http.get(url, headers=headers, timeout=timeout)
        except httpx.ConnectError:
            # Nothing reached the server; a GET may be repeated. Once, at once, within the same deadline.
            return await self.http.get(url, headers=headers, timeout=timeout)
