"""The gateway's edge, a middleware between the security headers and the proxy: API keys become
bearer tokens, sign-in attempts are throttled per client (a stricter limit than the general one), and
the access tokens of disabled accounts (or cut off after a theft or a password change) are refused
before any service sees them (`gateway.identity.revocation`)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from gateway.proxy.problems import send_problem
from gateway.proxy.types import ASGIApp, RateLimiter, Receive, Scope, Send
from service_kit.db import is_database_unavailable
from service_kit.problems import DATABASE_RETRY_AFTER_S

log = logging.getLogger("gateway.edge")
AUTH_PATHS = ("/api/v1/auth/token", "/api/v1/auth/register", "/api/v1/auth/refresh")


class GatewayEdge:
    def __init__(self, app: ASGIApp, *, state: Any, auth_limiter: RateLimiter, trust_forwarded: bool) -> None:
        self.app = app
        self.state = state  # the app's state: `apikeys` and `revocations` are set there at startup
        self.auth_limiter = auth_limiter
        self.trust_forwarded = trust_forwarded

    def _client(self, scope: Scope) -> str:
        if self.trust_forwarded:
            for name, value in scope["headers"]:
                if name == b"x-forwarded-for":
                    return str(value.split(b",", 1)[0].strip().decode("latin-1"))
        client = scope.get("client")
        return client[0] if client else "unknown"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST" and scope["path"] in AUTH_PATHS:
            allowed, retry_after = await self.auth_limiter.hit("auth:" + self._client(scope))
            if not allowed:
                await send_problem(
                    send,
                    429,
                    f"Too many sign-in attempts from this client; retry in {retry_after} s.",
                    instance=scope["path"],
                    request_id=uuid.uuid4().hex.encode(),
                    headers=[(b"retry-after", str(max(retry_after, 1)).encode())],
                )
                return
        presented = bearer = None
        for name, value in scope["headers"]:
            if name == b"x-api-key" and presented is None:
                presented = value
            elif name == b"authorization" and bearer is None:
                bearer = value
        if presented is not None:
            try:
                token = await self.state.apikeys.token_for(presented.decode("latin-1").strip())
            except Exception as exc:
                if not is_database_unavailable(exc):
                    raise
                # Keys are checked in the gateway's database: while it cannot answer, neither can we.
                request_id = uuid.uuid4().hex
                log.warning(
                    "database unavailable: API key not checked",
                    exc_info=exc,
                    extra={"path": scope["path"], "request_id": request_id},
                )
                await send_problem(
                    send,
                    503,
                    f"The API key cannot be checked just now; retry in {DATABASE_RETRY_AFTER_S} seconds.",
                    instance=scope["path"],
                    request_id=request_id.encode(),
                    headers=[(b"retry-after", str(DATABASE_RETRY_AFTER_S).encode())],
                )
                return
            if token is None:
                await send_problem(
                    send,
                    401,
                    "The API key is unknown or revoked.",
                    instance=scope["path"],
                    request_id=uuid.uuid4().hex.encode(),
                    headers=[(b"www-authenticate", b'ApiKey realm="culture-ops"')],
                )
                return
            headers = [(n, v) for n, v in scope["headers"] if n not in (b"x-api-key", b"authorization")]
            headers.append((b"authorization", b"Bearer " + token.encode()))
            scope = {**scope, "headers": headers}
        elif bearer is not None and bearer[:7].lower() == b"bearer ":
            revocations = getattr(self.state, "revocations", None)
            if revocations is not None and await revocations.refuses(bearer[7:].strip().decode("latin-1")):
                await send_problem(
                    send,
                    401,
                    "This token has been withdrawn (the account was disabled, or its sessions were ended): sign in again.",
                    instance=scope["path"],
                    request_id=uuid.uuid4().hex.encode(),
                    headers=[(b"www-authenticate", b'Bearer realm="culture-ops", error="invalid_token"')],
                )
                return
        await self.app(scope, receive, send)
