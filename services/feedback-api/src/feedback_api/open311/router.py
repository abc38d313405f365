"""Open311 GeoReport v2 at /open311/v2/ (each document as .json or .xml), and the officials' API for
Open311 client keys at /api/v1/open311-clients.

Errors on /open311/v2/ are Open311's error array (`[{"code": 403, "description": "..."}]`, or
`<errors><error>…` in XML) with the same HTTP status, never problem+json (except a body over 1 MiB or a
malformed one, which the platform refuses before any handler runs)."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from feedback_api.dependencies import (
    ClockDep,
    DistrictOfficialDep,
    FacilitiesDep,
    ReaderDep,
    SettingsDep,
)
from feedback_api.open311 import service
from feedback_api.open311.render import respond, to_xml
from feedback_api.open311.schemas import (
    ClientCreate,
    ClientCreated,
    ClientRead,
    Open311Created,
    Open311Discovery,
    Open311Error,
    Open311Request,
    Open311Service,
    Open311ServiceDefinition,
    Open311Token,
)
from feedback_api.open311.service import Open311Problem
from service_kit.db import SessionDep
from service_kit.params import ResourceId
from service_kit.problems import problems

router = APIRouter(prefix="/open311/v2", tags=["open311"])
clients_router = APIRouter(prefix="/api/v1/open311-clients", tags=["open311"])

_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_]{1,50})\]$")
_FIELDS = (
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)
_FIELD_MAX = {"description": 4000, "address_string": 300, "media_url": 500}

Fmt = Annotated[str, "json or xml"]


def _fmt(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Problem(404, f"Unknown format {fmt[:20]!r}: use .json or .xml.")
    return fmt


def _doc(model: Any, *, many: bool = True) -> dict[int | str, dict[str, Any]]:
    schema = (
        {"type": "array", "items": {"$ref": f"#/components/schemas/{model.__name__}"}}
        if many
        else {"$ref": f"#/components/schemas/{model.__name__}"}
    )
    return {
        200: {
            "description": "The document, as JSON or XML (by the extension)",
            "model": list[model] if many else model,
            "content": {
                "application/json": {"schema": schema},
                "text/xml": {"schema": {"type": "string"}},
            },
        }
    }


ERRORS = {"model": list[Open311Error], "description": "Open311 error array"}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: dict(ERRORS) for s in statuses}


def error_response(request: Request, exc: Open311Problem) -> Response:
    payload = [{"code": exc.status, "description": exc.description}]
    if request.url.path.endswith(".xml"):
        return Response(
            to_xml("errors", payload),
            status_code=exc.status,
            media_type="text/xml; charset=utf-8",
            headers=exc.headers,
        )
    return JSONResponse(payload, status_code=exc.status, headers=exc.headers)


@router.get(
    "/discovery.{fmt}",
    summary="Open311 discovery",
    responses={**_doc(Open311Discovery, many=False), **_errors(404)},
)
async def discovery(fmt: Fmt, settings: SettingsDep) -> Response:
    return respond(_fmt(fmt), "discovery", service.discovery(settings))


@router.get(
    "/services.{fmt}",
    summary="Case categories as Open311 services",
    responses={**_doc(Open311Service), **_errors(404)},
)
async def list_services(
    fmt: Fmt, jurisdiction_id: Annotated[str | None, Query()] = None
) -> Response:
    return respond(_fmt(fmt), "services", service.services())


@router.get(
    "/services/{service_code}.{fmt}",
    summary="A service definition: the category's extra fields as attributes",
    responses={**_doc(Open311ServiceDefinition, many=False), **_errors(404)},
)
async def service_definition(
    service_code: str, fmt: Fmt, jurisdiction_id: Annotated[str | None, Query()] = None
) -> Response:
    return respond(
        _fmt(fmt), "service_definition", service.service_definition(service_code)
    )


@router.get(
    "/requests.{fmt}",
    summary="Service requests (cases), public and without personal data; default the last 90 days, at most 1000",
    responses={**_doc(Open311Request), **_errors(400, 404)},
)
async def list_requests(
    fmt: Fmt,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    jurisdiction_id: Annotated[str | None, Query()] = None,
    service_request_id: Annotated[
        str | None,
        Query(
            description="Comma-separated ids; other filters are then ignored except status."
        ),
    ] = None,
    service_code: Annotated[
        str | None, Query(description="Comma-separated service codes.")
    ] = None,
    start_date: Annotated[
        str | None, Query(description="ISO 8601: requested at or after.")
    ] = None,
    end_date: Annotated[
        str | None, Query(description="ISO 8601: requested at or before.")
    ] = None,
    status: Annotated[
        str | None, Query(description="open, closed, or both comma-separated.")
    ] = None,
) -> Response:
    fmt = _fmt(fmt)
    docs = await service.list_requests(
        session,
        settings=settings,
        clock=clock,
        service_request_id=service_request_id,
        service_code=service_code,
        start_date=start_date,
        end_date=end_date,
        status=status,
    )
    return respond(fmt, "requests", docs)


@router.get(
    "/requests/{request_id}.{fmt}",
    summary="One service request (an array of one, as the standard has it)",
    responses={**_doc(Open311Request), **_errors(404)},
)
async def get_request(
    request_id: str,
    fmt: Fmt,
    session: SessionDep,
    settings: SettingsDep,
    jurisdiction_id: Annotated[str | None, Query()] = None,
) -> Response:
    fmt = _fmt(fmt)
    if not request_id.isdigit() or len(request_id) > 10:
        raise Open311Problem(404, f"No service request {request_id[:20]}.")
    return respond(
        fmt,
        "requests",
        await service.get_request(
            session, settings=settings, request_id=int(request_id)
        ),
    )


@router.get("/request/{request_id}.{fmt}", include_in_schema=False)
async def get_request_singular(
    request_id: str, fmt: Fmt, session: SessionDep, settings: SettingsDep
) -> Response:
    """The path as the GeoReport v2 swagger file spells it."""
    return await get_request(request_id, fmt, session, settings)


@router.get(
    "/tokens/{token}.{fmt}",
    summary="The request id behind a token",
    responses={**_doc(Open311Token), **_errors(404)},
)
async def get_token(
    token: str,
    fmt: Fmt,
    session: SessionDep,
    jurisdiction_id: Annotated[str | None, Query()] = None,
) -> Response:
    fmt = _fmt(fmt)
    return respond(fmt, "requests", await service.get_token(session, token=token))


_POST_FIELDS_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["api_key", "service_code"],
                    "properties": {
                        **{
                            f: {"type": "string", "maxLength": _FIELD_MAX.get(f, 200)}
                            for f in _FIELDS
                        },
                        "attribute[charged_fen]": {"type": "string", "maxLength": 20},
                        "attribute[facility_id]": {"type": "string", "maxLength": 20},
                    },
                }
            }
        },
    }
}


@router.post(
    "/requests.{fmt}",
    summary="File a service request (a case) with an Open311 client key (api_key, a form field or query parameter)",
    responses={**_doc(Open311Created), **_errors(400, 403, 404, 429, 503)},
    openapi_extra=_POST_FIELDS_DOC,
)
async def create_request(
    fmt: Fmt,
    request: Request,
    session: SessionDep,
    facilities: FacilitiesDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    fmt = _fmt(fmt)
    fields: dict[str, str] = {}
    attributes: dict[str, str] = {}
    sources: list[Any] = [request.query_params]
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            sources.append(await request.form(max_files=0, max_fields=200))
        except (MultiPartException, StarletteHTTPException, ValueError):
            raise Open311Problem(400, "The form could not be read.") from None
    elif ctype and request.headers.get("content-length") not in (None, "0"):
        raise Open311Problem(
            400,
            "Send the fields as application/x-www-form-urlencoded (or as query parameters).",
        )
    for source in sources:
        for key, value in source.multi_items():
            if not isinstance(value, str):
                raise Open311Problem(400, f"{key[:50]} must be a text field.")
            match = _ATTRIBUTE.match(key)
            if match:
                attributes[match.group(1)] = value.strip()
            elif key in _FIELDS:
                fields[key] = value.strip()
    for key, value in fields.items():
        if len(value) > _FIELD_MAX.get(key, 200):
            raise Open311Problem(
                400, f"{key} may have at most {_FIELD_MAX.get(key, 200)} characters."
            )
        if any(ord(ch) < 0x20 and ch not in "\n\r\t" for ch in value):
            raise Open311Problem(400, f"{key} contains control characters.")
    for key, value in attributes.items():
        if len(value) > 500:
            raise Open311Problem(
                400, f"attribute[{key}] may have at most 500 characters."
            )
    created = await service.create_request(
        session,
        fields=fields,
        attributes=attributes,
        facilities=facilities,
        settings=settings,
        clock=clock,
    )
    return respond(fmt, "requests", created)


# --- officials: the keys ----------------------------------------------------------------------------


@clients_router.post(
    "",
    response_model=ClientCreated,
    status_code=201,
    summary="Issue an Open311 client key (district officials); the key is shown once",
    responses=problems(401, 403, 415, 422),
)
async def create_client(
    body: ClientCreate,
    session: SessionDep,
    principal: DistrictOfficialDep,
    clock: ClockDep,
    response: Response,
) -> ClientCreated:
    issued = await service.create_client(
        session, principal=principal, name=body.name, clock=clock
    )
    response.headers["Location"] = f"/api/v1/open311-clients/{issued.client.id}"
    return ClientCreated.of(issued.client, api_key=issued.api_key)


@clients_router.get(
    "",
    response_model=list[ClientRead],
    summary="Open311 clients (never their keys)",
    responses=problems(401, 403),
)
async def list_clients(session: SessionDep, _: ReaderDep) -> list[ClientRead]:
    return [ClientRead.model_validate(c) for c in await service.list_clients(session)]


@clients_router.delete(
    "/{client_id}",
    status_code=204,
    summary="Revoke a client's key (district officials)",
    responses=problems(401, 403, 404, 422),
)
async def revoke_client(
    client_id: ResourceId, session: SessionDep, _: DistrictOfficialDep, clock: ClockDep
) -> Response:
    await service.revoke_client(session, client_id=client_id, clock=clock)
    return Response(status_code=204)


@clients_router.post(
    "/{client_id}/rotate",
    response_model=ClientCreated,
    summary="Replace a client's key (district officials); the new key is shown once, the old one stops working",
    responses=problems(401, 403, 404, 409, 422),
)
async def rotate_client(
    client_id: ResourceId, session: SessionDep, _: DistrictOfficialDep
) -> ClientCreated:
    issued = await service.rotate_client(session, client_id=client_id)
    return ClientCreated.of(issued.client, api_key=issued.api_key)
