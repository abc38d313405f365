"""A route's gate: roles, and the scope an API key's credential needs. Tried as the key holder who
would gain by doing more than its key allows, and as a resident probing an official's route."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict, Field

from service_kit.auth import Principal, TokenVerifier, mint_token, require_roles, viewer
from service_kit.openapi import problem_openapi
from service_kit.problems import install_problem_handlers
from service_kit.scopes import SCOPES, issuable_to
from service_kit.settings import BaseServiceSettings

SECRET = "g" * 40


class Settings(BaseServiceSettings):
    service_name: str = "gate-test"


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)


router = APIRouter(prefix="/api/v1")


@router.post("/activities", status_code=201)
async def publish(
    body: Order, principal: Annotated[Principal, require_roles("operator", scope="activities:write")]
) -> dict:
    return {"by": principal.sub}


@router.post("/orders", status_code=201)
async def order(body: Order, principal: Annotated[Principal, require_roles("official")]) -> dict:
    return {"by": principal.sub}


@router.get("/mine")
async def mine(who: Annotated[Principal | None, viewer(scope="operator:read")]) -> dict:
    return {"sees_as": who.role if who else "public"}


@router.put("/settings")
async def settings(principal: Annotated[Principal, require_roles("official", "operator", district=True)]) -> dict:
    return {"by": principal.role}


@router.get("/feed")
async def feed(principal: Annotated[Principal, require_roles("official", "auditor", scope="events:read")]) -> dict:
    return {"by": principal.role}


@pytest.fixture
async def client():
    app = FastAPI()
    install_problem_handlers(app)
    app.state.verifier = TokenVerifier(Settings(jwt_secret=SECRET))
    app.include_router(router)
    app.openapi = lambda: problem_openapi(app)  # type: ignore[method-assign]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


def _bearer(role: str, *, sub: str = "u-1", **claims) -> dict[str, str]:
    settings = Settings(jwt_secret=SECRET)
    return {"Authorization": f"Bearer {mint_token(settings, sub=sub, role=role, ttl_s=60, **claims)}"}


def _operator_key(*scopes: str) -> dict[str, str]:
    return _bearer("operator", sub="apikey:7", operator_id=3, scopes=list(scopes))


async def test_an_operator_key_does_only_what_its_scopes_say(client):
    narrow = _operator_key("checkins:write")
    refused = await client.post("/api/v1/activities", json={"title": "讲座"}, headers=narrow)
    assert refused.status_code == 403
    assert "activities:write" in refused.json()["detail"]
    allowed = await client.post("/api/v1/activities", json={"title": "讲座"}, headers=_operator_key("activities:write"))
    assert allowed.status_code == 201
    staff = await client.post("/api/v1/activities", json={"title": "讲座"}, headers=_bearer("operator", operator_id=3))
    assert staff.status_code == 201


async def test_a_key_without_the_read_scope_sees_what_the_public_sees(client):
    assert (await client.get("/api/v1/mine", headers=_operator_key("checkins:write"))).json() == {"sees_as": "public"}
    assert (await client.get("/api/v1/mine", headers=_operator_key("operator:read"))).json() == {"sees_as": "operator"}
    assert (await client.get("/api/v1/mine", headers=_bearer("operator", operator_id=3))).json() == {
        "sees_as": "operator"
    }


async def test_an_integration_key_passes_on_its_scope_alone(client):
    with_scope = _bearer("integration", sub="apikey:9", scopes=["events:read"])
    without = _bearer("integration", sub="apikey:9", scopes=["webhooks:manage"])
    assert (await client.get("/api/v1/feed", headers=with_scope)).status_code == 200
    assert (await client.get("/api/v1/feed", headers=without)).status_code == 403
    # A scope meant for operators' systems opens nothing to an integration client.
    assert (
        await client.post(
            "/api/v1/activities",
            json={"title": "x"},
            headers=_bearer("integration", sub="apikey:9", scopes=["activities:write"]),
        )
    ).status_code == 403


async def test_a_wildcard_scope_grants_nothing(client):
    assert (await client.post("/api/v1/activities", json={"title": "x"}, headers=_operator_key("*"))).status_code == 403


async def test_authorization_is_decided_before_the_body_is_read(client):
    resident = await client.post("/api/v1/orders", json={}, headers=_bearer("resident"))
    assert resident.status_code == 403
    assert "errors" not in resident.json()
    anonymous = await client.post("/api/v1/orders", json={})
    assert anonymous.status_code == 401
    official = await client.post("/api/v1/orders", json={}, headers=_bearer("official"))
    assert official.status_code == 422


async def test_the_openapi_says_who_may_call_each_operation(client):
    doc = (await client.get("/openapi.json")).json()
    publish_op = doc["paths"]["/api/v1/activities"]["post"]
    assert publish_op["x-authorization"] == {
        "roles": ["operator"],
        "scope": "activities:write",
        "signed_in": True,
        "district_only": False,
    }
    assert {"apiKey": ["activities:write"]} in publish_op["security"]
    assert doc["paths"]["/api/v1/mine"]["get"]["x-authorization"]["signed_in"] is False
    assert doc["components"]["securitySchemes"]["apiKey"]["name"] == "X-API-Key"


async def test_the_districts_own_business_refuses_a_subdistrict_official(client):
    assert (
        await client.put("/api/v1/settings", headers=_bearer("official", subdistrict="jingshan"))
    ).status_code == 403
    assert (await client.put("/api/v1/settings", headers=_bearer("official"))).status_code == 200
    assert (await client.put("/api/v1/settings", headers=_bearer("operator", operator_id=3))).status_code == 200
    doc = (await client.get("/openapi.json")).json()
    assert doc["paths"]["/api/v1/settings"]["put"]["x-authorization"]["district_only"] is True


def test_every_scope_is_issued_to_someone_and_named_once():
    assert set(issuable_to("operator")) | set(issuable_to("integration")) == set(SCOPES)
    assert not set(issuable_to("operator")) & set(issuable_to("integration"))


def test_a_gate_naming_an_unknown_scope_fails_at_import():
    with pytest.raises(ValueError, match="unknown scope"):
        require_roles("operator", scope="everything:do")
