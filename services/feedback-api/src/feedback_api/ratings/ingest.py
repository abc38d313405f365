"""`POST /api/v1/ratings` without FastAPI's routing and dependency resolution: the platform's busiest
write, where they cost more CPU than the rest of the request (README, design notes).

An ASGI layer inside service-kit's middleware (request id, access log, metrics, content type and body
size are theirs as for every request) and inside the idempotency layer (a request carrying an
Idempotency-Key goes the usual way). For a resident's valid rating it does what the route does — the
same token check, the same model (validated from the JSON bytes), the same use case, the same answer —
and renders the use case's errors with the app's own exception handlers. Anything else (no or a bad
token, another role, a body the model refuses) goes on to the FastAPI route untouched, with the body
replayed, so every error answer is the route's own and the OpenAPI document describes both.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from feedback_api.network import client_network
from feedback_api.ratings import service
from feedback_api.ratings.schemas import RatingCreate, RatingSaved
from service_kit.auth import Principal, require_roles
from service_kit.middleware import BodyTooLarge, replay_body
from service_kit.problems import ProblemError

PATH = "/api/v1/ratings"
SAVED = TypeAdapter(RatingSaved)


class RATERS:
    """Who may rate: the route's gate and this layer's check are made from the same roles and scope, so
    a credential the route would refuse (another role, or an API key's credential) is never served here."""

    roles: tuple[str, ...] = ("resident",)
    scope: str | None = None
    gate = require_roles(*roles, scope=scope)

    @classmethod
    def admit(cls, principal: Principal) -> bool:
        return principal.may(cls.roles, cls.scope)


def saved_response(read: dict[str, Any], replaced_id: int | None) -> Response:
    """The answer to a saved rating: 201 (or 200 when it replaced one), its URL, the rating as read."""
    body = SAVED.dump_json(SAVED.validate_python({**read, "replaced_id": replaced_id}))
    return Response(
        body,
        status_code=201 if replaced_id is None else 200,
        media_type="application/json",
        headers={"Location": f"{PATH}/{read['id']}"},
    )


async def rate_and_answer(
    request: Request, principal: Principal, data: RatingCreate
) -> Response:
    """The use case with what it needs from the app's state, and its answer (the route's and this layer's)."""
    state = request.app.state
    read, replaced_id = await service.rate(
        state.rating_writer,
        principal=principal,
        data=data,
        facilities=state.facilities,
        clock=state.clock,
        network=client_network(request, trust_forwarded=state.settings.trust_forwarded),
    )
    return saved_response(read, replaced_id)


class RatingIngest:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._route: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] != "POST"
        ):
            await self.app(scope, receive, send)
            return
        token = _bearer_token(scope)
        if token is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            body = await request.body()
        except BodyTooLarge as exc:  # answered as the route's read of it would be
            await _answer_error(request, exc, send)
            return
        replay = replay_body(body, receive)
        try:
            principal = await scope["app"].state.verifier.verify(token)
            data = RatingCreate.model_validate_json(body)
        except (ProblemError, ValidationError):
            await self.app(
                scope, replay, send
            )  # the route answers it, as it would have
            return
        if not RATERS.admit(
            principal
        ):  # the route's gate answers it (403), as it would have
            await self.app(scope, replay, send)
            return
        request.state.principal = principal
        self._route = self._route or _route(scope)
        scope["route"] = (
            self._route
        )  # the metrics name the route, as for a routed request
        try:
            response = await rate_and_answer(request, principal, data)
        except Exception as exc:  # noqa: BLE001  (the app's handler for its kind answers it, or it is re-raised)
            await _answer_error(request, exc, send)
            return
        await response(scope, replay, send)


def _bearer_token(scope: Scope) -> str | None:
    """The bearer token when the request carries one in the usual form and no Idempotency-Key."""
    token = None
    for name, value in scope["headers"]:
        if name == b"idempotency-key":
            return None
        if name == b"authorization":
            scheme, _, rest = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not rest.strip():
                return None
            token = rest.strip()
    return token


async def _answer_error(request: Request, exc: Exception, send: Send) -> None:
    """The app's exception handler for it (as the route's errors are answered); unknown errors propagate
    to the server-error layer, as they would from the route."""
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        handler = handlers.get(cls)
        if handler is not None:
            response = await handler(request, exc)
            await response(request.scope, request.receive, send)
            return
    raise exc


def _route(scope: Scope) -> Any:
    for route in scope["app"].routes:
        if getattr(route, "path", None) == PATH and "POST" in getattr(
            route, "methods", ()
        ):
            return route
    return None
