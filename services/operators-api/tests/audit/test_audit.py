"""The audit log (审计日志): every state change, who, when, what and why; readable by officials and
auditors; nobody edits it, not even through the database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.factories import active_contract, awarded_selection

URL = "/api/v1/audit-log"


class TestAuditLog:
    async def test_each_state_change_says_who_when_what_and_why(self, client, auth, clock):
        await awarded_selection(client, auth, clock)
        entries = (
            await client.get(URL, params={"entity_type": "selection", "limit": 500}, headers=auth("auditor"))
        ).json()["items"]
        moves = [
            (e["action"], e["from_state"], e["to_state"])
            for e in entries
            if e["action"] in ("created", "status_changed", "awarded")
        ]
        assert moves == [
            ("created", None, "draft"),
            ("status_changed", "draft", "published"),
            ("status_changed", "published", "bidding"),
            ("status_changed", "bidding", "evaluating"),
            ("awarded", "evaluating", "awarded"),
        ]
        award = entries[-1]
        assert (award["actor"], award["actor_role"], award["reason"]) == ("test-official", "official", "综合得分第一")
        assert award["at"] == "2026-06-11T01:00:00Z"

    async def test_contract_moves_are_logged_with_their_reason(self, client, auth):
        c = await active_contract(client, auth)
        await client.post(
            f"/api/v1/contracts/{c['id']}/status",
            json={"status": "suspended", "reason": "消防隐患停业整改"},
            headers=auth("official", sub="official-li"),
        )
        log = (
            await client.get(URL, params={"entity_type": "contract", "entity_id": c["id"]}, headers=auth("official"))
        ).json()["items"]
        assert [(e["to_state"], e["reason"]) for e in log][-1] == ("suspended", "消防隐患停业整改")
        assert log[-1]["actor"] == "official-li"

    @pytest.mark.parametrize(("role", "status"), [(None, 401), ("resident", 403), ("operator", 403)])
    async def test_only_officials_and_auditors_read_it(self, client, auth, role, status):
        assert (await client.get(URL, headers=auth(role, operator_id=1) if role else {})).status_code == status

    async def test_no_endpoint_edits_it(self, client, auth):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert (await client.request(method, URL, headers=auth("official"))).status_code == 405

    async def test_the_database_refuses_to_change_or_delete_an_entry(self, client, auth, sessionmaker):
        await active_contract(client, auth)
        for statement in ("UPDATE audit_entry SET reason = 'edited'", "DELETE FROM audit_entry"):
            async with sessionmaker() as session:
                with pytest.raises(DBAPIError, match="append-only"):
                    await session.execute(text(statement))
        entries = (await client.get(URL, headers=auth("auditor"))).json()["items"]
        assert entries and all(e["reason"] != "edited" for e in entries)
