"""What every client of another service shares: a typed answer that says where a figure came from,
when it was fetched and, when it could not be, why; calls bounded by an optional semaphore."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from service_kit.auth import service_token
from service_kit.clock import Clock
from service_kit.settings import BaseServiceSettings


@dataclass(slots=True)
class Fetched:
    """One answer from another service, kept as evidence: `data` when it answered, `error` when not."""

    source: str
    request: str
    fetched_at: datetime
    data: dict[str, Any] | None = None
    error: str | None = None
    status_code: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.data is not None


class DependencyError(Exception):
    """Another service did not answer usefully (down, timed out, or an error status)."""

    def __init__(self, source: str, message: str, status_code: int | None = None) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message
        self.status_code = status_code


class ServiceClient:
    source = "service"

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        base_url: str,
        settings: BaseServiceSettings,
        clock: Clock,
        timeout_s: float,
        semaphore: asyncio.Semaphore | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.clock = clock
        self.timeout = httpx.Timeout(timeout_s)
        self.semaphore = semaphore
        self._token: str | None = None

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            self._token = service_token(self.settings)
        return {"authorization": f"Bearer {self._token}", "accept": "application/json"}

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        if self.semaphore is None:
            yield
            return
        async with self.semaphore:
            yield

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> tuple[int, Any]:
        """GET and decode; raises DependencyError when the service cannot be reached or answers 5xx."""
        url = f"{self.base_url}{path}"
        try:
            async with self._slot():
                resp = await self.http.get(url, params=params, headers=self._headers(), timeout=self.timeout)
        except httpx.TimeoutException as exc:
            raise DependencyError(self.source, f"no answer within {self.timeout.read} s") from exc
        except httpx.HTTPError as exc:
            raise DependencyError(self.source, f"unreachable ({type(exc).__name__})") from exc
        if resp.status_code >= 500:
            raise DependencyError(self.source, f"answered {resp.status_code}", resp.status_code)
        try:
            body = resp.json()
        except ValueError as exc:
            raise DependencyError(self.source, "answered something that is not JSON", resp.status_code) from exc
        return resp.status_code, body

    async def fetch(self, path: str, params: dict[str, Any] | None = None) -> Fetched:
        """GET as evidence: never raises; a failure is a Fetched with `error` set."""
        request = f"GET {self.base_url}{path}" + (
            "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
        )
        try:
            status, body = await self.get_json(path, params)
        except DependencyError as exc:
            return Fetched(self.source, request, self.clock.now(), error=exc.message, status_code=exc.status_code)
        if status != 200 or not isinstance(body, dict):
            detail = body.get("detail") if isinstance(body, dict) else None
            return Fetched(
                self.source,
                request,
                self.clock.now(),
                error=f"answered {status}" + (f": {detail}" if detail else ""),
                status_code=status,
            )
        return Fetched(self.source, request, self.clock.now(), data=body, status_code=status)
