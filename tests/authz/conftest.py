"""The platform the matrix runs against: every service as a real process behind the gateway, with
every demo seed (so each kind of record exists and belongs to someone), and the callers of the
matrix: the demo accounts, a second resident, a second operator's staff, and API keys with each scope."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from e2e.conftest import ALL_SEEDS, Platform, running_platform

from service_kit.scopes import issuable_to

DEMO_PASSWORD = "demo-password"
DEMO_ACCOUNTS = {
    "resident": "demo-resident",
    "operator": "demo-operator",
    "subdistrict_official": "demo-subdistrict-official",
    "district_official": "demo-official",
    "auditor": "demo-auditor",
}
# The demo operator's operator, and the one the second operator's staff work for.
OPERATOR_ID = 1
OTHER_OPERATOR_ID = 2


@dataclass
class World:
    """The callers (headers to send, by name) and the records the matrix's paths point at."""

    platform: Platform
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    # Callers the platform would not make (a key whose scope it does not issue), and why.
    unavailable: dict[str, str] = field(default_factory=dict)

    def callers(self) -> list[str]:
        return list(self.headers)


def _ok(resp: httpx.Response, what: str) -> dict:
    if resp.status_code >= 300:
        raise AssertionError(f"setting up the matrix: {what}: {resp.status_code} {resp.text[:500]}")
    return resp.json() if resp.content else {}


