"""Test data builders: operators through the API, with valid unified social credit codes made on demand."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from operators_api.inspections.rules import CHECKLIST
from operators_api.operators.uscc import CHARSET, complete

_serial = itertools.count(1)


def new_uscc(prefix: str = "91110101") -> str:
    """A fresh valid code: `prefix` (authority, type, division) + a serial organisation code body."""
    n = next(_serial)
    body = ""
    for _ in range(8):
        n, r = divmod(n, len(CHARSET))
        body = CHARSET[r] + body
    return complete(prefix + body)


def operator_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "legal_name": "东城区书香文化发展有限公司",
        "name_en": "Dongcheng Shuxiang Culture Development Co., Ltd.",
        "type": "enterprise",
        "uscc": new_uscc(),
        "registered_address": "北京市东城区交道口东大街1号",
        "contacts": [
            {"name": "王丽", "role": "项目负责人", "phone": "13812345678", "email": "wang.li@shuxiang.example"},
            {"name": "赵强", "role": "值班", "phone": "010-64001234", "email": ""},
        ],
        "qualifications": [
            {
                "name": "营业性演出许可证",
                "number": "京东演字(2024)第018号",
                "issued_by": "北京市东城区文化和旅游局",
                "expires_date": "2027-12-31",
            },
        ],
    }
    body.update(overrides)
    return body


async def create_operator(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    resp = await client.post("/api/v1/operators", json=operator_body(**overrides), headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def move_status(
    client: httpx.AsyncClient, headers: dict[str, str], operator_id: int, *path: str
) -> dict[str, Any]:
    """Walk an operator along statuses (each step must be allowed)."""
    body: dict[str, Any] = {}
    for status in path:
        resp = await client.post(
            f"/api/v1/operators/{operator_id}/status",
            json={"status": status, "reason": f"测试：转为{status}"},
            headers=headers,
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
    return body


# -- the lifecycle ----------------------------------------------------------------------------------
# The suite's clock starts at 2026-06-01 10:00 in Beijing (conftest.NOW).
BIDS_OPEN = "2026-06-02T09:00:00+08:00"
BIDS_CLOSE = "2026-06-10T17:00:00+08:00"
CRITERIA = [
    {"key": "price", "name_zh": "价格", "kind": "price", "weight": 30},
    {"key": "service_plan", "name_zh": "服务方案", "kind": "quality", "weight": 40},
    {"key": "experience", "name_zh": "运营经验", "kind": "quality", "weight": 20},
    {"key": "team", "name_zh": "团队配置", "kind": "quality", "weight": 10},
]


def at(clock, iso: str) -> None:
    """Move the app's clock to an instant (ISO 8601 with zone); the clock speaks UTC, as the real one does."""
    from datetime import UTC, datetime

    clock.fixed = datetime.fromisoformat(iso).astimezone(UTC)


async def qualified_operator(client: httpx.AsyncClient, official: dict[str, str], **overrides: Any) -> dict[str, Any]:
    op = await create_operator(client, official, **overrides)
    return await move_status(client, official, op["id"], "qualified")


def selection_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "角楼图书馆等阅读空间社会化运营服务项目",
        "description": "阅读空间日常运营、阅读推广活动与特殊群体服务。",
        "scope": "开放服务、活动组织、志愿者管理",
        "method": "competitive_consultation",
        "budget_fen": 300_000_000,
        "facility_ids": [39, 41],
        "criteria": CRITERIA,
        "bids_open_at": BIDS_OPEN,
        "bids_close_at": BIDS_CLOSE,
        "service_starts_on": "2026-07-01",
        "service_ends_on": "2028-06-30",
    }
    body.update(overrides)
    return body


