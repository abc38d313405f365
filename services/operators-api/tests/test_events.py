"""Every change is announced in the event feed, in the same transaction: a refused request writes nothing."""

from __future__ import annotations

import pytest

from tests.factories import create_operator, move_status, new_uscc, operator_body

URL = "/api/v1/operators"


async def feed(client, auth, after: int = 0) -> list[dict]:
    resp = await client.get("/api/v1/events", params={"after": after, "limit": 1000}, headers=auth("official"))
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


class TestEventsAnnounceChanges:
    async def test_registration(self, client, auth):
        created = await create_operator(client, auth("official", sub="official-li"), code="shuxiang")
        [event] = await feed(client, auth)
        assert event["type"] == "operator.registered"
        assert event["source"] == "operators-api"
        assert event["subject"] == f"operator/{created['id']}"
        data = event["data"]
        assert (data["id"], data["code"], data["uscc"], data["status"]) == (
            created["id"],
            "shuxiang",
            created["uscc"],
            "registered",
        )
        # Events reach external subscribers: personal data goes out masked, as the public reads it.
        assert data["contacts"][0]["phone"] == "138****5678"
        assert data["qualifications"][0]["expires_date"] == "2027-12-31"

    async def test_an_edit(self, client, auth):
        created = await create_operator(client, auth("official"))
        new_contacts = [{"name": "李华", "role": "", "phone": "13900001111", "email": ""}]
        await client.patch(
            f"{URL}/{created['id']}",
            json={"name_en": "Shuxiang", "contacts": new_contacts},
            headers={**auth("operator", operator_id=created["id"]), "If-Match": '"v1"'},
        )
        event = (await feed(client, auth))[-1]
        assert event["type"] == "operator.updated"
        assert event["data"]["operator"]["name_en"] == "Shuxiang"
        assert event["data"]["operator"]["version"] == 2
        assert event["data"]["changes"]["name_en"] == ["Dongcheng Shuxiang Culture Development Co., Ltd.", "Shuxiang"]
        old, new = event["data"]["changes"]["contacts"]
        assert old[0]["phone"] == "138****5678" and new[0]["phone"] == "139****1111"

    async def test_a_status_change(self, client, auth):
        created = await create_operator(client, auth("official"))
        await client.post(
            f"{URL}/{created['id']}/status",
            json={"status": "qualified", "reason": "资质审核通过"},
            headers=auth("official", sub="official-zhang"),
        )
        event = (await feed(client, auth))[-1]
        assert event["type"] == "operator.status_changed"
        assert event["data"] == {
            "operator_id": created["id"],
            "code": created["code"],
            "old": "registered",
            "new": "qualified",
            "reason": "资质审核通过",
        }

    async def test_a_patch_that_changes_nothing_announces_nothing(self, client, auth):
        created = await create_operator(client, auth("official"))
        await client.patch(
            f"{URL}/{created['id']}",
            json={"name_en": created["name_en"]},
            headers={**auth("official"), "If-Match": '"v1"'},
        )
        assert [e["type"] for e in await feed(client, auth)] == ["operator.registered"]

    async def test_the_feed_filters_by_type_and_reads_on_from_a_cursor(self, client, auth):
        created = await create_operator(client, auth("official"))
        await move_status(client, auth("official"), created["id"], "qualified", "suspended")
        first = await feed(client, auth)
        assert [e["type"] for e in first] == [
            "operator.registered",
            "operator.status_changed",
            "operator.status_changed",
        ]
        assert await feed(client, auth, after=first[-1]["sequence"]) == []
        only = await client.get("/api/v1/events", params={"types": "operator.status_changed"}, headers=auth("auditor"))
        assert [e["data"]["new"] for e in only.json()["items"]] == ["qualified", "suspended"]

    async def test_the_event_types_are_listed(self, client):
        from operators_api.events import EVENT_TYPES

        types = [t["type"] for t in (await client.get("/api/v1/events/types")).json()]
        assert types == sorted(EVENT_TYPES)
        # What facilities-api consumes (the cross-service contract).
        assert {"contract.started", "contract.ended", "fee.approved", "fee.revoked", "fee.expired"} <= set(types)
        assert {"operator.registered", "operator.status_changed", "operator.updated"} <= set(types)

    @pytest.mark.parametrize(("role", "status"), [(None, 401), ("resident", 403), ("operator", 403)])
    async def test_the_feed_is_for_officials_auditors_and_services(self, client, auth, role, status):
        resp = await client.get("/api/v1/events", headers=auth(role) if role else {})
        assert resp.status_code == status


class TestNothingIsWrittenWhenRefused:
    async def _unchanged(self, client, auth, operator_id: int, before: list[dict]) -> None:
        assert await feed(client, auth) == before
        history = (await client.get(f"{URL}/{operator_id}/history", headers=auth("official"))).json()
        assert len(history) == len([e for e in before if e["subject"] == f"operator/{operator_id}"])

    async def test_refused_writes_leave_no_event_and_no_history(self, client, auth):
        created = await create_operator(client, auth("official"))
        oid = created["id"]
        before = await feed(client, auth)
        refused = [
            await client.post(URL, json=operator_body(), headers=auth("resident")),  # 403
            await client.post(URL, json=operator_body(uscc="91110108551385082R"), headers=auth("official")),  # 422
            await client.post(
                URL, json=operator_body(uscc=created["uscc"], code="other"), headers=auth("official")
            ),  # 409
            await client.post(
                URL, json=operator_body(type="public_institution", uscc=new_uscc()), headers=auth("official")
            ),  # 422
            await client.patch(f"{URL}/{oid}", json={"name_en": "X"}, headers=auth("official")),  # 428
            await client.patch(
                f"{URL}/{oid}", json={"name_en": "X"}, headers={**auth("official"), "If-Match": '"v9"'}
            ),  # 412
            await client.patch(
                f"{URL}/{oid}",
                json={"legal_name": "X"},
                headers={**auth("operator", operator_id=oid), "If-Match": '"v1"'},
            ),  # 403
            await client.post(
                f"{URL}/{oid}/status", json={"status": "suspended", "reason": "x"}, headers=auth("official")
            ),  # 409
            await client.post(
                f"{URL}/{oid}/status", json={"status": "qualified", "reason": "x"}, headers=auth("auditor")
            ),  # 403
        ]
        assert [r.status_code for r in refused] == [403, 422, 409, 422, 428, 412, 403, 409, 403]
        await self._unchanged(client, auth, oid, before)
        assert len((await client.get(URL)).json()["items"]) == 1
