"""RFC 9457 problem+json answers the proxy gives itself (it never has a FastAPI app at hand)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .types import Send

#: status → (type, title)
PROBLEM_TYPES: dict[int, tuple[str, str]] = {
    404: ("/problems/not-found", "Not Found"),
    413: ("/problems/content-too-large", "Content Too Large"),
    429: ("/problems/too-many-requests", "Too Many Requests"),
    502: ("/problems/bad-gateway", "Bad Gateway"),
    503: ("/problems/service-unavailable", "Service Unavailable"),
    504: ("/problems/gateway-timeout", "Gateway Timeout"),
}


def problem_body(status: int, detail: str, instance: str, request_id: str) -> bytes:
    type_, title = PROBLEM_TYPES.get(status, ("about:blank", "Error"))
    document = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": request_id,
    }
    return json.dumps(document, ensure_ascii=False).encode()


async def send_problem(
    send: Send,
    status: int,
    detail: str,
    *,
    instance: str,
    request_id: bytes,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    body = problem_body(status, detail, instance, request_id.decode("ascii"))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-request-id", request_id),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