async def create_selection(client: httpx.AsyncClient, official: dict[str, str], **overrides: Any) -> dict[str, Any]:
    resp = await client.post("/api/v1/selections", json=selection_body(**overrides), headers=official)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def selection_status(
    client: httpx.AsyncClient, official: dict[str, str], selection_id: int, status: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/selections/{selection_id}/status",
        json={"status": status, "reason": f"测试：{status}"},
        headers=official,
    )


async def open_for_bids(client, auth, clock, **overrides: Any) -> dict[str, Any]:
    """A selection published and open for bids (the clock moves to bidding time)."""
    official = auth("official")
    sel = await create_selection(client, official, **overrides)
    assert (await selection_status(client, official, sel["id"], "published")).status_code == 200
    at(clock, "2026-06-03T10:00:00+08:00")
    resp = await selection_status(client, official, sel["id"], "bidding")
    assert resp.status_code == 200, resp.text
    return resp.json()


async def bid(client, auth, selection_id: int, operator_id: int, price_fen: int) -> httpx.Response:
    body = {
        "price_fen": price_fen,
        "proposal_summary": "以阅读推广为核心的运营方案",
        "documents": [{"title": "响应文件", "url": "https://files.example/bid.pdf"}],
    }
    return await client.post(
        f"/api/v1/selections/{selection_id}/bids", json=body, headers=auth("operator", operator_id=operator_id)
    )


async def close_bidding(client, auth, clock, selection_id: int) -> dict[str, Any]:
    at(clock, "2026-06-11T09:00:00+08:00")
    resp = await selection_status(client, auth("official"), selection_id, "evaluating")
    assert resp.status_code == 200, resp.text
    return resp.json()


async def panel(client, auth, selection_id: int, *members: tuple[str, str]) -> list[dict[str, Any]]:
    out = []
    for sub, name in members:
        resp = await client.post(
            f"/api/v1/selections/{selection_id}/panel",
            json={"sub": sub, "display_name": name, "kind": "expert"},
            headers=auth("official"),
        )
        assert resp.status_code == 201, resp.text
        out.append(resp.json())
    return out


async def declare(client, auth, selection_id: int, sub: str, conflicts: list[int] | None = None) -> httpx.Response:
    return await client.post(
        f"/api/v1/selections/{selection_id}/panel/declaration",
        json={"conflicted_operator_ids": conflicts or [], "statement": "本人与各投标人均无利害关系。"},
        headers=auth("official", sub=sub),
    )


async def score(
    client, auth, selection_id: int, bid_id: int, sub: str, service_plan, experience, team
) -> httpx.Response:
    return await client.put(
        f"/api/v1/selections/{selection_id}/bids/{bid_id}/scores",
        json={"scores": {"service_plan": str(service_plan), "experience": str(experience), "team": str(team)}},
        headers=auth("resident", sub=sub),
    )


async def awarded_selection(client, auth, clock, **overrides: Any) -> dict[str, Any]:
    """Two qualified operators bid; two experts score; the top one is awarded. Returns
    {selection, operators: [winner, other], bids: [winner's, other's]}."""
    official = auth("official")
    a = await qualified_operator(client, official, legal_name="书海阅读推广有限公司")
    b = await qualified_operator(client, official, legal_name="京城文化服务有限公司")
    sel = await open_for_bids(client, auth, clock, **overrides)
    bid_a = (await bid(client, auth, sel["id"], a["id"], 250_000_000)).json()
    bid_b = (await bid(client, auth, sel["id"], b["id"], 200_000_000)).json()
    await close_bidding(client, auth, clock, sel["id"])
    await panel(client, auth, sel["id"], ("expert-zhang", "张专家"), ("expert-li", "李专家"))
    for sub in ("expert-zhang", "expert-li"):
        assert (await declare(client, auth, sel["id"], sub)).status_code == 200
        assert (await score(client, auth, sel["id"], bid_a["id"], sub, 38, 18, 9)).status_code == 200
        assert (await score(client, auth, sel["id"], bid_b["id"], sub, 25, 12, 6)).status_code == 200
    resp = await client.post(f"/api/v1/selections/{sel['id']}/award", json={"reason": "综合得分第一"}, headers=official)
    assert resp.status_code == 200, resp.text
    return {"selection": resp.json(), "operators": [a, b], "bids": [bid_a, bid_b]}


