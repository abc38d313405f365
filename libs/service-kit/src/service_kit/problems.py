"""RFC 9457 problem details: one exception type carrying its status, one renderer for every error."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from service_kit.db import is_database_unavailable

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("service_kit.problems")
#: How long a client is asked to wait after a database outage (Retry-After, seconds).
DATABASE_RETRY_AFTER_S = 5

_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}

_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    428: "precondition-required",
    429: "rate-limited",
    500: "internal-error",
    502: "bad-gateway",
    503: "service-unavailable",
    504: "gateway-timeout",
}


class FieldError(BaseModel):
    """One thing wrong with the input: where (`field`, a dotted path) and which rule it broke."""

    field: str
    message: str
    code: str | None = None


class Problem(BaseModel):
    """The body of every error response (RFC 9457), with the request id and field errors added."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """A domain error that knows its HTTP status. Subclass it, or raise it with a status."""

    status: int = 400
    slug: str | None = None
    title: str | None = None

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        slug: str | None = None,
        title: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        if slug is not None:
            self.slug = slug
        if title is not None:
            self.title = title
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


class NotFound(ProblemError):
    status = 404


class Conflict(ProblemError):
    status = 409


class Forbidden(ProblemError):
    status = 403


class Unauthenticated(ProblemError):
    status = 401

    def __init__(self, detail: str = "Sign in first: this needs a valid bearer token.", **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="culture-ops"'})
        super().__init__(detail, **kw)


class PreconditionFailed(ProblemError):
    status = 412


class PreconditionRequired(ProblemError):
    status = 428


class RuleViolation(ProblemError):
    """Input that is well-formed but breaks a domain rule: 422 naming the field and the rule."""

    status = 422

    def __init__(self, field: str, message: str, *, code: str | None = None, **kw: Any) -> None:
        kw.setdefault("slug", code or "rule-violation")
        super().__init__(message, errors=[FieldError(field=field, message=message, code=code)], **kw)


class ServiceUnavailable(ProblemError):
    status = 503


def problem_response(
    request: Request | None,
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{slug or _SLUGS.get(status, 'error')}",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.url.path
        rid = getattr(request.state, "request_id", None)
        if rid:
            body["request_id"] = rid
    if errors:
        body["errors"] = [e.model_dump(exclude_none=True) for e in errors]
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _loc_to_field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        where, rest = parts[0], parts[1:]
        return ".".join(rest) if rest and where == "body" else ".".join(parts)
    return ".".join(parts)


def validation_errors(exc: RequestValidationError) -> tuple[int, list[FieldError], str]:
    errors: list[FieldError] = []
    status = 422
    detail = "The request does not match what this endpoint accepts; see errors."
    for err in exc.errors():
        kind = err.get("type", "")
        if kind == "json_invalid":
            status = 400
            detail = "The body is not valid JSON."
        msg = err.get("msg", "invalid")
        errors.append(FieldError(field=_loc_to_field(err.get("loc", ())) or "body", message=msg, code=kind))
    return status, errors, detail


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on this path (Starlette names only the first route's)."""
    from starlette.routing import Match

    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error as problem+json; never leak a stack trace."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            request,
            exc.status,
            exc.detail,
            slug=exc.slug,
            title=exc.title,
            errors=exc.errors,
            headers=exc.headers,
            extra=exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, errors, detail = validation_errors(exc)
        return problem_response(request, status, detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"Nothing is at {request.url.path}."
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            allowed = _allowed_methods(request)
            detail = f"{request.method} is not allowed on {request.url.path}; use {', '.join(allowed)}."
            headers = {"Allow": ", ".join(allowed)}
        return problem_response(request, exc.status_code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Only what escapes the request-context middleware comes here (the gateway's outer layers):
        # this answer is sent from outside it, so the id is named here, in the body, header and log.
        rid = getattr(request.state, "request_id", None)
        status, body, headers = unexpected_problem(exc, request.url.path, rid)
        return JSONResponse(json.loads(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers))


def unexpected_problem(exc: BaseException, instance: str, request_id: str | None) -> tuple[int, bytes, dict[str, str]]:
    """Log an error no handler took, and say what to answer: 503 with Retry-After when the database
    cannot serve (refused, cut off, no free connection in time; the transaction was not committed),
    else 500 without internals. The log line carries the request id the answer names."""
    ids = {"request_id": request_id} if request_id else {}
    if is_database_unavailable(exc):
        log.warning("database unavailable: %s", type(exc).__name__, exc_info=exc, extra={"path": instance, **ids})
        status = 503
        detail = f"The database cannot be reached just now; retry in {DATABASE_RETRY_AFTER_S} seconds."
        headers = {"Retry-After": str(DATABASE_RETRY_AFTER_S)}
        slug = "database-unavailable"
    else:
        log.error("unhandled error", exc_info=exc, extra={"path": instance, **ids})
        status = 500
        detail = "Something went wrong on our side; it has been logged with this request id."
        headers = {}
        slug = _SLUGS[500]
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": _TITLES[status],
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if request_id:
        body["request_id"] = request_id
        headers["X-Request-ID"] = request_id
    return status, json.dumps(body, ensure_ascii=False).encode(), headers


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": _TITLES[status]}
    for status in (400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 502, 503, 504)
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the problem statuses it can answer."""
    return {s: PROBLEM_RESPONSES[s] for s in statuses}
