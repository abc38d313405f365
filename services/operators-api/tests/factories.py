"""Test data builders: operators through the API, with valid unified social credit codes made on demand."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

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
            {"name": "营业性演出许可证", "number": "京东演字(2024)第018号", "issued_by": "北京市东城区文化和旅游局", "expires_date": "2027-12-31"},
        ],
    }
    body.update(overrides)
    return body


async def create_operator(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    resp = await client.post("/api/v1/operators", json=operator_body(**overrides), headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def move_status(client: httpx.AsyncClient, headers: dict[str, str], operator_id: int, *path: str) -> dict[str, Any]:
    """Walk an operator along statuses (each step must be allowed)."""
    body: dict[str, Any] = {}
    for status in path:
        resp = await client.post(
            f"/api/v1/operators/{operator_id}/status", json={"status": status, "reason": f"测试：转为{status}"}, headers=headers
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
    return body
