"""Asks each service what it holds on a resident (`GET /api/v1/personal-data`), with the resident's own
token: each service decides for itself whose data it answers with."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from service_kit.logs import request_id_var
from service_kit.problems import ServiceUnavailable

PATH = "/api/v1/personal-data"
RETRY_AFTER_S = 30


async def _one(http: httpx.AsyncClient, name: str, base_url: str, authorization: str) -> dict[str, Any]:
    headers = {"authorization": authorization}
    if rid := request_id_var.get():
        headers["x-request-id"] = rid
    try:
        resp = await http.get(base_url + PATH, headers=headers)
    except httpx.HTTPError as exc:
        raise _unavailable(name) from exc
    if resp.status_code != 200:
        raise _unavailable(name)
    try:
        document: dict[str, Any] = resp.json()
    except ValueError as exc:
        raise _unavailable(name) from exc
    return document


def _unavailable(name: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"The {name} service did not answer, so the export would be incomplete; try again shortly.",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


async def gather(
    http: httpx.AsyncClient, upstreams: Mapping[str, str], authorization: str
) -> dict[str, dict[str, Any]]:
    """Every service's section, or ServiceUnavailable if any one is missing: never a partial export."""
    names = sorted(upstreams)
    sections = await asyncio.gather(*(_one(http, n, upstreams[n], authorization) for n in names))
    return dict(zip(names, sections, strict=True))