KPI_TARGETS = {
    "open_hours_per_week": 40,
    "activities_per_month": 8,
    "participants_per_month": 200,
    "special_group_services_per_month": 10,
    "complaint_on_time_percent": 90,
    "min_satisfaction_score": 70,
}


def contract_body(operator_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "美后肆时景山市民文化中心运营服务",
        "operator_id": operator_id,
        "facility_ids": [114],
        "procurement_method": "single_source",
        "justification": "原运营方延续运营，服务具有不可替代性。",
        "purchaser_subdistrict": None,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "amount_fen": 120_000_000,
        "instalments": [
            {"due_on": "2026-04-15", "amount_fen": 30_000_000, "linked_period": "2026-Q1"},
            {"due_on": "2026-07-15", "amount_fen": 30_000_000, "linked_period": "2026-Q2"},
            {"due_on": "2026-10-15", "amount_fen": 30_000_000, "linked_period": "2026-Q3"},
            {"due_on": "2027-01-15", "amount_fen": 30_000_000, "linked_period": "2026-Q4"},
        ],
        "service_standards": ["每周开放不少于40小时", "基本公共文化服务免费"],
        "kpi_targets": KPI_TARGETS,
    }
    body.update(overrides)
    return body


async def draft_contract(client, auth, operator_id: int, **overrides: Any) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/contracts", json=contract_body(operator_id, **overrides), headers=auth("official")
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def contract_status(client, auth, contract_id: int, status: str, reason: str = "测试") -> httpx.Response:
    return await client.post(
        f"/api/v1/contracts/{contract_id}/status", json={"status": status, "reason": reason}, headers=auth("official")
    )


async def active_contract(client, auth, operator_id: int | None = None, **overrides: Any) -> dict[str, Any]:
    """A running single-source contract for 2026 (facility 114 unless told otherwise)."""
    if operator_id is None:
        operator_id = (await qualified_operator(client, auth("official")))["id"]
    c = await draft_contract(client, auth, operator_id, **overrides)
    resp = await contract_status(client, auth, c["id"], "active", "合同签订生效")
    assert resp.status_code == 200, resp.text
    return resp.json()


def report_lines(contract: dict[str, Any], **figures: Any) -> list[dict[str, Any]]:
    base = {"open_hours": "180", "activities": 10, "participants": 300, "special_group_services": 20, "incidents": 0}
    base.update(figures)
    return [{"facility_id": fid, **base} for fid in contract["facility_ids"]]


async def file_report(client, auth, contract: dict[str, Any], month: str, **figures: Any) -> httpx.Response:
    body = {
        "contract_id": contract["id"],
        "month": month,
        "lines": report_lines(contract, **figures),
        "summary": "本月运营平稳。",
    }
    return await client.post(
        "/api/v1/service-reports", json=body, headers=auth("operator", operator_id=contract["operator_id"])
    )


def checklist_items(score_fraction: float = 0.9) -> list[dict[str, Any]]:
    return [
        {"key": k, "score": str(round(points * score_fraction, 1)), "finding": ""}
        for k, (_, points) in CHECKLIST.items()
    ]


async def inspect(
    client, auth, contract: dict[str, Any], inspected_on: str, fraction: float = 0.9, **overrides: Any
) -> httpx.Response:
    body = {
        "contract_id": contract["id"],
        "facility_id": contract["facility_ids"][0],
        "inspected_on": inspected_on,
        "announced": False,
        "summary": "暗访检查",
        "items": checklist_items(fraction),
        **overrides,
    }
    return await client.post(
        "/api/v1/inspections", json=body, headers=auth("official", sub="inspector-wu", name="吴督查")
    )