def _sign_in(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    body = _ok(
        client.post("/api/v1/auth/token", data={"username": username, "password": password}), f"sign in {username}"
    )
    return {"authorization": f"Bearer {body['access_token']}"}


# Module-scoped: the platform stops when the matrix is done, before the other platform tests start theirs.
@pytest.fixture(scope="module")
def authz_platform(tmp_path_factory) -> Iterator[Platform]:
    # A few thousand requests from one address within a minute: the matrix is not an abuser.
    extra = {"GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE": "100000", "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000"}
    with running_platform(tmp_path_factory, seeds=ALL_SEEDS, name="authz", extra_env=extra) as p:
        yield p


@pytest.fixture(scope="module")
def merged_openapi(authz_platform: Platform) -> dict:
    """The gateway's merged OpenAPI, once every service has answered (each builds its document on
    the first request, which can take longer than the gateway waits on a busy machine)."""
    deadline = time.monotonic() + 60
    while True:
        spec = httpx.get(f"{authz_platform.url}/api/v1/openapi.json", timeout=30).json()
        unavailable = spec["info"].get("x-unavailable-services")
        if not unavailable:
            return spec
        if time.monotonic() > deadline:
            raise AssertionError(f"the merged OpenAPI still lacks {unavailable}")
        time.sleep(1)


@pytest.fixture(scope="module")
def world(authz_platform: Platform) -> World:
    w = World(platform=authz_platform)
    with httpx.Client(base_url=authz_platform.url, timeout=30) as c:
        w.headers["anonymous"] = {}
        for person, username in DEMO_ACCOUNTS.items():
            w.headers[person] = _sign_in(c, username, DEMO_PASSWORD)
        official, operator, resident = w.headers["district_official"], w.headers["operator"], w.headers["resident"]

        # A second resident, registered as anyone would be.
        password = secrets.token_urlsafe(16)
        _ok(
            c.post(
                "/api/v1/auth/register",
                json={"username": "matrix-other-resident", "password": password, "display_name": "另一位居民"},
            ),
            "register",
        )
        w.headers["other_resident"] = _sign_in(c, "matrix-other-resident", password)
        # Staff of a second operator, made by a district official.
        staff = {
            "username": "matrix-other-operator",
            "password": password,
            "display_name": "另一家运营方",
            "role": "operator",
            "operator_id": OTHER_OPERATOR_ID,
        }
        _ok(c.post("/api/v1/users", json=staff, headers=official), "create the other operator's staff")
        w.headers["other_operator"] = _sign_in(c, "matrix-other-operator", password)

        # Keys: the demo operator's systems with each operator scope, integration clients with each of theirs.
        # A key that cannot be issued is a finding of the matrix, not a reason to stop it.
        for kind, issuer in (("operator", operator), ("integration", official)):
            for scope in issuable_to(kind):
                resp = c.post("/api/v1/api-keys", json={"name": f"matrix {scope}", "scopes": [scope]}, headers=issuer)
                if resp.status_code == 201:
                    w.headers[f"{kind}_key:{scope}"] = {"x-api-key": resp.json()["key"]}
                else:
                    w.unavailable[f"{kind}_key:{scope}"] = f"the key could not be issued ({resp.status_code})"
        # The key the matrix's key path points at: the operator's, used for nothing else.
        key = _ok(
            c.post(
                "/api/v1/api-keys", json={"name": "matrix path key", "scopes": ["activities:write"]}, headers=operator
            ),
            "path key",
        )
        w.ids["key_id"] = str(key["id"])

        # The records: the operator's facility (in the subdistrict official's subdistrict), its contract,
        # and the resident's own booking, case and special-group request there.
        facility = _ok(c.get("/api/v1/facilities/114"), "facility")
        assert facility["operation"]["operator_id"] == OPERATOR_ID and facility["subdistrict"] == "jingshan", facility[
            "operation"
        ]
        w.ids["facility_id"] = "114"
        w.ids["contract_id"] = str(facility["operation"]["contract_id"])
        w.ids["operator_id"] = str(OPERATOR_ID)
        now = datetime.now(UTC).isoformat()
        activities = _ok(c.get("/api/v1/activities", params={"facility_id": 114, "limit": 100}), "activities")["items"]
        upcoming = [a for a in activities if a["status"] == "published" and a["starts_at"] > now]
        w.ids["activity_id"] = str(upcoming[0]["id"])
        booking = _ok(
            c.post(f"/api/v1/activities/{upcoming[0]['id']}/bookings", json={"seats": 1}, headers=resident), "booking"
        )
        w.ids["booking_id"] = str(booking["id"])
        case = {
            "category": "suggestion",
            "target_type": "facility",
            "target_id": 114,
            "description": "希望周末延长开放时间。",
        }
        w.ids["case_id"] = str(_ok(c.post("/api/v1/cases", json=case, headers=resident), "case")["id"])
        request = {
            "facility_id": 114,
            "special_group": "elderly",
            "kind": "home_delivery",
            "description": "行动不便，希望送书上门",
            "address": "景山东街1号",
            "phone": "13800000001",
        }
        request_id = _ok(c.post("/api/v1/special-requests", json=request, headers=resident), "special request")["id"]
        w.ids["request_id"] = str(request_id)
        # An official of the area assigns it to the facility's operator, who is then its handler.
        for step in ("verify", "assign"):
            etag = c.get(f"/api/v1/special-requests/{request_id}", headers=official).headers.get("etag", "")
            _ok(
                c.post(
                    f"/api/v1/special-requests/{request_id}/{step}", json={}, headers={**official, "if-match": etag}
                ),
                step,
            )
        demand = {"category": "exhibition", "title": "胡同老照片展", "subdistrict": "jingshan", "facility_id": 114}
        w.ids["demand_id"] = str(_ok(c.post("/api/v1/demands", json=demand, headers=resident), "demand")["id"])
        mine = [
            r
            for r in _ok(c.get("/api/v1/ratings/mine", headers=resident, params={"limit": 100}), "ratings")["items"]
            if r["target_type"] == "facility" and r["target_id"] == 114 and r.get("live", True)
        ]
        rating = (
            mine[0]
            if mine
            else _ok(
                c.post(
                    "/api/v1/ratings",
                    json={"target_type": "facility", "target_id": 114, "overall": 4},
                    headers=resident,
                ),
                "rating",
            )
        )
        w.ids["rating_id"] = str(rating["id"])

        # The operator's records in operators-api (demo data).
        as_operator = {"headers": operator}
        w.ids["evaluation_id"] = str(_ok(c.get("/api/v1/evaluations", **as_operator), "evaluations")["items"][0]["id"])
        w.ids["application_id"] = str(_ok(c.get("/api/v1/fee-applications", **as_operator), "fees")["items"][0]["id"])
        w.ids["report_id"] = str(_ok(c.get("/api/v1/service-reports", **as_operator), "reports")["items"][0]["id"])
        w.ids["rectification_id"] = str(
            _ok(c.get("/api/v1/rectifications", **as_operator), "rectifications")["items"][0]["id"]
        )
        w.ids["inspection_id"] = str(_ok(c.get("/api/v1/inspections", **as_operator), "inspections")["items"][0]["id"])
        for selection in _ok(c.get("/api/v1/selections"), "selections")["items"]:
            bids = _ok(c.get(f"/api/v1/selections/{selection['id']}/bids", headers=official), "bids")
            bids = bids.get("items", bids) if isinstance(bids, dict) else bids
            mine = [b for b in bids if b["operator_id"] == OPERATOR_ID]
            if mine:
                w.ids["selection_id"], w.ids["bid_id"] = str(selection["id"]), str(mine[0]["id"])
                break

        # Webhooks, each an integration client's own subscription (or a district official's).
        client = w.headers.get("integration_key:webhooks:manage", official)
        for service in ("facilities", "operators", "feedback", "identity"):
            hook = {"url": "http://127.0.0.1:9/matrix", "event_types": ["*"]}
            w.ids[f"{service}.webhook_id"] = str(
                _ok(c.post(f"/api/v1/{service}/webhooks", json=hook, headers=client), "webhook")["id"]
            )
    return w
