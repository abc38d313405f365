"""Open311 GeoReport v2 over the platform's cases: the categories are the services, a request is a case
(the same row, whether filed in the app or here), and client keys are issued by officials.

Personal data never leaves through Open311: no contact, no resident, phone and ID numbers masked in
descriptions and notes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.cases.categories import CATEGORIES, deadline_days
from feedback_api.cases.models import ResidentCase
from feedback_api.cases.repository import CaseRepository
from feedback_api.cases.schemas import CaseCreate
from feedback_api.cases.service import file_case
from feedback_api.clients.facilities import FacilitiesClient
from feedback_api.exceptions import TargetCheckUnavailable
from feedback_api.open311.models import Open311Client
from feedback_api.open311.repository import ClientRepository
from feedback_api.settings import Settings
from feedback_api.text import mask_personal_data
from service_kit.auth import Principal
from service_kit.clock import DISTRICT_TZ, Clock
from service_kit.problems import Conflict, ProblemError

SPEC = "http://wiki.open311.org/GeoReport_v2"
BUREAU = "东城区文化和旅游局"
MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


class Open311Problem(Exception):
    """An error answered in Open311's format: [{"code": 400, "description": "..."}] (or its XML)."""

    def __init__(
        self, status: int, description: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


# --- client keys -------------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A client with the key just issued to it: the key is shown this once (only its hash is kept)."""

    client: Open311Client
    api_key: str


async def create_client(
    session: AsyncSession, *, principal: Principal, name: str, clock: Clock
) -> IssuedKey:
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(24)
    client = Open311Client(
        name=name,
        key_prefix=prefix,
        key_hash=_hash(secret),
        created_by=principal.sub,
        created_at=clock.now(),
    )
    ClientRepository(session).add(client)
    await session.flush()
    issued = IssuedKey(client, f"o311_{prefix}_{secret}")
    await session.commit()
    return issued


async def rotate_client(session: AsyncSession, *, client_id: int) -> IssuedKey:
    """A new key for the same client, shown once; the old key stops working at once (a leaked key is
    replaced without losing the client's history of cases)."""
    client = await ClientRepository(session).get_or_404(client_id)
    if client.revoked_at is not None:
        raise Conflict(
            f"Open311 client {client_id} is revoked; issue a new client instead.",
            slug="client-revoked",
        )
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(24)
    client.key_prefix, client.key_hash = prefix, _hash(secret)
    await session.flush()
    issued = IssuedKey(client, f"o311_{prefix}_{secret}")
    await session.commit()
    return issued


async def list_clients(session: AsyncSession) -> Sequence[Open311Client]:
    return await ClientRepository(session).list()


async def revoke_client(session: AsyncSession, *, client_id: int, clock: Clock) -> None:
    client = await ClientRepository(session).get_or_404(client_id)
    if client.revoked_at is None:
        client.revoked_at = clock.now()
    await session.commit()


async def authenticate(session: AsyncSession, api_key: str | None) -> Open311Client:
    if not api_key:
        raise Open311Problem(
            403,
            "api_key is required: ask the culture bureau for an Open311 client key.",
        )
    parts = api_key.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != "o311" or len(parts[1]) > 16:
        raise Open311Problem(403, "api_key is not valid.")
    client = await ClientRepository(session).by_prefix(parts[1])
    if client is None or not hmac.compare_digest(client.key_hash, _hash(parts[2])):
        raise Open311Problem(403, "api_key is not valid.")
    if client.revoked_at is not None:
        raise Open311Problem(403, "api_key was revoked.")
    return client


# --- documents ---------------------------------------------------------------------------------------


def _local(moment: datetime | None) -> str | None:
    return (
        moment.astimezone(DISTRICT_TZ).isoformat(timespec="seconds") if moment else None
    )


def discovery(settings: Settings) -> dict[str, Any]:
    return {
        "changeset": "2026-11-23T00:00:00+08:00",
        "contact": "东城区文化和旅游局 · 12345",
        "key_service": "Keys are issued by the culture bureau (POST /api/v1/open311-clients).",
        "endpoints": [
            {
                "specification": SPEC,
                "url": settings.open311_base_url,
                "changeset": "2026-11-23T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


def services() -> list[dict[str, Any]]:
    return [
        {
            "service_code": c.code,
            "service_name": c.name_zh,
            "description": f"{c.name_en}. {c.description}",
            "metadata": bool(c.attributes),
            "type": "realtime",
            "keywords": c.keywords or None,
            "group": c.kind,
        }
        for c in CATEGORIES.values()
    ]


def service_definition(code: str) -> dict[str, Any]:
    category = CATEGORIES.get(code)
    if category is None:
        raise Open311Problem(
            404, f"service_code {code!r} is not a service here; see services.json."
        )
    attributes = []
    for order, a in enumerate(category.attributes, start=1):
        attr: dict[str, Any] = {
            "variable": True,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": {
                "number": "a whole number",
                "datetime": "ISO 8601, e.g. 2026-11-21T15:00:00+08:00",
            }.get(a.datatype),
            "order": order,
            "description": a.description,
        }
        if a.values:
            attr["values"] = [{"key": k, "name": n} for k, n in a.values]
        attributes.append(attr)
    return {"service_code": code, "attributes": attributes}


def _agency(c: ResidentCase) -> str:
    if c.assignee_type == "operator" and c.assignee_operator_id:
        return c.assignee_name or f"承接主体（运营方）#{c.assignee_operator_id}"
    return BUREAU


def request_doc(c: ResidentCase, settings: Settings) -> dict[str, Any]:
    category = CATEGORIES[c.category]
    notes = mask_personal_data(c.response_text)[0] if c.response_text else None
    return {
        "service_request_id": str(c.id),
        "status": "closed" if c.status == "closed" else "open",
        "status_notes": notes,
        "service_name": category.name_zh,
        "service_code": c.category,
        "description": mask_personal_data(c.description)[0],
        "agency_responsible": _agency(c),
        "service_notice": f"{category.name_zh}：{deadline_days(c.category, settings.case_deadlines)}个工作日内答复",
        "requested_datetime": _local(c.created_at),
        "updated_datetime": _local(c.updated_at),
        "expected_datetime": _local(c.due_at),
        "address": c.address,
        "address_id": str(c.facility_id) if c.facility_id else None,
        "zipcode": None,
        "lat": c.lat,
        "long": c.lon,
        "media_url": c.photo_urls[0] if c.photo_urls else None,
    }


def _split(value: str | None) -> list[str] | None:
    if value is None or not value.strip():
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Open311Problem(
            400,
            f"{name} must be an ISO 8601 date and time (e.g. 2026-11-01T00:00:00+08:00).",
        ) from None
    # Compared with stored UTC times (SQLite keeps no offset): convert.
    return (moment if moment.tzinfo else moment.replace(tzinfo=DISTRICT_TZ)).astimezone(
        UTC
    )


async def list_requests(
    session: AsyncSession,
    *,
    settings: Settings,
    clock: Clock,
    service_request_id: str | None,
    service_code: str | None,
    start_date: str | None,
    end_date: str | None,
    status: str | None,
) -> list[dict[str, Any]]:
    ids = None
    raw_ids = _split(service_request_id)
    if raw_ids is not None:
        if len(raw_ids) > MAX_REQUESTS or not all(
            i.isdigit() and 0 < len(i) <= 10 for i in raw_ids
        ):
            raise Open311Problem(
                400, "service_request_id must be a comma-separated list of request ids."
            )
        ids = [int(i) for i in raw_ids if int(i) <= 2_147_483_647]
    codes = _split(service_code)
    for code in codes or []:
        if code not in CATEGORIES:
            raise Open311Problem(
                400,
                f"service_code {code[:60]!r} is not a service here; see services.json.",
            )
    statuses = _split(status)
    for s in statuses or []:
        if s not in ("open", "closed"):
            raise Open311Problem(
                400, "status must be open, closed or both (comma-separated)."
            )
    start, end = _moment(start_date, "start_date"), _moment(end_date, "end_date")
    if start and end and start > end:
        raise Open311Problem(400, "start_date is after end_date.")
    if ids is None and start is None and end is None:
        start = clock.now() - DEFAULT_WINDOW
    rows = await CaseRepository(session).open311_list(
        ids=ids,
        codes=codes,
        statuses=statuses,
        start=start,
        end=end,
        limit=MAX_REQUESTS,
    )
    return [request_doc(c, settings) for c in rows]


async def get_request(
    session: AsyncSession, *, settings: Settings, request_id: int
) -> list[dict[str, Any]]:
    c = (
        await CaseRepository(session).get(request_id)
        if request_id <= 2_147_483_647
        else None
    )
    if c is None:
        raise Open311Problem(404, f"No service request {request_id}.")
    return [request_doc(c, settings)]


async def get_token(session: AsyncSession, *, token: str) -> list[dict[str, Any]]:
    c = await CaseRepository(session).by_token(token) if len(token) <= 36 else None
    if c is None:
        raise Open311Problem(404, "No service request has this token.")
    return [{"service_request_id": str(c.id), "token": c.token}]


def _number(value: str | None, name: str, low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Problem(400, f"{name} must be a number.") from None
    if not low <= number <= high:
        raise Open311Problem(400, f"{name} must be between {low} and {high}.")
    return number


async def create_request(
    session: AsyncSession,
    *,
    fields: dict[str, str],
    attributes: dict[str, str],
    facilities: FacilitiesClient,
    settings: Settings,
    clock: Clock,
) -> list[dict[str, Any]]:
    client = await authenticate(session, fields.get("api_key"))
    code = fields.get("service_code")
    if not code:
        raise Open311Problem(400, "service_code is required; see services.json.")
    if code not in CATEGORIES:
        raise Open311Problem(
            404, f"service_code {code[:60]!r} is not a service here; see services.json."
        )
    now = clock.now()
    if (
        await CaseRepository(session).count_by_client_since(
            client.id, now - timedelta(hours=1)
        )
        >= settings.open311_requests_per_hour
    ):
        raise Open311Problem(
            429,
            f"At most {settings.open311_requests_per_hour} requests an hour per key.",
            headers={"Retry-After": "600"},
        )
    lat = _number(fields.get("lat"), "lat", -90, 90)
    lon = _number(fields.get("long"), "long", -180, 180)
    address_id = fields.get("address_id") or None
    facility_id = None
    if address_id is not None:
        if not address_id.isdigit() or not 0 < int(address_id) <= 2_147_483_647:
            raise Open311Problem(
                400, "address_id is a facility id on this platform (a whole number)."
            )
        facility_id = int(address_id)
    if attributes.get("facility_id"):
        raw = attributes["facility_id"]
        if not raw.isdigit() or not 0 < int(raw) <= 2_147_483_647:
            raise Open311Problem(
                400, "attribute[facility_id] must be a facility id (a whole number)."
            )
        facility_id = facility_id or int(raw)
    if lat is None and not fields.get("address_string") and facility_id is None:
        raise Open311Problem(
            400,
            "Give a location: lat and long, address_string, or address_id (a facility id).",
        )
    if (lat is None) != (lon is None):
        raise Open311Problem(400, "lat and long go together.")
    name = (
        " ".join(p for p in (fields.get("last_name"), fields.get("first_name")) if p)
        or None
    )
    attrs = {k: v for k, v in attributes.items() if k != "facility_id"}
    body: dict[str, Any] = {
        "category": code,
        "description": fields.get("description") or "",
        "attributes": attrs,
        "address": fields.get("address_string") or None,
        "lat": lat,
        "lon": lon,
        "photo_urls": [fields["media_url"]] if fields.get("media_url") else [],
    }
    if facility_id is not None:
        body["target_type"], body["target_id"] = "facility", facility_id
    contact = {
        k: v
        for k, v in {
            "name": name,
            "phone": fields.get("phone") or None,
            "email": fields.get("email") or None,
        }.items()
        if v
    }
    if contact:
        body["contact"] = contact
    try:
        data = CaseCreate.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        where = {
            "description": "description",
            "photo_urls.0": "media_url",
            "contact.phone": "phone",
            "contact.email": "email",
            "contact.name": "first_name/last_name",
            "address": "address_string",
        }.get(where, where)
        raise Open311Problem(400, f"{where}: {first.get('msg', 'invalid')}") from None
    try:
        c = await file_case(
            session,
            data=data,
            facilities=facilities,
            settings=settings,
            now=now,
            resident=None,
            open311_client_id=client.id,
            actor_role="integration",
        )
    except TargetCheckUnavailable:
        raise Open311Problem(
            503,
            "facilities-api is unavailable; nothing was saved. Try again in a moment.",
            headers={"Retry-After": "5"},
        ) from None
    except ProblemError as exc:
        field = exc.errors[0].field if exc.errors else None
        field = {"target_id": "address_id", "facility_id": "address_id"}.get(
            field or "", field
        )
        raise Open311Problem(
            400, f"{field}: {exc.detail}" if field else exc.detail
        ) from None
    category = CATEGORIES[code]
    created = {
        "service_request_id": str(c.id),
        "token": c.token,
        "service_notice": f"{category.name_zh}：{deadline_days(code, settings.case_deadlines)}个工作日内答复",
        "account_id": None,
    }
    await session.commit()
    return [created]
