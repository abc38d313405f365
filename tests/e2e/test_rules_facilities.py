"""facilities-api's rules tried through the gateway, on real processes, by the party each rule binds:
a resident at an official's route, the operator turning its basic service into a paid one, the
subdistrict official deciding what only the district decides or acting outside their subdistrict, the
organiser cancelling an activity whose bookings would stay valid, the auditor reading a special-group
request's health notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from e2e.flows import active_contract, qualified_operator, wait_for
from e2e.test_vertical_slice import sign_in

DEMO_OPERATOR_ID = 1  # demo-operator's operator


@pytest.fixture(scope="module")
def client(platform):
    with httpx.Client(base_url=platform.url, timeout=15) as c:
        yield c


@pytest.fixture(scope="module")
def who(client):
    """Each demo account signed in once (sign-ins are throttled per address)."""
    tokens: dict[str, dict[str, str]] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in tokens:
            tokens[username] = sign_in(client, username)
        return tokens[username]

    return headers


def _facilities(client, **params) -> list[dict]:
    return client.get("/api/v1/facilities", params={"limit": 200, "status": "open", **params}).json()["items"]


def _basic_service(client, official, facility_id: int) -> dict:
    resp = client.post(
        f"/api/v1/facilities/{facility_id}/services",
        json={"name_zh": "少儿绘本借阅", "category": "lending", "basic": True, "target_groups": ["children"]},
        headers=official,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_a_resident_posting_nothing_to_an_officials_route_learns_nothing_of_its_fields(client, who):
    resident = who("demo-resident")
    for path in ("/api/v1/facilities", "/api/v1/activities", "/api/v1/facilities/1/services"):
        resp = client.post(path, json={}, headers=resident)
        assert resp.status_code == 403, (path, resp.text)
        assert "errors" not in resp.json()


def test_the_subdistrict_official_neither_reclassifies_nor_approves_the_district_decides(client, who):
    local = who("demo-subdistrict-official")  # 景山
    district = who("demo-official")
    facility = _facilities(client, subdistrict="jingshan", level="subdistrict")[0]
    service = _basic_service(client, district, facility["id"])
    url = f"/api/v1/facilities/{facility['id']}/services/{service['id']}"

    resp = client.patch(url, json={"basic": False}, headers={**local, "If-Match": '"v1"'})
    assert resp.status_code == 403
    proposal = client.post(
        f"/api/v1/facilities/{facility['id']}/service-proposals",
        json={"service_id": service["id"], "basic": False, "reason": "拟改为普惠性非基本服务"},
        headers=local,
    )
    assert proposal.status_code == 201, proposal.text
    approve = f"/api/v1/facilities/{facility['id']}/service-proposals/{proposal.json()['id']}/approve"
    assert client.post(approve, headers=local).status_code == 403
    assert client.get(url).json()["basic"] is True

    decided = client.post(approve, json={"note": "经研究同意"}, headers=district)
    assert decided.status_code == 200, decided.text
    read = client.get(url).json()
    assert read["basic"] is False
    [period] = read["basic_periods"]
    assert period["until"] is not None
    last = client.get(f"/api/v1/facilities/{facility['id']}/history").json()[-1]
    assert last["action"] == "service_reclassified" and last["changes"]["basic"] == [True, False]


def test_the_subdistrict_official_stays_in_their_subdistrict(client, who):
    local = who("demo-subdistrict-official")
    elsewhere = next(f for f in _facilities(client) if f["subdistrict"] != "jingshan")
    resp = client.patch(
        f"/api/v1/facilities/{elsewhere['id']}",
        json={"seats": 1},
        headers={**local, "If-Match": f'"v{elsewhere["version"]}"'},
    )
    assert resp.status_code == 403
    exception = {
        "starts_on": datetime.now(UTC).date().isoformat(),
        "ends_on": datetime.now(UTC).date().isoformat(),
        "closed": True,
    }
    assert (
        client.post(
            f"/api/v1/facilities/{elsewhere['id']}/opening-exceptions", json=exception, headers=local
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/facilities/{elsewhere['id']}").json()["seats"] == elsewhere["seats"]


def test_a_cancelled_activity_cancels_the_residents_booking_and_its_code(client, who):
    official = who("demo-official")
    resident = who("demo-resident")
    facility = _facilities(client, kind="public_library")[0]
    starts = datetime.now(UTC) + timedelta(minutes=30)
    activity = client.post(
        "/api/v1/activities",
        json={
            "facility_id": facility["id"],
            "title": "书海听涛·冬夜读诗",
            "category": "reading",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "capacity": 10,
            "publish": True,
        },
        headers=official,
    ).json()
    booking = client.post(f"/api/v1/activities/{activity['id']}/bookings", json={"seats": 1}, headers=resident).json()
    cancelled = client.post(
        f"/api/v1/activities/{activity['id']}/cancel", json={"reason": "暴雪预警，活动取消"}, headers=official
    )
    assert cancelled.status_code == 200, cancelled.text
    mine = client.get(f"/api/v1/bookings/{booking['id']}", headers=resident).json()
    assert (mine["status"], mine["cancel_reason"], mine["cancel_note"]) == (
        "cancelled",
        "activity_cancelled",
        "暴雪预警，活动取消",
    )
    check_in = client.post(
        f"/api/v1/activities/{activity['id']}/check-ins", json={"code": booking["check_in_code"]}, headers=official
    )
    assert check_in.status_code == 422


def test_an_auditor_reads_a_special_group_request_without_its_health_or_numbers(client, who):
    local = who("demo-subdistrict-official")
    auditor = who("demo-auditor")
    # A facility of the subdistrict's own (the district's own facilities, such as the national art
    # gallery standing in jingshan, are not the subdistrict's to act at).
    facility = next(
        f for f in _facilities(client, subdistrict="jingshan") if f["level"] in ("subdistrict", "community")
    )
    filed = client.post(
        "/api/v1/special-requests",
        json={
            "facility_id": facility["id"],
            "special_group": "elderly",
            "kind": "home_delivery",
            "description": "老人中风后行动不便，女儿电话13912345678，每月送书两次",
            "health_notes": "偏瘫，需送到床边",
            "address": "景山东街12号院3号楼401",
            "on_behalf_of": {"name": "王秀英"},
        },
        headers=local,
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["filed_by"] is not None and filed.json()["resident_sub"] is None
    read = client.get(f"/api/v1/special-requests/{filed.json()['id']}", headers=auditor).json()
    assert "13912345678" not in read["description"] and "中风" not in read["description"]
    assert (read["special_group"], read["health_notes"]) == (None, None)


def test_recorded_open_hours_are_for_officials_not_residents(client, who):
    official = who("demo-official")
    resident = who("demo-resident")
    facility = _facilities(client)[0]
    params = {"from": "2026-11-02", "to": "2026-11-29"}
    url = f"/api/v1/facilities/{facility['id']}/open-hours"
    assert client.get(url, params=params, headers=resident).status_code == 403
    read = client.get(url, params=params, headers=official).json()
    assert read["facility_id"] == facility["id"] and read["from"] == "2026-11-02" and read["to"] == "2026-11-29"
    assert float(read["weekly_average_hours"]) == pytest.approx(float(read["hours"]) / 4, abs=0.01)


def test_the_operator_proposes_but_cannot_make_its_basic_service_paid(client, who):
    """The operator, who would gain by it, tries to switch its basic service to non-basic."""
    official = who("demo-official")
    if client.get(f"/api/v1/operators/{DEMO_OPERATOR_ID}", headers=official).status_code == 404:
        assert qualified_operator(client, official, 0) == DEMO_OPERATOR_ID
    runs = _facilities(client, operator_id=DEMO_OPERATOR_ID)
    if runs:
        facility = runs[0]
    else:
        facility = next(
            f for f in _facilities(client, subdistrict="jingshan") if f["operation"]["mode"] == "government"
        )
        active_contract(client, official, DEMO_OPERATOR_ID, facility["id"])
        wait_for(lambda: _facilities(client, operator_id=DEMO_OPERATOR_ID), "the contract hands the facility over")
    service = _basic_service(client, official, facility["id"])
    operator = who("demo-operator")
    url = f"/api/v1/facilities/{facility['id']}/services/{service['id']}"
    assert client.patch(url, json={"basic": False}, headers={**operator, "If-Match": '"v1"'}).status_code == 403
    proposal = client.post(
        f"/api/v1/facilities/{facility['id']}/service-proposals",
        json={"service_id": service["id"], "basic": False, "reason": "拟收取材料费"},
        headers=operator,
    )
    assert proposal.status_code == 201, proposal.text
    assert (
        client.post(
            f"/api/v1/facilities/{facility['id']}/service-proposals/{proposal.json()['id']}/approve", headers=operator
        ).status_code
        == 403
    )
    read = client.get(url).json()
    assert read["basic"] is True and [p["until"] for p in read["basic_periods"]] == [None]
    rejected = client.post(
        f"/api/v1/facilities/{facility['id']}/service-proposals/{proposal.json()['id']}/reject",
        json={"note": "绘本借阅属基本公共文化服务，应免费"},
        headers=official,
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
