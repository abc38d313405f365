"""One OpenAPI document for the whole platform: the gateway's own paths plus every service's,
as clients see them through the gateway (service-scoped events and webhooks renamed)."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Mapping
from typing import Any

import httpx

from gateway.proxy.balancer import Replicas
from gateway.proxy.routing import SERVICE_SCOPED, SKIPPED

CACHE_S = 60.0


def public_path(service: str, path: str) -> str | None:
    """The path a client uses through the gateway for a service's path, or None if not exposed."""
    if path in SKIPPED:
        return None
    for name in SERVICE_SCOPED:
        base = f"/api/v1/{name}"
        if path == base or path.startswith(base + "/"):
            return f"/api/v1/{service}/{name}{path[len(base) :]}"
    if path.startswith("/api/v1/") or path.startswith("/open311/"):
        return path
    return None


def _rename_schemas(doc: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    if not renames:
        return doc
    text = json.dumps(doc, ensure_ascii=False)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed: dict[str, Any] = json.loads(text)
    return renamed


def merge(gateway_doc: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = copy.deepcopy(gateway_doc)
    merged["info"] = {
        "title": "culture-ops API",
        "version": gateway_doc.get("info", {}).get("version", "0.1.0"),
        "description": (
            "One API for the district's public cultural facilities, their operators and residents' feedback. "
            "Every path below is served at this origin; the gateway forwards each to the service that owns it. "
            "Errors are RFC 9457 problem+json. Sign in at /api/v1/auth/token and send `Authorization: Bearer`, "
            "or send an API key as `X-API-Key`."
        ),
    }
    paths = {p: v for p, v in merged.get("paths", {}).items() if public_path("gateway", p) or p.startswith("/api/v1/")}
    paths = {p: v for p, v in paths.items() if p not in SKIPPED}
    schemas = merged.setdefault("components", {}).setdefault("schemas", {})
    for service, doc in services.items():
        their = doc.get("components", {}).get("schemas", {})
        renames = {n: f"{service}_{n}" for n, s in their.items() if n in schemas and schemas[n] != s}
        doc = _rename_schemas(doc, renames)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renames.get(name, name), schema)
        for name, scheme in doc.get("components", {}).get("securitySchemes", {}).items():
            merged["components"].setdefault("securitySchemes", {}).setdefault(name, scheme)
        for path, item in doc.get("paths", {}).items():
            public = public_path(service, path)
            if public is None:
                continue
            for operation in item.values():
                if isinstance(operation, dict) and "operationId" in operation:
                    operation["operationId"] = f"{service}_{operation['operationId']}"
                    operation.setdefault("tags", []).append(f"{service}-api")
            paths[public] = item
    merged["paths"] = dict(sorted(paths.items()))
    return merged


#: A service builds its OpenAPI document on the first request for it, which takes a second or more
#: on a busy machine; the routing table waits for it rather than route nothing.
DOCUMENT_TIMEOUT_S = 15.0


class MergedOpenAPI:
    """The services' documents, each read from a replica in service (the others in turn if it fails)."""

    def __init__(self, http: httpx.AsyncClient, replicas: Mapping[str, Replicas]) -> None:
        self.http = http
        self.replicas = replicas
        self._cached: tuple[float, dict[str, Any]] | None = None

    async def _fetch(self, service: str, url: str) -> dict[str, Any] | None:
        try:
            resp = await self.http.get(f"{url}/openapi.json", timeout=DOCUMENT_TIMEOUT_S)
            resp.raise_for_status()
            document: dict[str, Any] = resp.json()
            return document
        except (httpx.HTTPError, ValueError):
            return None

    async def fetch(self, service: str) -> dict[str, Any] | None:
        """One service's document, or None when no replica gives it (the routing table reads it)."""
        for replica in self.replicas[service].by_preference():
            document = await self._fetch(service, replica.url)
            if document is not None:
                return document
        return None

    async def document(self, gateway_doc: dict[str, Any]) -> dict[str, Any]:
        if self._cached and self._cached[0] > time.monotonic():
            return self._cached[1]
        names = list(self.replicas)
        docs = await asyncio.gather(*(self.fetch(n) for n in names))
        found = {n: d for n, d in zip(names, docs, strict=True) if d is not None}
        merged = merge(gateway_doc, found)
        missing = [f"{n}-api" for n in names if n not in found]
        if missing:
            merged["info"]["x-unavailable-services"] = missing
        else:
            self._cached = (time.monotonic() + CACHE_S, merged)
        return merged
